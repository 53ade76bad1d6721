"""Page routes of memberships: the one-click links in emails."""

from django.urls import path

from membership import views

app_name = "membership"

urlpatterns = [
    path("<int:membership_id>/link/<str:token>/", views.email_link, name="link"),
]
