"""Who may see reports: staff in `finance` (everything, donors' names and emails included) or
`reporting` (figures without personal data); superusers see all. Scripts send a staff API token.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from reporting.models import StaffApiToken

FINANCE = "finance"
REPORTING = "reporting"
TOKEN_PREFIX = "rrk_"
_LAST_USED_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class ReportViewer:
    user: User
    sees_personal_data: bool


def _groups(user) -> set[str]:
    if not hasattr(user, "_report_groups"):
        user._report_groups = set(
            user.groups.filter(name__in=[FINANCE, REPORTING]).values_list("name", flat=True)
        )
    return user._report_groups


def report_viewer_for(user: User | AnonymousUser | None) -> ReportViewer | None:
    """The viewer a user is, or None when they may not see reports (one query, the groups)."""
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return None
    if user.is_superuser:
        return ReportViewer(user=user, sees_personal_data=True)
    groups = _groups(user)
    if not groups:
        return None
    return ReportViewer(user=user, sees_personal_data=FINANCE in groups)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_issue(*, user: User, name: str) -> tuple[StaffApiToken, str]:
    """A new token: the raw value is returned once and never stored (only its SHA-256)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = StaffApiToken.objects.create(user=user, name=name, prefix=raw[:12], key_hash=_digest(raw))
    return token, raw


def api_token_user(*, raw: str) -> User | None:
    """The staff user a live token belongs to, or None for an unknown or revoked one."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        StaffApiToken.objects.select_related("user")
        .filter(key_hash=_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_EVERY:
        StaffApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def report_viewer_from_request(request: HttpRequest) -> ReportViewer | None:
    """A bearer token if the request carries one (scripts), else the signed-in session."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return report_viewer_for(api_token_user(raw=header[7:].strip()))
    return report_viewer_for(getattr(request, "user", None))
