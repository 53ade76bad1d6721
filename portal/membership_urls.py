"""Routes of portal/membership_views.py (names are in the portal namespace: `portal:<name>`)."""

from django.urls import path

from portal import membership_views as views

urlpatterns = [
    path("<int:membership_id>/change/", views.change, name="change"),
    path("<int:membership_id>/card/", views.card, name="card"),
    path("<int:membership_id>/cancel/", views.cancel, name="cancel"),
    path("<int:membership_id>/cancel/<int:offer_id>/", views.cancel_offers, name="cancel_offers"),
    path("<int:membership_id>/resume/", views.resume, name="resume"),
]
