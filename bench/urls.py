"""The product's URLs plus the two baselines the webhook endpoint is measured against."""

from django.urls import include, path

from bench import baseline_views

urlpatterns = [
    path("bench/bare", baseline_views.bare, name="bench-bare"),
    path("bench/insert", baseline_views.insert, name="bench-insert"),
    path("", include("config.urls")),
]
