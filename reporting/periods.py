"""Date ranges in the newsroom's days: the presets staff pick, a custom range, and the period before."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reporting.rollups import local_day

PRESETS = {
    "this_month": _("This month"),
    "last_month": _("Last month"),
    "last_30_days": _("Last 30 days"),
    "last_90_days": _("Last 90 days"),
    "year_to_date": _("Year to date"),
    "last_12_months": _("Last 12 months"),
    "custom": _("Custom"),
}
DEFAULT_PRESET = "last_30_days"
LONGEST_RANGE_DAYS = 366 * 10


class PeriodError(ValueError):
    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of equal length just before this one (what each figure is compared with)."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))


def newsroom_zone() -> ZoneInfo:
    return ZoneInfo(settings.REPORTING_TIME_ZONE)


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The first moment of `start` and the first moment after `end`, in the newsroom's time zone."""
    zone = newsroom_zone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def today() -> date:
    return local_day(timezone.now())


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    return add_months(day, 1) - timedelta(days=1)


def period_for(*, preset: str = "", start: str = "", end: str = "", now: date | None = None) -> Period:
    """The period a preset names (in the newsroom's days), or a custom start and end (YYYY-MM-DD)."""
    now = now or today()
    if start or end or preset == "custom":
        return _custom(start, end)
    preset = preset or DEFAULT_PRESET
    if preset == "this_month":
        return Period(month_start(now), now)
    if preset == "last_month":
        first = add_months(now, -1)
        return Period(first, month_end(first))
    if preset == "last_30_days":
        return Period(now - timedelta(days=29), now)
    if preset == "last_90_days":
        return Period(now - timedelta(days=89), now)
    if preset == "year_to_date":
        return Period(date(now.year, 1, 1), now)
    if preset == "last_12_months":
        return Period(add_months(now, -11), now)
    raise PeriodError(str(_("Choose one of the ranges offered.")), field="range")


def _parse(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PeriodError(str(_("Enter the date as YYYY-MM-DD.")), field=field) from None


def _custom(start: str, end: str) -> Period:
    if not start:
        raise PeriodError(str(_("Enter the first day of the range.")), field="start")
    if not end:
        raise PeriodError(str(_("Enter the last day of the range.")), field="end")
    period = Period(_parse(start, "start"), _parse(end, "end"))
    if period.end < period.start:
        raise PeriodError(str(_("The last day must not be before the first.")), field="end")
    if period.days > LONGEST_RANGE_DAYS:
        raise PeriodError(str(_("Choose a range of at most ten years.")), field="start")
    return period
