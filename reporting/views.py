"""Staff report pages: the dashboard at /staff/, the rows behind each figure, and CSV downloads.

Thin: parse the range, call the selectors, hand the template what it shows. Donors' names and emails
reach a page or a CSV only for a viewer who may see them (the finance group, superusers).
"""

import itertools
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from membership.models import MembershipEvent
from payments.models import Frequency, LedgerEntry
from reporting import presenters
from reporting.access import ReportViewer, report_viewer_for
from reporting.attribution import DIMENSIONS, attribution_report
from reporting.cohorts import cohort_table
from reporting.conversion import Converter
from reporting.csv_export import csv_response
from reporting.drilldown import DrilldownError, event_rows, event_rows_all, ledger_rows, ledger_rows_all
from reporting.mrr import mrr_series
from reporting.periods import PRESETS, Period, PeriodError, month_end, period_for
from reporting.reader_share import reader_share
from reporting.revenue import revenue_by_month
from reporting.summary import summary_for

View = Callable[..., HttpResponse]
SERIES_MONTHS = 12


def report_viewer_required(view: View) -> View:
    """Not signed in: the login page. Signed in without a report group: 403."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        viewer = report_viewer_for(request.user)
        if viewer is None:
            raise PermissionDenied
        return view(request, viewer, *args, **kwargs)

    return guarded


def _range(query: QueryDict) -> tuple[Period, str, dict[str, str]]:
    """The range and currency asked for; a bad one falls back to the default and says why."""
    errors: dict[str, str] = {}
    currency = query.get("currency", "").strip().upper()
    if currency and not (len(currency) == 3 and currency.isalpha()):
        errors["currency"] = _("Enter a three-letter currency code, e.g. USD.")
        currency = ""
    try:
        period = period_for(
            preset=query.get("preset", ""), start=query.get("start", ""), end=query.get("end", "")
        )
    except PeriodError as exc:
        errors[exc.field] = str(exc)
        period = period_for()
    return period, currency, errors


def _chosen_preset(query: QueryDict, errors: dict) -> str:
    """The preset to show as chosen: none when days were typed (they win) or the range was refused."""
    if errors or query.get("start") or query.get("end"):
        return ""
    return query.get("preset", "") or "last_30_days"


DRILL_FILTERS = ("kind", "currency", "frequency", "campaign")


@report_viewer_required
def dashboard(request: HttpRequest, viewer: ReportViewer) -> HttpResponse:
    period, currency, errors = _range(request.GET)
    converter = Converter(until=month_end(period.end), target=currency or None)
    summary = summary_for(period=period, converter=converter)
    series = mrr_series(last_month=period.end, months=SERIES_MONTHS, converter=converter)
    first_month = series.months[0].month
    months = revenue_by_month(start=first_month, end=month_end(period.end), converter=converter)
    cohorts = cohort_table(last_month=period.end, months=SERIES_MONTHS)
    by = request.GET.get("by", "campaign")
    by = by if by in DIMENSIONS else "campaign"
    attribution = attribution_report(period=period, by=by, converter=converter)
    share_months, share_years = reader_share(
        last_month=period.end, months=SERIES_MONTHS, converter=converter, revenue=months
    )
    locale = get_language() or "en"
    context = presenters.dashboard_context(
        summary=summary, series=series, months=months, cohorts=cohorts, locale=locale
    )
    context |= presenters.attribution_context(
        rows=attribution, by=by, currency=summary.currency, locale=locale
    )
    context |= presenters.share_context(
        months=share_months, years=share_years, currency=summary.currency, locale=locale
    )
    return render(
        request,
        "reporting/dashboard.html",
        {
            **context,
            "viewer": viewer,
            "presets": PRESETS,
            "chosen_preset": _chosen_preset(request.GET, errors),
            "currency": summary.currency,
            "errors": errors,
            "query": presenters.range_query(period=period, currency=currency),
        },
    )


def _drill(request: HttpRequest, viewer: ReportViewer, *, kind: str) -> HttpResponse:
    period, _currency, errors = _range(request.GET)
    filters = {
        name: request.GET.get(name, "").strip() for name in ("kind", "currency", "frequency", "campaign")
    }
    try:
        page_number = int(request.GET.get("page", "1") or "1")
    except ValueError:
        page_number = 1
    rows_of = ledger_rows if kind == "ledger" else event_rows
    try:
        page = rows_of(period=period, filters=filters, page=page_number, personal=viewer.sees_personal_data)
    except DrilldownError as exc:
        errors[exc.field] = str(exc)
        page = rows_of(period=period, filters={}, page=1, personal=viewer.sees_personal_data)
    return render(
        request,
        f"reporting/{kind}.html",
        {
            "page": page,
            "rows": presenters.drill_rows(page.rows, locale=get_language() or "en"),
            "period": period,
            "filters": filters,
            "errors": errors,
            "viewer": viewer,
            "query": presenters.range_query(period=period, currency="", extra=filters),
            "kinds": LedgerEntry.Kind.choices if kind == "ledger" else MembershipEvent.Kind.choices,
            "frequencies": Frequency.choices,
        },
        status=400 if errors else 200,
    )


@report_viewer_required
def ledger(request: HttpRequest, viewer: ReportViewer) -> HttpResponse:
    return _drill(request, viewer, kind="ledger")


@report_viewer_required
def events(request: HttpRequest, viewer: ReportViewer) -> HttpResponse:
    return _drill(request, viewer, kind="events")


def _csv_drill(request: HttpRequest, viewer: ReportViewer, *, kind: str) -> HttpResponse:
    period, _currency, errors = _range(request.GET)
    filters = {
        name: request.GET.get(name, "").strip() for name in ("kind", "currency", "frequency", "campaign")
    }
    if errors:
        return HttpResponse("; ".join(errors.values()), status=400, content_type="text/plain; charset=utf-8")
    rows_all = ledger_rows_all if kind == "ledger" else event_rows_all
    rows = rows_all(period=period, filters=filters, personal=viewer.sees_personal_data)
    try:
        first = next(rows, None)  # the filters are checked as the first row is read
    except DrilldownError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    header = presenters.drill_header(kind=kind, personal=viewer.sees_personal_data)
    every = itertools.chain([first] if first is not None else [], rows)
    return csv_response(
        filename=f"{kind}-{period.start}-{period.end}.csv",
        header=header,
        rows=([row.get(name) for name in header] for row in every),
    )


@report_viewer_required
def ledger_csv(request: HttpRequest, viewer: ReportViewer) -> HttpResponse:
    return _csv_drill(request, viewer, kind="ledger")


@report_viewer_required
def events_csv(request: HttpRequest, viewer: ReportViewer) -> HttpResponse:
    return _csv_drill(request, viewer, kind="events")


@report_viewer_required
def summary_csv(request: HttpRequest, viewer: ReportViewer) -> HttpResponse:
    period, currency, _errors = _range(request.GET)
    summary = summary_for(period=period, currency=currency or None)
    header, rows = presenters.summary_table(summary)
    return csv_response(filename=f"summary-{period.start}-{period.end}.csv", header=header, rows=rows)


@report_viewer_required
def mrr_csv(request: HttpRequest, viewer: ReportViewer) -> HttpResponse:
    period, currency, _errors = _range(request.GET)
    converter = Converter(until=month_end(period.end), target=currency or None)
    series = mrr_series(last_month=period.end, months=SERIES_MONTHS, converter=converter)
    header, rows = presenters.mrr_table(series)
    return csv_response(filename=f"mrr-{series.months[-1].month:%Y-%m}.csv", header=header, rows=rows)


@report_viewer_required
def cohorts_csv(request: HttpRequest, viewer: ReportViewer) -> HttpResponse:
    period, _currency, _errors = _range(request.GET)
    header, rows = presenters.cohort_rows(cohort_table(last_month=period.end, months=SERIES_MONTHS))
    return csv_response(filename=f"cohorts-{period.end:%Y-%m}.csv", header=header, rows=rows)
