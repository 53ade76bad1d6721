"""Site-wide views: the home page and the health check."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from config import health


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, broker and Stripe answer; 503 naming what does not."""
    components = health.check_all()
    failing = [c.name for c in components if not c.ok]
    body = {
        "status": "ok" if not failing else "unavailable",
        "failing": failing,
        "components": {c.name: {"ok": c.ok, "detail": c.detail} for c in components},
    }
    return JsonResponse(body, status=503 if failing else 200)
