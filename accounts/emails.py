"""What every email to a reader says about how to reach us: where to manage, whom to ask, who we are."""

from django.conf import settings


def how_to_reach_us() -> dict:
    """Plain values only: the email tasks serialise their context."""
    return {
        "manage_url": f"{settings.SITE_URL}/accounts/login/",
        "support_email": settings.DEFAULT_FROM_EMAIL,
        "organisation": settings.ORGANISATION_DETAILS,
    }
