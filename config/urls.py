"""URL routes: pages, the JSON API, the Stripe webhook, health and admin."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from checkout import offline_stripe
from config import views
from config.api import api
from payments.webhooks.views import stripe_webhook

# The admin signs in through allauth, so staff pass its two-factor step too (not Django's password-only form).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = admin.site.site_title = settings.SITE_NAME

urlpatterns = [
    # First: the busiest route, and every pattern before it is tried on each of Stripe's deliveries.
    path("stripe/webhook", stripe_webhook, name="stripe-webhook"),
    # Next: the banner's decision and events, asked on every article page of the news site.
    path("", include("engagement.urls")),
    path("", views.home, name="home"),
    # Browsers ask for /favicon.ico whatever the page links: send them to the static file.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.ico"), permanent=True)),
    path("healthz", views.healthz, name="healthz"),
    # Prometheus's scrape: 404 unless METRICS_TOKEN is set, then 401 without `Authorization: Bearer <it>`.
    path("metrics", views.metrics, name="metrics"),
    path("api/v1/", api.urls),
    path("staff/payments/", include("payments.webhooks.staff_urls")),
    path("staff/", include("reporting.urls")),
    path("accounts/", include("allauth.urls")),
    # The language switcher in every page's header posts to /i18n/setlang/ (Django's set_language).
    path("i18n/", include("django.conf.urls.i18n")),
    path("support/", include("checkout.urls")),
    path("newsletters/", include("newsletters.urls")),
    path("membership/", include("membership.urls")),
    path("account/", include("portal.urls")),
    path("admin/", admin.site.urls),
    # Development only (404 unless STRIPE_OFFLINE_SHIM): the demo's stand-in for Stripe.js on localstripe.
    path(
        "dev/offline-stripe/payment-methods",
        offline_stripe.payment_methods,
        name="offline-stripe-payment-methods",
    ),
]
