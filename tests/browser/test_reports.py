"""What finance staff click on the dashboard, on the live site with seeded history;
`UPDATE_SCREENSHOTS=1` refreshes docs/screenshots/reports-*."""

import csv
import io
import os
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from reporting.seeding import seed_history
from tests.browser.conftest import DESKTOP, PHONE, make_page
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
EMAIL, PASSWORD = "finance@example.org", "correct horse battery staple"


@pytest.fixture
def dashboard_site(live_server, transactional_db):
    """The live site with 14 months of seeded history and a finance staff member."""
    seed_history(members=80, contributions=900, months=14, seed=7)
    user = UserFactory(email=EMAIL, is_staff=True, name="Finance Staff")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    # A transactional test empties the tables, the groups' migration rows too: make the group again.
    user.groups.add(Group.objects.get_or_create(name="finance")[0])
    return live_server.url


def log_in(page, site):
    page.goto(f"{site}/accounts/login/?next=/staff/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in|log in", re.IGNORECASE)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reader revenue")


def test_finance_changes_the_range_drills_into_gross_and_downloads_the_csv(browser, settings, dashboard_site):
    context, page = make_page(browser, settings, DESKTOP, accept_downloads=True)
    try:
        log_in(page, dashboard_site)
        page.get_by_label("Range", exact=True).select_option("last_month")
        page.get_by_role("button", name="Show").click()
        expect(page).to_have_url(re.compile(r"preset=last_month"))
        expect(page.get_by_label("Range", exact=True)).to_have_value("last_month")
        gross = page.locator('[data-figure="gross_minor"]').inner_text()

        page.get_by_role("link", name="The entries behind Gross").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Ledger entries")
        assert page.locator("table.report-table tbody tr").count() > 0
        expect(page.locator("table.report-table")).to_contain_text("@seed.example")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download CSV").click()
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
        assert rows
        assert {row["kind"] for row in rows} == {"charge"}
        assert all(row["donor_email"].endswith("@seed.example") for row in rows)
        assert gross.startswith("$")
    finally:
        context.close()


@pytest.mark.parametrize(("name", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_dashboard_fits_the_screen_and_draws_its_charts(
    browser, settings, dashboard_site, name, viewport
):
    context, page = make_page(browser, settings, viewport)
    try:
        log_in(page, dashboard_site)
        page.goto(f"{dashboard_site}/staff/?preset=last_12_months")

        assert page.locator("figure.chart svg").count() == 4
        assert page.locator("figure.chart svg rect").count() > 10
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        if os.environ.get("UPDATE_SCREENSHOTS") == "1":
            page.screenshot(path=str(SCREENSHOTS / f"reports-dashboard-{name}.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize(("name", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_drill_down_pages_fit_the_screen(browser, settings, dashboard_site, name, viewport):
    context, page = make_page(browser, settings, viewport)
    try:
        log_in(page, dashboard_site)
        for kind in ("ledger", "events"):
            page.goto(f"{dashboard_site}/staff/reports/{kind}?preset=last_12_months")

            assert page.locator("table.report-table tbody tr").count() > 0
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            if os.environ.get("UPDATE_SCREENSHOTS") == "1":
                page.screenshot(path=str(SCREENSHOTS / f"reports-{kind}-{name}.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize(("name", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_staff_upload_exchange_rates_in_the_admin(
    browser, settings, dashboard_site, name, viewport, tmp_path
):
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True, name="Admin")
    EmailAddress.objects.create(user=admin, email=admin.email, verified=True, primary=True)
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "day,currency,quote_currency,rate\n2026-11-30,EUR,USD,1.0850\n2026-11-30,UAH,USD,0.0242\n"
    )
    context, page = make_page(browser, settings, viewport)
    try:
        page.goto(f"{dashboard_site}/accounts/login/?next=/admin/reporting/exchangerate/upload/")
        page.get_by_label("Email").fill(admin.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name=re.compile("sign in|log in", re.IGNORECASE)).click()
        expect(page).to_have_url(re.compile(r"/admin/reporting/exchangerate/upload/"))
        if os.environ.get("UPDATE_SCREENSHOTS") == "1":
            page.screenshot(path=str(SCREENSHOTS / f"reports-rates-upload-{name}.png"), full_page=True)

        page.locator('input[type="file"]').set_input_files(str(rates))
        page.get_by_role("button", name=re.compile("upload", re.IGNORECASE)).click()

        expect(page.locator(".messagelist")).to_contain_text("2")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    finally:
        context.close()
