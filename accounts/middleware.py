"""Staff set up two-factor authentication before anything else, when the site requires it."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts.two_factor import staff_must_set_up_two_factor

# Where a staff account without an authenticator may still go: setting one up, and leaving.
TWO_FACTOR_SETUP_URL_NAMES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_reauthenticate",
        "account_reauthenticate",
        "account_logout",
        "set_language",
        "healthz",
    }
)


class StaffTwoFactorMiddleware:
    """Sends a signed-in staff account with no authenticator app to set one up (STAFF_MFA_REQUIRED).

    The staff pages, the admin and the reports hold every donor's details; a password alone is not
    enough for them. Readers are never asked.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if not settings.STAFF_MFA_REQUIRED:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in TWO_FACTOR_SETUP_URL_NAMES:
            return None
        if not staff_must_set_up_two_factor(user=request.user):
            return None
        setup_url = reverse("mfa_activate_totp")
        return HttpResponseRedirect(f"{setup_url}?{urlencode({'next': request.get_full_path()})}")
