"""Routes of portal/history_views.py (names are in the portal namespace: `portal:<name>`)."""

from django.urls import path

from portal import history_views

urlpatterns = [
    path("", history_views.giving_history, name="history"),
    path("receipts/<uuid:public_id>/", history_views.receipt, name="receipt"),
    path("receipts/<uuid:public_id>/pdf/", history_views.receipt_pdf, name="receipt_pdf"),
    path("statements/<int:year>/<str:currency>/", history_views.statement, name="statement"),
    path("statements/<int:year>/<str:currency>/pdf/", history_views.statement_pdf, name="statement_pdf"),
]
