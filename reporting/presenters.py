"""What the report pages and CSVs show: figures formatted per locale with Babel, charts, tables."""

from datetime import date
from urllib.parse import urlencode

from babel.numbers import format_decimal, format_percent
from django.utils.translation import gettext as _

from payments.money import format_money
from reporting import charts
from reporting.attribution import AttributionRow
from reporting.cohorts import Cohort
from reporting.definitions import DEFINITIONS, MOVEMENT_DEFINITIONS, RATE_DEFINITIONS
from reporting.mrr import MOVEMENTS, MrrSeries
from reporting.periods import Period
from reporting.reader_share import ShareRow
from reporting.revenue import Revenue
from reporting.summary import HEADLINES, Summary

NOT_KNOWN = "\N{EN DASH}"
MINUS = "\N{MINUS SIGN}"
MONEY = {name for name in HEADLINES if name.endswith("_minor")}
CARDS = [
    ("gross_minor", "charge"),
    ("net_minor", ""),
    ("refunds_minor", "refund"),
    ("disputes_minor", "dispute"),
    ("fees_minor", "fee"),
    ("one_off_gifts", "charge"),
    ("average_one_off_minor", "charge"),
    ("median_one_off_minor", "charge"),
    ("mrr_minor", ""),
    ("arr_minor", ""),
    ("members", ""),
    ("arpm_minor", ""),
]
LEDGER_HEADER = [
    "occurred_at",
    "kind",
    "amount_minor",
    "currency",
    "settlement_amount_minor",
    "settlement_currency",
    "frequency",
    "campaign",
    "contribution",
    "stripe_object_id",
]
EVENT_HEADER = [
    "occurred_at",
    "kind",
    "membership",
    "monthly_amount_minor",
    "previous_monthly_amount_minor",
    "currency",
    "interval",
    "cause",
    "reason",
]
PERSONAL = ["donor_name", "donor_email"]


def range_query(*, period: Period, currency: str, extra: dict | None = None) -> str:
    params = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    if currency:
        params["currency"] = currency
    params.update({k: v for k, v in (extra or {}).items() if v})
    return urlencode(params)


def _value(name: str, value, currency: str, locale: str) -> str:
    if value is None:
        return NOT_KNOWN
    if name in MONEY:
        return format_money(value, currency, locale)
    return format_decimal(value, locale=locale)


def _change(name: str, change: dict, currency: str, locale: str) -> dict:
    difference, ratio = change["difference"], change["ratio"]
    if difference is None:
        return {"text": "", "direction": "none"}
    shown = _value(name, abs(difference), currency, locale)
    sign = "+" if difference > 0 else (MINUS if difference < 0 else "±")
    percent = (
        f" ({format_percent(abs(ratio), locale=locale, format='#,##0.0%')})" if ratio is not None else ""
    )
    return {
        "text": f"{sign}{shown}{percent}",
        "direction": "up" if difference > 0 else "down" if difference < 0 else "flat",
    }


def _cards(summary: Summary, locale: str) -> list[dict]:
    figures, changes = summary.figures(), summary.changes()
    cards = []
    for name, kind in CARDS:
        label, definition = DEFINITIONS[name]
        cards.append(
            {
                "name": name,
                "label": label,
                "definition": definition,
                "value": _value(name, figures.get(name), summary.currency, locale),
                "change": _change(name, changes[name], summary.currency, locale),
                "drill_kind": kind,
            }
        )
    return cards


def _money_fmt(currency: str, locale: str):
    return lambda value: format_money(value, currency, locale)


def dashboard_context(
    *, summary: Summary, series: MrrSeries, months: dict[date, Revenue], cohorts: list[Cohort], locale: str
) -> dict:
    currency = summary.currency
    money = _money_fmt(currency, locale)
    labels = [m.month.strftime("%m/%y") for m in series.months]
    revenue_rows = [months.get(m.month) or Revenue(currency) for m in series.months]
    churn, churn_months = series.churn_average()
    latest = series.latest
    arpm = summary.standing.arpm_minor
    ltv = int(arpm / churn) if (arpm is not None and churn) else None
    return {
        "summary": summary,
        "cards": _cards(summary, locale),
        "by_currency": [
            {**row, **{k: _value(k, v, row["currency"], locale) for k, v in row.items() if k in MONEY}}
            for row in summary.by_currency()
        ],
        "revenue_chart": charts.stacked_bars(
            title="revenue",
            labels=labels,
            series=[
                (
                    "bar-one-off",
                    str(DEFINITIONS["one_off_minor"][0]),
                    [r.one_off_minor for r in revenue_rows],
                ),
                (
                    "bar-recurring",
                    str(DEFINITIONS["recurring_minor"][0]),
                    [r.recurring_minor for r in revenue_rows],
                ),
            ],
            fmt=money,
            value_fmt=money,
        ),
        "revenue_rows": [
            {
                "month": m.month,
                "one_off": money(r.one_off_minor),
                "recurring": money(r.recurring_minor),
                "refunds": money(r.refunds_minor),
                "net": money(r.net_minor),
            }
            for m, r in zip(series.months, revenue_rows, strict=True)
        ],
        "mrr_chart": charts.line(
            title="MRR",
            labels=labels,
            values=[m.end_minor for m in series.months],
            fmt=money,
            value_fmt=money,
        ),
        "movements_chart": charts.stacked_bars(
            title="movements",
            labels=labels,
            series=[
                (f"bar-{name}", name, [m.movements_minor.get(name, 0) for m in series.months])
                for name in MOVEMENTS
            ],
            fmt=money,
            value_fmt=money,
        ),
        "members_chart": charts.line(
            title="members",
            labels=labels,
            values=[m.members_end for m in series.months],
            fmt=lambda v: format_decimal(v, locale=locale),
            value_fmt=lambda v: format_decimal(v, locale=locale),
            css="line-members",
        ),
        "mrr_rows": [
            {
                "month": m.month,
                "start": money(m.start_minor),
                "movements": [money(m.movements_minor.get(name, 0)) for name in MOVEMENTS],
                "rounding": money(m.conversion_rounding_minor) if m.conversion_rounding_minor else "",
                "end": money(m.end_minor),
                "members_start": m.members_start,
                "members_new": m.member_movements.get("new", 0),
                "members_reactivated": m.member_movements.get("reactivated", 0),
                "members_churned": m.members_churned,
                "members_end": m.members_end,
                "member_churn": _percent(m.member_churn_rate, locale),
                "revenue_churn": _percent(m.revenue_churn_rate, locale),
                "saves": m.saves,
            }
            for m in series.months
        ],
        "movements": [(name, MOVEMENT_DEFINITIONS[name]) for name in MOVEMENTS],
        "rates": RATE_DEFINITIONS,
        "rate_day": series.rate_day,
        "ltv": money(ltv) if ltv is not None else None,
        "ltv_churn": _percent(churn, locale),
        "ltv_months": churn_months,
        "latest": latest,
        "cohorts": [
            {
                "month": c.month,
                "members": c.members,
                "cells": [
                    {
                        "text": _percent(share, locale) if share is not None else "",
                        "css": charts.heat_class(share),
                    }
                    for share in c.shares()
                ],
            }
            for c in cohorts
        ],
        "cohort_offsets": list(range(1, 13)),
        "unconverted": sorted(set(summary.unconverted_currencies) | set(series.unconverted_currencies)),
    }


def _percent(value: float | None, locale: str) -> str:
    return format_percent(value, locale=locale, format="#,##0.0%") if value is not None else NOT_KNOWN


def drill_header(*, kind: str, personal: bool) -> list[str]:
    return [*(LEDGER_HEADER if kind == "ledger" else EVENT_HEADER), *(PERSONAL if personal else [])]


def drill_rows(rows: list[dict], *, locale: str) -> list[dict]:
    shown = []
    for row in rows:
        amount = row.get("amount_minor", row.get("monthly_amount_minor"))
        when = row["occurred_at"][:16].replace("T", " ")
        shown.append({**row, "amount": format_money(amount, row["currency"], locale), "when": when})
    return shown


def summary_table(summary: Summary) -> tuple[list[str], list[list]]:
    header = ["figure", "currency", "value", "previous", "difference", "definition"]
    now, before, changes = summary.figures(), summary.previous_figures(), summary.changes()
    rows = [
        [
            name,
            summary.currency,
            now.get(name),
            before.get(name),
            changes[name]["difference"],
            str(DEFINITIONS.get(name, ("", ""))[1]),
        ]
        for name in HEADLINES
    ]
    for row in summary.by_currency():
        rows.extend(
            [name, row["currency"], value, None, None, ""]
            for name, value in row.items()
            if name != "currency"
        )
    return header, rows


def mrr_table(series: MrrSeries) -> tuple[list[str], list[list]]:
    first = series.months[0].as_dict() if series.months else {}
    header = [name for name in first if name != "by_currency"]
    return header, [[m.as_dict()[name] for name in header] for m in series.months]


def cohort_rows(cohorts: list[Cohort]) -> tuple[list[str], list[list]]:
    header = ["cohort", "members", *[f"month_{n}" for n in range(1, 13)]]
    return header, [[c.month.strftime("%Y-%m"), c.members, *c.retained] for c in cohorts]


def attribution_context(*, rows: list[AttributionRow], by: str, currency: str, locale: str) -> dict:
    return {
        "attribution_by": by,
        "attribution_dimensions": [
            ("campaign", _("Campaign")),
            ("source", _("Source")),
            ("ref", _("Article")),
            ("variant", _("Banner variant")),
        ],
        "attribution_rows": [
            {
                "value": row.value or _("(none)"),
                "gifts": row.gifts,
                "revenue": format_money(row.revenue_minor, currency, locale),
                "new_members": row.new_members,
                "retention": _percent(row.retention_share, locale),
            }
            for row in rows
        ],
    }


def share_context(*, months: list[ShareRow], years: list[ShareRow], currency: str, locale: str) -> dict:
    def shown(row: ShareRow) -> dict:
        return {
            "label": row.label,
            "reader": format_money(row.reader_minor, currency, locale),
            "other": format_money(row.other_minor, currency, locale),
            "share": _percent(row.share, locale),
        }

    return {"share_months": [shown(r) for r in months], "share_years": [shown(r) for r in years]}
