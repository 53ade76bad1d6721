"""The portal's routes, one module per concern (each included module's names are `portal:<name>`)."""

from django.urls import include, path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("memberships/", include("portal.membership_urls")),
    path("history/", include("portal.history_urls")),
    path("", include("portal.privacy_urls")),
]
