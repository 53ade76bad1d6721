"""Page routes of newsletters."""

from django.urls import path

from newsletters import staff_views, views

app_name = "newsletters"

urlpatterns = [
    path("", views.signup_page, name="page"),
    path("signup/", views.signup, name="signup"),
    path("thanks/", views.thanks, name="thanks"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("staff/signups.csv", staff_views.signups_csv, name="signups_csv"),
]
