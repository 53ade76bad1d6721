"""Who must set up two-factor authentication: staff accounts with no authenticator app yet."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator


def staff_must_set_up_two_factor(*, user: Any) -> bool:
    """True for a signed-in, active staff account that has no TOTP authenticator (one query, staff only)."""
    if not (user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser)):
        return False
    return not Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()
