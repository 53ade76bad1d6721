"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest

from checkout.offline_stripe import shim_enabled


def site(request: HttpRequest) -> dict:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "STRIPE_JS_URL": settings.STRIPE_JS_URL,
        "STRIPE_OFFLINE_SHIM": shim_enabled(),
    }
