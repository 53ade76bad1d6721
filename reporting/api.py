"""The reports' JSON API for staff and their scripts: `/api/v1/reports/...` (session or bearer token).

Amounts are integer minor units of `currency`; `by_currency` holds the same figures unconverted.
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from reporting.access import api_token_user, report_viewer_from_request
from reporting.attribution import AttributionError, attribution_report
from reporting.cohorts import cohort_table
from reporting.conversion import Converter
from reporting.drilldown import LEDGER_PAGE_SIZE, DrilldownError, ledger_rows
from reporting.mrr import mrr_series
from reporting.periods import PeriodError, period_for, today
from reporting.reader_share import reader_share
from reporting.summary import summary_for

router = Router(tags=["reports"])
MAX_MONTHS = 120


class ErrorDetail(Schema):  # the API's one error shape (config/api.py)
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: ErrorDetail


class RangeIn(Schema):
    start: str = ""
    end: str = ""
    preset: str = ""
    currency: str = ""


class FiguresOut(Schema):
    currency: str
    gross_minor: int = 0
    refunds_minor: int = 0
    disputes_minor: int = 0
    fees_minor: int = 0
    net_minor: int = 0
    one_off_minor: int = 0
    recurring_minor: int = 0
    gifts: int = 0
    one_off_gifts: int = 0
    recurring_payments: int = 0
    average_one_off_minor: int | None = None
    median_one_off_minor: int | None = None
    mrr_minor: int | None = None
    arr_minor: int | None = None
    members: int | None = None
    arpm_minor: int | None = None


class ChangeOut(Schema):
    difference: int | None
    ratio: float | None


class PeriodOut(Schema):
    start: str
    end: str


class SummaryOut(Schema):
    currency: str
    period: PeriodOut
    previous_period: PeriodOut
    figures: FiguresOut
    previous: FiguresOut
    change: dict[str, ChangeOut]
    by_currency: list[FiguresOut]
    unconverted_currencies: list[str]


class MrrIn(Schema):
    months: int = 12
    currency: str = ""


class MrrMonthOut(Schema):
    month: str
    mrr_start_minor: int
    mrr_end_minor: int
    new_minor: int
    expansion_minor: int
    contraction_minor: int
    churned_minor: int
    reactivated_minor: int
    conversion_rounding_minor: int
    members_start: int
    members_end: int
    members_new: int
    members_reactivated: int
    members_churned: int
    members_paused: int
    members_resumed: int
    saves: int
    member_churn_rate: float | None
    revenue_churn_rate: float | None
    by_currency: list[dict]


class MrrOut(Schema):
    currency: str
    rates_of: str
    months: list[MrrMonthOut]
    unconverted_currencies: list[str]


class CohortIn(Schema):
    months: int = 12


class CohortOut(Schema):
    cohort: str
    members: int
    retained: list[int | None]
    retained_share: list[float | None]


class CohortsOut(Schema):
    cohorts: list[CohortOut]


class LedgerIn(Schema):
    start: str = ""
    end: str = ""
    preset: str = ""
    kind: str = ""
    currency: str = ""
    frequency: str = ""
    campaign: str = ""
    page: int = 1


class LedgerRowOut(Schema):
    occurred_at: str
    kind: str
    amount_minor: int
    currency: str
    settlement_amount_minor: int | None
    settlement_currency: str
    frequency: str
    campaign: str
    contribution: str | None
    stripe_object_id: str
    donor_name: str | None = None
    donor_email: str | None = None


class LedgerOut(Schema):
    page: int
    pages: int
    count: int
    page_size: int
    rows: list[LedgerRowOut]


def _error(status: int, code: str, message: str, field: str | None = None):
    return Status(status, {"error": {"code": code, "message": message, "field": field}})


def _refused(request: HttpRequest):
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer ") and api_token_user(raw=header[7:].strip()) is None:
        return _error(401, "invalid_token", _("This API token is not valid or was revoked."))
    return _error(403, "forbidden", _("Reports are for staff in the finance or reporting group."))


def _currency(value: str) -> str | None:
    code = value.strip().upper()
    return code if len(code) == 3 and code.isalpha() else None


def _months(value: int):
    if not 1 <= value <= MAX_MONTHS:
        return _error(
            400, "invalid", _("Choose between 1 and %(max)s months.") % {"max": MAX_MONTHS}, "months"
        )
    return None


@router.get(
    "/reports/summary",
    response={200: SummaryOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Headline revenue, MRR and member figures for a range, with the previous range and per currency",
)
def report_summary(request: HttpRequest, query: Query[RangeIn]):
    viewer = report_viewer_from_request(request)
    if viewer is None:
        return _refused(request)
    currency = _currency(query.currency) if query.currency else ""
    if currency is None:
        return _error(400, "invalid", _("Enter a three-letter currency code, e.g. USD."), "currency")
    try:
        period = period_for(preset=query.preset, start=query.start, end=query.end)
    except PeriodError as exc:
        return _error(400, "invalid", str(exc), exc.field)
    summary = summary_for(period=period, currency=currency or None)
    return {
        "currency": summary.currency,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "previous_period": {
            "start": summary.previous_period.start.isoformat(),
            "end": summary.previous_period.end.isoformat(),
        },
        "figures": summary.figures(),
        "previous": summary.previous_figures(),
        "change": summary.changes(),
        "by_currency": summary.by_currency(),
        "unconverted_currencies": summary.unconverted_currencies,
    }


@router.get(
    "/reports/mrr",
    response={200: MrrOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="MRR per month with its movements (new, expansion, contraction, churn, reactivation), members",
)
def report_mrr(request: HttpRequest, query: Query[MrrIn]):
    viewer = report_viewer_from_request(request)
    if viewer is None:
        return _refused(request)
    if (refusal := _months(query.months)) is not None:
        return refusal
    currency = _currency(query.currency) if query.currency else ""
    if currency is None:
        return _error(400, "invalid", _("Enter a three-letter currency code, e.g. USD."), "currency")
    now = today()
    series = mrr_series(
        last_month=now, months=query.months, converter=Converter(until=now, target=currency or None)
    )
    return {
        "currency": series.currency,
        "rates_of": series.rate_day.isoformat(),
        "months": [month.as_dict() for month in series.months],
        "unconverted_currencies": series.unconverted_currencies,
    }


@router.get(
    "/reports/cohorts",
    response={200: CohortsOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Retention cohorts: members by month of first payment, and how many stay 1-12 months later",
)
def report_cohorts(request: HttpRequest, query: Query[CohortIn]):
    viewer = report_viewer_from_request(request)
    if viewer is None:
        return _refused(request)
    if (refusal := _months(query.months)) is not None:
        return refusal
    return {"cohorts": [c.as_dict() for c in cohort_table(last_month=today(), months=query.months)]}


@router.get(
    "/reports/ledger",
    response={200: LedgerOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="The ledger entries behind a figure (donor name and email for the finance group only)",
    exclude_unset=True,  # without personal data the donor fields are absent, not null
)
def report_ledger(request: HttpRequest, query: Query[LedgerIn]):
    viewer = report_viewer_from_request(request)
    if viewer is None:
        return _refused(request)
    try:
        period = period_for(preset=query.preset, start=query.start, end=query.end)
        page = ledger_rows(
            period=period,
            filters=query.dict(include={"kind", "currency", "frequency", "campaign"}),
            page=query.page,
            personal=viewer.sees_personal_data,
        )
    except (PeriodError, DrilldownError) as exc:
        return _error(400, "invalid", str(exc), exc.field)
    return {
        "page": page.number,
        "pages": page.pages,
        "count": page.count,
        "page_size": LEDGER_PAGE_SIZE,
        "rows": page.rows,
    }


class AttributionIn(RangeIn):
    by: str = "campaign"


class AttributionRowOut(Schema):
    value: str
    gifts: int
    one_off_gifts: int
    revenue_minor: int
    new_members: int
    members_retained_3_months: int
    members_started_90_days_ago_or_more: int
    retention_3_months: float | None


class AttributionOut(Schema):
    currency: str
    by: str
    period: PeriodOut
    rows: list[AttributionRowOut]


class ShareRowOut(Schema):
    period: str
    reader_minor: int
    other_minor: int
    other_by_category: dict[str, int]
    reader_share: float | None


class ReaderShareOut(Schema):
    currency: str
    months: list[ShareRowOut]
    years: list[ShareRowOut]


@router.get(
    "/reports/attribution",
    response={200: AttributionOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Gifts, revenue, new members and 3-month retention by campaign, source or referring article",
)
def report_attribution(request: HttpRequest, query: Query[AttributionIn]):
    viewer = report_viewer_from_request(request)
    if viewer is None:
        return _refused(request)
    currency = _currency(query.currency) if query.currency else ""
    if currency is None:
        return _error(400, "invalid", _("Enter a three-letter currency code, e.g. USD."), "currency")
    try:
        period = period_for(preset=query.preset, start=query.start, end=query.end)
        converter = Converter(until=period.end, target=currency or None)
        rows = attribution_report(period=period, by=query.by, converter=converter)
    except PeriodError as exc:
        return _error(400, "invalid", str(exc), exc.field)
    except AttributionError:
        return _error(400, "invalid", _("Choose campaign, source or ref."), "by")
    return {
        "currency": converter.target,
        "by": query.by,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "rows": [row.as_dict() for row in rows],
    }


@router.get(
    "/reports/reader-share",
    response={200: ReaderShareOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Reader revenue / (reader revenue + other revenue staff entered), per month and per year",
)
def report_reader_share(request: HttpRequest, query: Query[MrrIn]):
    viewer = report_viewer_from_request(request)
    if viewer is None:
        return _refused(request)
    if (refusal := _months(query.months)) is not None:
        return refusal
    currency = _currency(query.currency) if query.currency else ""
    if currency is None:
        return _error(400, "invalid", _("Enter a three-letter currency code, e.g. USD."), "currency")
    now = today()
    converter = Converter(until=now, target=currency or None)
    months, years = reader_share(last_month=now, months=query.months, converter=converter)
    return {
        "currency": converter.target,
        "months": [row.as_dict() for row in months],
        "years": [row.as_dict() for row in years],
    }
