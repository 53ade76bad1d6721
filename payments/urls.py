"""Page routes of checkout: the support page and the thank-you page."""

from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("", views.support, name="support"),
    path("thank-you/<uuid:public_id>/", views.thank_you, name="thank_you"),
]
