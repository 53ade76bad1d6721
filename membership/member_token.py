"""The member token: a short-lived signed JWT (HS256) that the news site verifies without calling us.

See docs/membership-check.md for its claims and how the news site checks it.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
from django.conf import settings
from django.utils.crypto import salted_hmac

ALGORITHM = "HS256"
# Claims the news site may rely on; a token without any of them is not a member token. PyJWT's own
# check of required claims refuses null values, and `state` and `tier` may be null: those are checked here.
REGISTERED_CLAIMS = ["sub", "iat", "exp", "iss"]
STATUS_CLAIMS = ("member", "state", "tier", "benefits", "recent_supporter")


def reader_reference(*, user_id: int) -> str:
    """The reader's opaque, stable id in the token (`sub`): never the email, never the database id.

    Keyed with the platform's SECRET_KEY, not the token secret, so the news site (which holds the
    token secret) cannot turn it back into our user id by trying them all.
    """
    return salted_hmac("membership.member_token.sub", str(user_id), algorithm="sha256").hexdigest()[:32]


def member_token_issue(
    *, user_id: int, status: dict[str, Any], version: int = 0, now: float | None = None
) -> str:
    """Sign the reader's membership status (`MemberStatus.as_claims()`) for MEMBER_TOKEN_TTL_SECONDS."""
    issued_at = int(time.time() if now is None else now)
    claims = {
        "sub": reader_reference(user_id=user_id),
        **status,
        "ver": version,
        "iat": issued_at,
        "exp": issued_at + settings.MEMBER_TOKEN_TTL_SECONDS,
        "iss": settings.MEMBER_TOKEN_ISSUER,
    }
    return jwt.encode(claims, settings.MEMBER_TOKEN_SECRET, algorithm=ALGORITHM)


def member_token_verify(token: str | None) -> dict[str, Any] | None:
    """The claims of a valid token, else None: tampered, expired, wrongly signed or malformed means
    "not a member", never an error (the check runs on every article view)."""
    if not token:
        return None
    try:
        claims = jwt.decode(
            token,
            settings.MEMBER_TOKEN_SECRET,
            algorithms=[ALGORITHM],
            issuer=settings.MEMBER_TOKEN_ISSUER,
            options={"require": REGISTERED_CLAIMS},
        )
    except jwt.PyJWTError:
        return None
    if any(name not in claims for name in STATUS_CLAIMS):
        return None
    if not isinstance(claims["member"], bool) or not isinstance(claims["benefits"], list):
        return None
    return claims
