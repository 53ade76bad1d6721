"""Keeps the member token cookie fresh on every platform response for a signed-in reader.

The news site reads the cookie (on its parent domain, MEMBER_TOKEN_COOKIE_DOMAIN) and verifies it with
the shared secret, without calling the platform: docs/membership-check.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from membership.member_token import member_token_issue, member_token_verify, reader_reference
from membership.status import member_status_for_user, member_status_version


def _token_is_current(token: str | None, *, user_id: int, version: int | None) -> bool:
    """Valid, this reader's, issued less than MEMBER_TOKEN_REFRESH_SECONDS ago, under the current version.

    `version`: the reader's version when the view already read it (the status call), saving a cache trip.
    """
    claims = member_token_verify(token)
    if claims is None or claims["sub"] != reader_reference(user_id=user_id):
        return False
    if time.time() - claims["iat"] >= settings.MEMBER_TOKEN_REFRESH_SECONDS:
        return False
    current = member_status_version(user_id=user_id) if version is None else version
    return claims.get("ver") == current


class MemberTokenCookieMiddleware:
    """Set or refresh the token for a signed-in reader; delete it once nobody is signed in.

    After `AuthenticationMiddleware`. A reader who logs in (allauth, by password or code), gives, or
    whose membership changes (the status version moves on commit) gets a fresh token with the next
    response; a response to a request without a signed-in reader (the logout page's answer included:
    Django's `logout()` has already made `request.user` anonymous) deletes a cookie it was sent.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "public" in response.get("Cache-Control", ""):
            return response  # a shared-cacheable answer never carries a reader's cookie
        name = settings.MEMBER_TOKEN_COOKIE_NAME
        sent = request.COOKIES.get(name)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            if sent is not None:
                response.delete_cookie(name, domain=settings.MEMBER_TOKEN_COOKIE_DOMAIN, samesite="Lax")
            return response
        known = getattr(request, "member_status", None)  # set by the status call
        if not _token_is_current(sent, user_id=user.pk, version=known.version if known else None):
            status = known or member_status_for_user(user_id=user.pk)
            token = member_token_issue(user_id=user.pk, status=status.as_claims(), version=status.version)
            response.set_cookie(
                name,
                token,
                max_age=settings.MEMBER_TOKEN_TTL_SECONDS,
                domain=settings.MEMBER_TOKEN_COOKIE_DOMAIN,
                secure=settings.MEMBER_TOKEN_COOKIE_SECURE,
                httponly=False,  # the news site's banner script reads it
                samesite="Lax",
            )
        return response
