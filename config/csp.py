"""The Content-Security-Policy of every page: scripts, styles and frames from the site itself and from
Stripe only, no inline script or style, and no framing by other sites (clickjacking).

django-csp writes the header; the Stripe origins come from the settings at each response (the API base
and Stripe.js URL point at localstripe in development and tests), so one policy serves both.
"""

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

STRIPE_FRAMES = ["https://js.stripe.com", "https://hooks.stripe.com"]
STRIPE_API = ["https://api.stripe.com", "https://m.stripe.network", "https://q.stripe.com"]


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def stripe_sources() -> dict[str, list[str]]:
    """What Stripe.js (and 3-D Secure inside its frames) needs, for the configured Stripe."""
    js = _origin(settings.STRIPE_JS_URL)
    api = _origin(settings.STRIPE_API_BASE)
    own = [origin for origin in (js, api) if origin]
    return {
        "script-src": own,
        "frame-src": [*STRIPE_FRAMES, *own],
        "connect-src": [*STRIPE_API, *own],
        "img-src": ["https://*.stripe.com", *own],
    }


class SitePolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        update = {**stripe_sources(), **(parts.update or {})}
        return PolicyParts(parts.config, update, parts.replace, parts.nonce)
