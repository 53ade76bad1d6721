"""axe-core on the reader's pages, in English and Ukrainian: no serious or critical WCAG 2.1 A/AA
violation on the support page, the thank-you page, the portal and a campaign page. (The banner's own
check is in test_banner.py, the newsletter forms' in test_newsletter_signup.py.)"""

from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from engagement.demo import CAMPAIGN_SLUG, load_demo_campaign
from tests.browser.conftest import PHONE, make_page
from tests.factories import ContributionFactory, UserFactory
from tests.portal.members import live_member

pytestmark = [pytest.mark.browser, pytest.mark.integration]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
READER = "member@example.org"


@pytest.fixture(autouse=True)
def needs_axe():
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make install runs npm ci)")


def serious_violations(page) -> list:
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})")
    assert result["passes"], "axe checked nothing"
    return [
        (v["id"], v["help"], [node["target"] for node in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def axe_page(browser, settings, locale):
    return make_page(browser, settings, PHONE, locale=locale, bypass_csp=True)  # axe is injected inline


@pytest.mark.parametrize("locale", ["en-US", "uk-UA"])
def test_the_support_page(browser, settings, site, locale):
    context, page = axe_page(browser, settings, locale)
    page.goto(f"{site}/support/")
    expect(page.locator("#support-form")).to_have_attribute("data-state", "ready")

    assert serious_violations(page) == []
    context.close()


@pytest.mark.parametrize("locale", ["en-US", "uk-UA"])
def test_the_thank_you_page(browser, settings, site, client, locale):
    contribution = ContributionFactory(status="succeeded", card_brand="visa", card_last4="4242")
    session = client.session
    session["checkout_contributions"] = [str(contribution.public_id)]
    session.save()
    context, page = axe_page(browser, settings, locale)
    host = site.split("//", 1)[1].split(":")[0]
    context.add_cookies([{"name": "sessionid", "value": session.session_key, "domain": host, "path": "/"}])
    page.goto(f"{site}/support/thank-you/{contribution.public_id}/")
    expect(page.locator("h1")).to_be_visible()

    assert serious_violations(page) == []
    context.close()


@pytest.mark.parametrize("locale", ["en-US", "uk-UA"])
def test_the_portal(browser, settings, site, client, locale):
    user = UserFactory(email=READER, name="Olena Petrenko")
    EmailAddress.objects.create(user=user, email=READER, verified=True, primary=True)
    live_member(amount=1000, user=user, email=READER)
    client.force_login(user)
    context, page = axe_page(browser, settings, locale)
    host = site.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    page.goto(f"{site}/account/")
    expect(page.locator("section.portal-card").first).to_be_visible()

    assert serious_violations(page) == []
    context.close()


@pytest.mark.parametrize("locale", ["en-US", "uk-UA"])
def test_a_campaign_page(browser, settings, site, locale):
    load_demo_campaign()
    context, page = axe_page(browser, settings, locale)
    page.goto(f"{site}/support/{CAMPAIGN_SLUG}/")
    expect(page.locator("#support-form")).to_have_attribute("data-state", "ready")

    assert serious_violations(page) == []
    context.close()
