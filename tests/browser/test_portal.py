"""What a member clicks in the portal, on the live site and localstripe; `UPDATE_SCREENSHOTS=1` refreshes
docs/screenshots/portal-*."""

import os
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from playwright.sync_api import expect

from membership.models import Membership, MembershipEvent, SaveOffer
from payments.emails import contribution_receipt_send
from payments.models import Contribution
from tests.browser.conftest import DESKTOP, PHONE, make_page
from tests.browser.test_account_pages import OVERFLOWING
from tests.browser.test_support_checkout import CARD_NUMBER, card_input, fill_card
from tests.factories import UserFactory
from tests.portal.members import live_member, stripe_subscription

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
READER = "member@example.org"


@pytest.fixture
def member(site):
    """A signed-up reader (verified email) with a $10.00 monthly membership on localstripe."""
    user = UserFactory(email=READER, name="Olena Petrenko")
    EmailAddress.objects.create(user=user, email=READER, verified=True, primary=True)
    return live_member(amount=1000, user=user, email=READER)


def signed_in_page(browser, settings, client, site, viewport=PHONE):
    """A browser already signed in as the member (the sign-in itself is shown by the code test)."""
    client.force_login(Membership.objects.get().contributor.user)
    context, page = make_page(browser, settings, viewport)
    host = site.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    return context, page


def screenshot(page, name):
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOTS / f"portal-{name}.png"), full_page=True)


def membership_card(page):
    return page.locator("section.portal-card").first


def test_member_signs_in_by_code_and_changes_the_amount(browser, settings, site, member):
    context, page = make_page(browser, settings, PHONE)
    try:
        page.goto(f"{site}/account/")
        page.get_by_role("link", name=re.compile("sign-in code", re.IGNORECASE)).first.click()
        page.get_by_label("Email").fill(READER)
        page.get_by_role("button", name="Request Code").click()
        code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.MULTILINE)
        assert code, mail.outbox[-1].body
        page.get_by_label("Code").fill(code.group(1))
        page.get_by_role("button", name="Confirm").click()

        expect(page.get_by_role("heading", name="Your memberships")).to_be_visible()
        expect(membership_card(page).locator('[data-field="amount"]')).to_have_text("$10.00 a month")
        screenshot(page, "overview-phone")
        page.get_by_role("link", name="Change amount or frequency").click()
        page.get_by_label(re.compile("Or another amount")).fill("15")
        page.get_by_role("button", name="Review the change").click()
        expect(page.locator("#change-explained")).to_contain_text("$15.00")
        page.get_by_role("button", name=re.compile("^Confirm")).click()

        expect(membership_card(page).locator('[data-field="amount"]')).to_have_text("$15.00 a month")
    finally:
        context.close()
    member.refresh_from_db()
    assert member.amount_minor == 1500
    assert stripe_subscription(member.stripe_subscription_id or "")["plan"]["amount"] == 1500
    assert MembershipEvent.objects.filter(membership=member, kind="amount_changed").count() == 1


def test_member_updates_the_card_with_three_d_secure(browser, settings, client, site, member):
    context, page = signed_in_page(browser, settings, client, site)
    try:
        page.goto(f"{site}/account/")
        page.get_by_role("link", name="Update card").click()
        expect(card_input(page, CARD_NUMBER)).to_be_visible()
        fill_card(page, "4000002760003184", month="11", year="31")
        screenshot(page, "card-phone")
        page.get_by_role("button", name="Save card").click()
        page.get_by_role("button", name="Complete authentication").click()

        expect(page.get_by_role("heading", name="Your memberships")).to_be_visible()
        expect(membership_card(page).locator('[data-field="card"]')).to_contain_text("3184")
    finally:
        context.close()
    member.refresh_from_db()
    assert (member.card_last4, member.card_exp_month, member.card_exp_year) == ("3184", 11, 2031)


def test_member_takes_the_pause_offer_then_cancels_and_resumes(browser, settings, client, site, member):
    context, page = signed_in_page(browser, settings, client, site, viewport=DESKTOP)
    try:
        page.goto(f"{site}/account/")
        page.get_by_role("link", name="Cancel membership").click()
        page.get_by_label("Too expensive").check()
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Before you go")).to_be_visible()
        screenshot(page, "offers-desktop")
        page.get_by_role("button", name="Pause for 1 month").click()
        state = membership_card(page).locator('[data-field="state"]')
        expect(state).to_contain_text("Paused until")

        page.get_by_role("link", name="Cancel membership").click()
        page.get_by_label("Giving elsewhere").check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("button", name="Cancel my membership").click()
        expect(state).to_contain_text("then your membership ends")

        page.get_by_role("button", name="Keep my membership").click()
        expect(state).to_contain_text("Nothing is charged until then.")
    finally:
        context.close()
    kinds = list(MembershipEvent.objects.filter(membership=member).values_list("kind", flat=True))
    assert kinds == ["started", "paused", "cancel_requested", "cancel_withdrawn"]
    offers = SaveOffer.objects.filter(membership=member).order_by("pk")
    assert [(o.outcome, o.offer_taken) for o in offers] == [("saved", "pause_1"), ("canceled", "")]
    assert stripe_subscription(member.stripe_subscription_id or "")["cancel_at_period_end"] is False


def test_member_cancels_from_the_link_in_a_receipt_email(browser, settings, site, member):
    contribution = Contribution.objects.get(membership=member)
    Contribution.objects.filter(pk=contribution.pk).update(receipt_sent_at=None, receipt_claimed_at=None)
    contribution_receipt_send(contribution_id=contribution.pk)
    link = re.search(r"https?://\S+/link/\S+?/", mail.outbox[-1].body.split("Cancel")[-1])
    assert link, mail.outbox[-1].body
    context, page = make_page(browser, settings, PHONE)
    try:
        page.goto(link.group(0).replace(settings.SITE_URL, site))
        expect(page.get_by_role("heading", name=re.compile("Cancel"))).to_be_visible()
        member.refresh_from_db()
        assert member.state == Membership.State.ACTIVE  # opening the link changed nothing
        screenshot(page, "link-cancel-phone")
        page.get_by_role("button", name=re.compile("Cancel my membership")).click()
        expect(page.get_by_text(re.compile("Ends on|will end"))).to_be_visible()
    finally:
        context.close()
    member.refresh_from_db()
    assert member.state == Membership.State.CANCELING
    assert stripe_subscription(member.stripe_subscription_id or "")["cancel_at_period_end"] is True


def test_member_downloads_a_receipt_pdf_from_the_giving_history(browser, settings, client, site, member):
    context, page = signed_in_page(browser, settings, client, site, viewport=DESKTOP)
    try:
        page.goto(f"{site}/account/")
        page.get_by_role("link", name="Giving history").click()
        expect(page.get_by_role("heading", name="Giving history")).to_be_visible()
        screenshot(page, "history-desktop")
        with page.expect_download() as download_info:
            page.locator("#history").get_by_role("link", name="PDF").first.click()
        download = download_info.value
        content = Path(download.path()).read_bytes()
    finally:
        context.close()
    assert download.suggested_filename.startswith("receipt-")
    assert content.startswith(b"%PDF-")


STATEMENT = "/account/history/statements/{year}/USD/"
# (screenshot name, viewport, the page's path: {receipt} and {year} are filled in, its heading)
PORTAL_PAGES = [
    ("overview-desktop", DESKTOP, "/account/", "Your memberships"),
    ("history-phone", PHONE, "/account/history/", "Giving history"),
    ("receipt-phone", PHONE, "/account/history/receipts/{receipt}/", "Receipt"),
    (
        "statement-desktop",
        DESKTOP,
        "/account/history/statements/{year}/USD/",
        "Annual statement {year} (USD)",
    ),
    ("preferences-phone", PHONE, "/account/preferences/", "Email preferences"),
    ("data-desktop", DESKTOP, "/account/data/", "My data"),
    ("data-phone", PHONE, "/account/data/", "My data"),
]


@pytest.mark.parametrize(
    ("name", "viewport", "where", "heading"), PORTAL_PAGES, ids=[row[0] for row in PORTAL_PAGES]
)
def test_portal_page_fits_the_screen_without_sideways_scrolling(
    browser, settings, client, site, member, tmp_path, name, viewport, where, heading
):
    contribution = Contribution.objects.get(membership=member)
    fill = {"receipt": contribution.public_id, "year": contribution.succeeded_at.year}
    context, page = signed_in_page(browser, settings, client, site, viewport=viewport)
    try:
        page.goto(site + where.format(**fill))
        expect(page.get_by_role("heading", level=1)).to_have_text(heading.format(**fill))
        expect(page.locator("header.site-header")).to_be_visible()

        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert page.evaluate(OVERFLOWING) == []

        target = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
        page.screenshot(path=str(target / f"portal-{name}.png"), full_page=True)
    finally:
        context.close()
