"""Page routes of memberships: the signed page that dunning emails link to."""

from django.urls import path

from membership import views

app_name = "membership"

urlpatterns = [
    path("manage/<str:token>/", views.manage, name="manage"),
]
