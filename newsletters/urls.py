"""Page routes of newsletters."""

from django.urls import path  # noqa: F401

app_name = "newsletters"

urlpatterns: list = []
