"""Figures from reporting that banner texts quote ({reader_share_last_year}, {members}), recomputed
hourly and stored, so a decision reads them from memory and a claim is never older than the refresh.

A figure that could not be computed, or is older than LIVE_FIGURE_MAX_AGE_SECONDS (the hourly job
stopped), is missing: a text that quotes it is not shown, never shown with a stale or empty number.
"""

import re
from datetime import date, datetime, timedelta

from babel.numbers import format_decimal, format_percent
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from engagement.models import LiveFigure
from engagement.placeholders import PERCENT_FIGURES, PLACEHOLDER
from reporting.conversion import Converter
from reporting.periods import today
from reporting.reader_share import reader_share
from reporting.summary import standing_at


def _reader_share_last_year(day: date) -> int | None:
    """Readers' share of last calendar year's revenue, in basis points (8000 = 80%)."""
    december = date(day.year - 1, 12, 1)
    _months, years = reader_share(last_month=december, months=12, converter=Converter(until=december))
    share = years[-1].share if years else None
    return None if share is None else round(share * 10000)


def live_figures_compute(*, now: datetime | None = None) -> dict[str, int | None]:
    day = today() if now is None else timezone.localdate(now)
    return {
        "reader_share_last_year": _reader_share_last_year(day),
        "members": standing_at(day=day, converter=Converter(until=day)).members,
    }


def live_figures_refresh(*, now: datetime | None = None) -> dict[str, int | None]:
    """Recompute and store every figure (idempotent: the hourly job and `make run` call it)."""
    moment = now or timezone.now()
    figures = live_figures_compute(now=moment)
    with transaction.atomic():
        for name, value in figures.items():
            if value is None:
                LiveFigure.objects.filter(name=name).delete()
            else:
                LiveFigure.objects.update_or_create(
                    name=name, defaults={"value": value, "computed_at": moment}
                )
    return figures


def fresh_figures(*, now: datetime | None = None) -> dict[str, int]:
    """The stored figures not older than the allowed age (one query)."""
    oldest = (now or timezone.now()) - timedelta(seconds=settings.LIVE_FIGURE_MAX_AGE_SECONDS)
    return dict(LiveFigure.objects.filter(computed_at__gte=oldest).values_list("name", "value"))


def render_text(text: str, *, figures: dict[str, int], locale: str) -> str | None:
    """The text with its figures written as the locale writes them, or None if one is missing."""
    missing = False

    def figure(match: re.Match) -> str:
        nonlocal missing
        name = match.group(1)
        if name not in figures:
            missing = True
            return ""
        if name in PERCENT_FIGURES:
            return format_percent(figures[name] / 10000, locale=locale)
        return format_decimal(figures[name], locale=locale)

    rendered = PLACEHOLDER.sub(figure, text)
    return None if missing else rendered
