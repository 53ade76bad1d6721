"""URL routes: pages, the JSON API, the Stripe webhook, health and admin."""

from django.contrib import admin
from django.urls import include, path

from config import views
from config.api import api
from payments.webhooks.views import stripe_webhook

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("stripe/webhook", stripe_webhook, name="stripe-webhook"),
    path("staff/payments/", include("payments.staff_urls")),
    path("accounts/", include("allauth.urls")),
    path("support/", include("payments.urls")),
    path("admin/", admin.site.urls),
]
