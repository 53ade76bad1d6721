"""Staff download of the sign-ups for the mailing tool: finance staff only (it holds readers' emails)."""

from django.http import HttpRequest, StreamingHttpResponse

from newsletters.access import signups_viewer_required
from newsletters.export import FIELDS, signup_record
from newsletters.selectors import signups_for_export
from reporting.csv_export import csv_response


@signups_viewer_required
def signups_csv(request: HttpRequest) -> StreamingHttpResponse:
    """?status=confirmed (the default), pending, unsubscribed or all; ?newsletter=<slug>."""
    status = request.GET.get("status", "confirmed")
    status = "" if status == "all" else status
    rows = signups_for_export(status=status, newsletter=request.GET.get("newsletter", ""))
    records = ([signup_record(signup)[field] for field in FIELDS] for signup in rows)
    return csv_response(filename="newsletter-signups.csv", header=FIELDS, rows=records)
