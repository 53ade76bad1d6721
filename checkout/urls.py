"""Page routes of checkout: the support page and the thank-you page."""

from django.urls import path

from checkout import views

app_name = "checkout"

urlpatterns = [
    path("", views.support, name="support"),
    path("thank-you/<uuid:public_id>/", views.thank_you, name="thank_you"),
]
