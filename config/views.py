"""Site-wide views: the home page, the health check and Prometheus's metrics."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache

from config import health
from config import metrics as site_metrics


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


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus's scrape, for whoever sends `Authorization: Bearer <METRICS_TOKEN>`. Without a token
    configured the page does not exist (404); a missing or wrong token is a 401, compared in constant time."""
    expected = settings.METRICS_TOKEN
    if not expected:
        raise Http404
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not constant_time_compare(given.strip(), expected):
        return HttpResponse(status=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    return HttpResponse(site_metrics.metrics_exposition(), content_type=site_metrics.CONTENT_TYPE)
