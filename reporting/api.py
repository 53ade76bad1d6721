"""The reports' JSON API for staff and their scripts: `/api/v1/reports/...` (session or bearer token).

Amounts are integer minor units of `currency`; `by_currency` holds the same figures unconverted.
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from reporting.access import ReportViewer, api_token_user, report_viewer_from_request
from reporting.attribution import AttributionError, attribution_report
from reporting.cohorts import cohort_table
from reporting.conversion import Converter
from reporting.drilldown import LEDGER_PAGE_SIZE, DrilldownError, ledger_rows
from reporting.mrr import mrr_series
from reporting.periods import Period, PeriodError, period_for, today
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


class ReportQueryError(Exception):
    """A refused or invalid report request; config/api.py answers it in the API's error shape."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def as_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


def _viewer(request: HttpRequest) -> ReportViewer:
    """Who asks: staff in the finance or reporting group, by session or bearer token; else 401/403."""
    viewer = report_viewer_from_request(request)
    if viewer is not None:
        return viewer
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer ") and api_token_user(raw=header[7:].strip()) is None:
        raise ReportQueryError(401, "invalid_token", _("This API token is not valid or was revoked."))
    raise ReportQueryError(403, "forbidden", _("Reports are for staff in the finance or reporting group."))


def _currency(value: str) -> str | None:
    """The requested reporting currency, or None for the setting's."""
    if not value:
        return None
    code = value.strip().upper()
    if len(code) == 3 and code.isalpha():
        return code
    raise ReportQueryError(400, "invalid", _("Enter a three-letter currency code, e.g. USD."), "currency")


def _months(value: int) -> int:
    if not 1 <= value <= MAX_MONTHS:
        message = _("Choose between 1 and %(max)s months.") % {"max": MAX_MONTHS}
        raise ReportQueryError(400, "invalid", message, "months")
    return value


def _period(query: RangeIn | LedgerIn) -> Period:
    try:
        return period_for(preset=query.preset, start=query.start, end=query.end)
    except PeriodError as exc:
        raise ReportQueryError(400, "invalid", str(exc), exc.field) from exc


def _period_dict(period: Period) -> dict:
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


@router.get(
    "/reports/summary",
    response={200: SummaryOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Headline revenue, MRR and member figures for a range, with the previous range and per currency",
)
def report_summary(request: HttpRequest, query: Query[RangeIn]):
    _viewer(request)
    currency = _currency(query.currency)
    period = _period(query)
    summary = summary_for(period=period, currency=currency)
    return {
        "currency": summary.currency,
        "period": _period_dict(period),
        "previous_period": _period_dict(summary.previous_period),
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
    _viewer(request)
    months = _months(query.months)
    currency = _currency(query.currency)
    now = today()
    series = mrr_series(last_month=now, months=months, converter=Converter(until=now, target=currency))
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
    _viewer(request)
    months = _months(query.months)
    return {"cohorts": [c.as_dict() for c in cohort_table(last_month=today(), months=months)]}


@router.get(
    "/reports/ledger",
    response={200: LedgerOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="The ledger entries behind a figure (donor name and email for the finance group only)",
    exclude_unset=True,  # without personal data the donor fields are absent, not null
)
def report_ledger(request: HttpRequest, query: Query[LedgerIn]):
    viewer = _viewer(request)
    period = _period(query)
    try:
        page = ledger_rows(
            period=period,
            filters=query.dict(include={"kind", "currency", "frequency", "campaign"}),
            page=query.page,
            personal=viewer.sees_personal_data,
        )
    except DrilldownError as exc:
        raise ReportQueryError(400, "invalid", str(exc), exc.field) from exc
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
    _viewer(request)
    currency = _currency(query.currency)
    period = _period(query)
    converter = Converter(until=period.end, target=currency)
    try:
        rows = attribution_report(period=period, by=query.by, converter=converter)
    except AttributionError as exc:
        raise ReportQueryError(400, "invalid", _("Choose campaign, source, ref or variant."), "by") from exc
    return {
        "currency": converter.target,
        "by": query.by,
        "period": _period_dict(period),
        "rows": [row.as_dict() for row in rows],
    }


@router.get(
    "/reports/reader-share",
    response={200: ReaderShareOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Reader revenue / (reader revenue + other revenue staff entered), per month and per year",
)
def report_reader_share(request: HttpRequest, query: Query[MrrIn]):
    _viewer(request)
    months = _months(query.months)
    now = today()
    converter = Converter(until=now, target=_currency(query.currency))
    share_months, years = reader_share(last_month=now, months=months, converter=converter)
    return {
        "currency": converter.target,
        "months": [row.as_dict() for row in share_months],
        "years": [row.as_dict() for row in years],
    }
