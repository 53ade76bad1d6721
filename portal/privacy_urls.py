"""Routes of portal/privacy_views.py (names are in the portal namespace: `portal:<name>`)."""

from django.urls import path

from portal import privacy_views

urlpatterns = [
    path("preferences/", privacy_views.preferences, name="preferences"),
    path("data/", privacy_views.data, name="data"),
    path("data/export/", privacy_views.export, name="export"),
    path("data/delete/", privacy_views.delete, name="delete"),
]
