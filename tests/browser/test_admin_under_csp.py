"""Staff use the Django admin under the site's strict Content-Security-Policy: its scripts (actions,
filters, calendar, inlines, prepopulated slugs) run, and the browser refuses nothing. The `page` fixture
fails a test on any CSP violation. `UPDATE_SCREENSHOTS=1` refreshes docs/screenshots/admin-* and the
newsletter pages'."""

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from newsletters.links import confirm_token, preferences_token, unsubscribe_token
from newsletters.models import NewsletterSignup, SignupEvent
from payments.models import Contribution, LedgerEntry
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import ContributionFactory, ContributorFactory, UserFactory
from tests.newsletters.factories import NewsletterFactory, SignupFactory

pytestmark = [pytest.mark.browser]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
EMAIL, PASSWORD = "admin@example.org", "correct horse battery staple"


def screenshot(page, name: str) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def admin_site(site, settings):
    """The live site with a superuser and a few gifts, a ledger entry and a newsletter sign-up."""
    settings.STAFF_MFA_REQUIRED = False
    user = UserFactory(email=EMAIL, is_staff=True, is_superuser=True, name="Site Admin")
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    for n, currency in enumerate(("USD", "EUR", "UAH", "JPY")):
        contribution = ContributionFactory(
            contributor=ContributorFactory(email=f"giver{n}@example.org"),
            currency=currency,
            amount_minor=2500,
            status=Contribution.Status.SUCCEEDED,
            stripe_payment_intent_id=f"pi_admin_{n}",
            campaign="winter",
            succeeded_at=datetime(2026, 11, 20 + n, tzinfo=UTC),
        )
        LedgerEntry.objects.create(
            kind="charge",
            stripe_object_id=f"ch_admin_{n}",
            amount_minor=2500,
            currency=currency,
            contribution=contribution,
            contributor=contribution.contributor,
            campaign="winter",
            occurred_at=contribution.succeeded_at,
        )
    newsletter = NewsletterFactory(slug="ukraine-daily", name="Ukraine Daily")
    signup = SignupFactory(newsletter=newsletter, email="olena@example.org")
    SignupEvent.objects.create(
        signup=signup, kind=SignupEvent.Kind.REQUESTED, at=signup.consent_at, how="page"
    )
    return site


def log_in(page, site: str) -> None:
    page.goto(f"{site}/accounts/login/?next=/admin/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in|log in", re.IGNORECASE)).click()
    expect(page.locator("#site-name")).to_be_visible()


def test_a_filtered_and_searched_changelist_runs_its_scripts(page, admin_site):
    page.set_viewport_size(DESKTOP)
    log_in(page, admin_site)

    page.goto(f"{admin_site}/admin/payments/contribution/?status__exact=succeeded&q=giver")
    expect(page.locator("#result_list tbody tr")).to_have_count(4)
    expect(page.locator("#changelist-filter")).to_contain_text("By status")
    expect(page.locator("#searchbar")).to_have_value("giver")
    page.locator("#action-toggle").check()

    expect(page.locator("#result_list tbody input.action-select:checked")).to_have_count(4)
    expect(page.locator(".action-counter")).to_contain_text("4 of 4 selected")
    actions = page.locator('select[name="action"] option').all_inner_texts()
    assert not any("Delete" in action for action in actions)
    screenshot(page, "admin-changelist-desktop")

    page.locator("#action-toggle").uncheck()
    expect(page.locator("#result_list tbody input.action-select:checked")).to_have_count(0)
    page.locator("#changelist-filter").get_by_role("link", name="EUR").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)


def test_a_read_only_money_page_shows_no_save_button(page, admin_site):
    page.set_viewport_size(DESKTOP)
    log_in(page, admin_site)
    contribution = Contribution.objects.get(currency="EUR")

    page.goto(f"{admin_site}/admin/payments/contribution/{contribution.pk}/change/")

    expect(page.locator(".field-amount .readonly")).to_have_text("€25.00")
    expect(page.get_by_role("link", name="Refund…")).to_be_visible()
    expect(page.locator('input[name="_save"]')).to_have_count(0)
    screenshot(page, "admin-contribution-desktop")


def test_a_change_page_with_a_calendar_an_inline_and_a_prepopulated_slug(page, admin_site):
    page.set_viewport_size(DESKTOP)
    log_in(page, admin_site)
    page.goto(f"{admin_site}/admin/engagement/bannermessage/add/")

    page.locator("#id_name").press_sequentially("Winter appeal")  # prepopulate.js listens to keyup
    expect(page.locator("#id_slug")).to_have_value("winter-appeal")
    page.locator("#calendarlink0").click()
    expect(page.locator("#calendarbox0")).to_be_visible()
    page.locator("#calendarbox0").get_by_role("link", name="Today").click()
    expect(page.locator("#id_starts_at_0")).not_to_have_value("")
    page.locator(".field-starts_at").get_by_role("link", name="Now").click()
    expect(page.locator("#id_starts_at_1")).not_to_have_value("")
    forms = page.locator(".inline-related:not(.empty-form)")
    before = forms.count()
    page.locator(".inline-group .add-row a").click()

    expect(forms).to_have_count(before + 1)
    screenshot(page, "admin-change-desktop")


def test_the_newsletter_admin_pages(page, admin_site):
    page.set_viewport_size(DESKTOP)
    log_in(page, admin_site)
    newsletter_pk = NewsletterSignup.objects.get().newsletter_id

    page.goto(f"{admin_site}/admin/newsletters/newsletter/{newsletter_pk}/change/")
    expect(page.locator(".field-embed_code")).to_contain_text("ukraine-daily")
    screenshot(page, "newsletter-admin-newsletter-desktop")

    page.goto(f"{admin_site}/admin/newsletters/newslettersignup/?q=olena")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    screenshot(page, "newsletter-admin-signups-desktop")

    page.locator("#result_list tbody").get_by_role("link", name="olena@example.org").click()
    expect(page.locator(".field-email .readonly")).to_have_text("olena@example.org")
    expect(page.locator('input[name="_save"]')).to_have_count(0)
    screenshot(page, "newsletter-admin-signup-desktop")


def test_the_newsletter_reader_pages_under_the_policy(page, admin_site):
    page.set_viewport_size(PHONE)
    signup = NewsletterSignup.objects.get()
    public_id = str(signup.public_id)
    pages = {
        "confirm-phone": (f"confirm/{confirm_token(public_ids=[public_id])}/", "Confirm your sign-up"),
        "unsubscribe-phone": (f"unsubscribe/{unsubscribe_token(public_id=public_id)}/", "Unsubscribe"),
        "preferences-phone": (f"preferences/{preferences_token(email=signup.email)}/", "Your newsletters"),
        "link-problem-phone": ("confirm/not-a-real-link/", "This link does not work"),
    }

    for name, (path, heading) in pages.items():
        page.goto(f"{admin_site}/newsletters/{path}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        screenshot(page, f"newsletter-{name}")
