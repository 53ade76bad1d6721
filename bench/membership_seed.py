"""Run by `bench/run.py --membership` in the bench's environment: one signed-in member, and the token timing.

Creates a reader with two live memberships (EUR and USD) on tiers with benefits, a session in the
session store (the cache, written through to the database) and a member token, times the token's
verification in Python, and prints one JSON line for the bench: the cookies to send and the timings.
"""

import json
import os
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

import jwt  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.cached_db import SessionStore  # noqa: E402

from accounts.models import User  # noqa: E402
from membership.member_token import member_token_issue, member_token_verify  # noqa: E402
from membership.models import Benefit, Membership, Tier  # noqa: E402
from membership.status import member_status_for_user  # noqa: E402
from payments.models import Contributor  # noqa: E402

VERIFY_NUMBER = 5_000
VERIFY_REPEAT = 5


def _seed() -> User:
    user = User.objects.create_user("bench.member@example.org", "bench-password-1")
    benefit = Benefit.objects.create(code="no_appeals", name="No appeals", position=1)
    tier = Tier.objects.create(name="Member", position=2)
    tier.benefits.add(benefit)
    for currency, email in (("EUR", user.email), ("USD", "bench.member+usd@example.org")):
        contributor = Contributor.objects.create(email=email, user=user)
        Membership.objects.create(
            contributor=contributor,
            status=Membership.Status.ACTIVE,
            state=Membership.State.ACTIVE,
            tier=tier,
            interval=Membership.Interval.MONTH,
            amount_minor=1000,
            currency=currency,
        )
    return user


def _session_for(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return str(session.session_key)


def _best_us(statement) -> float:
    return min(timeit.repeat(statement, number=VERIFY_NUMBER, repeat=VERIFY_REPEAT)) / VERIFY_NUMBER * 1e6


def main() -> None:
    user = _seed()
    status = member_status_for_user(user_id=user.pk)
    token = member_token_issue(user_id=user.pk, status=status.as_claims(), version=status.version)
    assert member_token_verify(token)["member"] is True
    secret, issuer = settings.MEMBER_TOKEN_SECRET, settings.MEMBER_TOKEN_ISSUER
    session = f"{settings.SESSION_COOKIE_NAME}={_session_for(user)}"
    result = {
        "cookie": f"{session}; {settings.MEMBER_TOKEN_COOKIE_NAME}={token}",
        "token_bytes": len(token),
        "verify_us": round(_best_us(lambda: member_token_verify(token)), 2),
        "pyjwt_decode_us": round(
            _best_us(lambda: jwt.decode(token, secret, algorithms=["HS256"], issuer=issuer)), 2
        ),
        "timeit": {"number": VERIFY_NUMBER, "repeat": VERIFY_REPEAT, "figure": "best of the repeats"},
        "pyjwt": jwt.__version__,
        "cache": settings.CACHES["default"]["BACKEND"],
        "session_engine": settings.SESSION_ENGINE,
        "pid": os.getpid(),
    }
    print("SEED_JSON " + json.dumps(result))


if __name__ == "__main__":
    main()
