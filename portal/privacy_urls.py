"""Routes of portal/privacy_views.py (names are in the portal namespace: `portal:<name>`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
