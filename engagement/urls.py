"""Routes of engagement: the banner's decision and events, and the campaigns' pages."""

from django.urls import path

from engagement import api, views

app_name = "engagement"

urlpatterns = [
    path("api/v1/banner", api.banner_decision, name="banner_decision"),
    path("api/v1/banner/events", api.banner_events, name="banner_events"),
    path("support/<slug:slug>/", views.campaign_page, name="campaign"),
    path("support/<slug:slug>/image", views.campaign_image, name="campaign_image"),
    # Development only (404 unless DEBUG): a news article carrying the banner's tag.
    path("dev/sample-article/", views.sample_article, name="sample_article"),
]
