"""URLs of the staff reconciliation pages, mounted at /staff/payments/."""

from django.urls import path

from payments.webhooks import staff_views

app_name = "payments_staff"

urlpatterns = [
    path("events/", staff_views.event_list, name="events"),
    path("events/<int:pk>/", staff_views.event_detail, name="event-detail"),
    path("events/<int:pk>/rerun/", staff_views.event_rerun, name="event-rerun"),
]
