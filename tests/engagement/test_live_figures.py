"""The live figures banner texts quote: computed from reporting, stored hourly, never shown stale."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from engagement.live_figures import fresh_figures, live_figures_refresh, render_text
from engagement.models import LiveFigure
from membership.models import MembershipEvent
from reporting.models import OtherRevenue
from tests.reporting.book import event, gift, member

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=ZoneInfo("UTC"))


def test_reader_share_last_year_is_last_calendar_years_reader_revenue_over_all_revenue():
    gift(amount=80_000, on=datetime(2025, 5, 3, tzinfo=ZoneInfo("UTC")))
    gift(amount=99_999, on=datetime(2026, 2, 3, tzinfo=ZoneInfo("UTC")))  # this year: not counted
    OtherRevenue.objects.create(
        month=date(2025, 9, 1), category="grants", amount_minor=20_000, currency="USD"
    )
    figures = live_figures_refresh(now=NOW)
    assert figures["reader_share_last_year"] == 8000
    assert LiveFigure.objects.get(name="reader_share_last_year").value == 8000


def test_members_is_todays_member_count():
    for _ in range(3):
        event(member(amount=1000), MembershipEvent.Kind.STARTED, on=timezone.now() - timedelta(days=2))
    assert live_figures_refresh()["members"] == 3


def test_a_figure_that_cannot_be_computed_is_removed_not_kept_stale():
    LiveFigure.objects.create(
        name="reader_share_last_year", value=9100, computed_at=NOW - timedelta(days=400)
    )
    live_figures_refresh(now=NOW)  # no revenue last year: no share
    assert not LiveFigure.objects.filter(name="reader_share_last_year").exists()


def test_refreshing_twice_keeps_one_row_per_figure():
    live_figures_refresh(now=NOW)
    live_figures_refresh(now=NOW + timedelta(hours=1))
    assert LiveFigure.objects.filter(name="members").count() == 1


def test_a_figure_older_than_the_allowed_age_is_not_fresh(settings):
    settings.LIVE_FIGURE_MAX_AGE_SECONDS = 3 * 3600
    LiveFigure.objects.create(name="members", value=10, computed_at=NOW - timedelta(hours=3, minutes=1))
    assert fresh_figures(now=NOW) == {}


def test_a_text_quoting_a_missing_figure_is_not_rendered():
    assert render_text("{members} readers", figures={}, locale="en") is None
    assert render_text("No figures here", figures={}, locale="en") == "No figures here"
