"""URL routes: pages, the JSON API, the Stripe webhook, health and admin."""

from django.contrib import admin
from django.urls import include, path

from config import views
from config.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("support/", include("payments.urls")),
    path("admin/", admin.site.urls),
]
