"""Staff report pages at /staff/ (the dashboard) and /staff/reports/..."""

from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/ledger", views.ledger, name="ledger"),
    path("reports/ledger.csv", views.ledger_csv, name="ledger-csv"),
    path("reports/events", views.events, name="events"),
    path("reports/events.csv", views.events_csv, name="events-csv"),
    path("reports/summary.csv", views.summary_csv, name="summary-csv"),
    path("reports/mrr.csv", views.mrr_csv, name="mrr-csv"),
    path("reports/cohorts.csv", views.cohorts_csv, name="cohorts-csv"),
]
