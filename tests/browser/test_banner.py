"""The support banner on a news site's article page (another origin than the platform), in Chromium."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from engagement import events
from engagement.decisions import snapshot_forget
from engagement.demo import CAMPAIGN_SLUG, load_demo_banners
from engagement.models import BannerVariant, VariantCounts
from membership.member_token import member_token_issue
from payments.models import Contribution
from tests.browser.conftest import DESKTOP, PHONE, make_page
from tests.browser.test_support_checkout import choose_preset, fill_card
from tests.engagement.factories import message_with_variants
from tests.factories import UserFactory
from tests.reporting.book import gift

pytestmark = [pytest.mark.browser, pytest.mark.integration]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

EVENTS_PATH = "/api/v1/banner/events"
ARTICLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kyiv Independent-style article {n}</title>
<link rel="stylesheet" href="/news.css">{hostile}</head>
<body><header><a href="/">The Kyiv Chronicle</a></header>
<main><article><h1 id="title">Reporters document the aftermath in Kharkiv (part {n})</h1>
<p id="first">Our correspondents spent three weeks in the region
speaking with residents, doctors and volunteers.</p>
<p>Every account was checked against satellite images and official records before publication.</p>
<p><a id="last-link" href="/article/{next}">Read the next part</a></p></article></main>
<script src="{platform}/banner.js" data-site="chronicle" data-section="war"
 data-tags="ukraine,kharkiv" async></script>
</body></html>"""

NEWS_CSS = """body{font:18px/1.6 Georgia,serif;margin:0;color:#222;background:#fafafa}
header{background:#0d2b45;padding:1rem}
header a{color:#fff;font-weight:bold;text-decoration:none;font-size:1.3rem}
main{max-width:42rem;margin:0 auto;padding:1rem}h1{font-size:2rem;line-height:1.2}"""
# A news site whose styles reach for every element: none of it may reach the banner.
HOSTILE_CSS = """button,a,h2,p,section,div{font-family:"Comic Sans MS"!important;color:lime!important;
background:red!important;position:static!important;display:inline!important}"""


class _Article(BaseHTTPRequestHandler):
    platform = ""

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path.endswith(".css"):
            body, kind = (HOSTILE_CSS if path == "/hostile.css" else NEWS_CSS).encode(), "text/css"
        else:
            n = int(path.rsplit("/", 1)[-1] or 1) if path.startswith("/article/") else 1
            hostile = '<link rel="stylesheet" href="/hostile.css">' if "hostile" in query else ""
            page = ARTICLE.format(n=n, next=n + 1, platform=self.platform, hostile=hostile)
            body, kind = page.encode(), "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def news_site(site):
    """A plain HTML news site on 127.0.0.1 (the platform is on localhost: another origin)."""
    handler = type("Article", (_Article,), {"platform": site})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    snapshot_forget()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    snapshot_forget()


def banner_page(browser, settings, viewport, **options):
    return make_page(browser, settings, viewport, **options)


def close_after_beacons(context) -> None:
    """Close without the last batch banner.js sends on pagehide: it would reach the platform after the
    test, and write to a database that is being emptied (the tests count what they need before)."""
    context.route(f"**{EVENTS_PATH}*", lambda route: route.abort())
    for page in context.pages:
        page.goto("about:blank")
        page.wait_for_timeout(300)  # a batch sent before the route was set is answered meanwhile
    context.close()


@pytest.fixture
def reader(browser, settings):
    context, page = banner_page(browser, settings, PHONE)
    yield page
    close_after_beacons(context)


def banner(page):
    return page.locator("[data-rr-banner]")


def read_article(page, news_site, n):
    page.goto(f"{news_site}/article/{n}")
    page.wait_for_load_state("networkidle")


def spring_appeal(**fields):
    message = message_with_variants(slug="spring", weights={"a": 1}, **fields)
    message.variants.update(
        headline="Before you skip this banner, we want to tell you something…",
        body="80% of our revenue was from reader contributions. Readers like you keep us independent.",
    )
    return message


def test_the_banner_appears_after_the_configured_number_of_article_views(reader, news_site):
    spring_appeal(min_article_views=3)
    read_article(reader, news_site, 1)
    read_article(reader, news_site, 2)
    expect(banner(reader)).to_have_count(0)
    read_article(reader, news_site, 3)
    expect(reader.get_by_role("heading", name="Before you skip this banner")).to_be_visible()
    expect(reader.get_by_role("link", name="Become a member")).to_be_visible()
    expect(reader.get_by_role("link", name="Support us just once")).to_be_visible()


def test_the_banner_slides_in_without_moving_the_article(reader, news_site):
    spring_appeal()
    reader.goto(f"{news_site}/article/1")
    before = reader.locator("#first").bounding_box()
    expect(reader.get_by_role("link", name="Become a member")).to_be_visible()
    assert reader.locator("#first").bounding_box() == before


def test_the_news_sites_css_cannot_restyle_the_banner(reader, news_site):
    spring_appeal()
    reader.goto(f"{news_site}/article/1?hostile=1")
    link = reader.get_by_role("link", name="Become a member")
    expect(link).to_be_visible()
    assert "Comic Sans" not in link.evaluate("node => getComputedStyle(node).fontFamily")
    assert link.evaluate("node => getComputedStyle(node).backgroundColor") == "rgb(11, 87, 164)"


def test_a_member_never_sees_it_and_the_page_does_not_ask_the_platform(browser, settings, news_site):
    spring_appeal()
    user = UserFactory()
    token = member_token_issue(
        user_id=user.pk,
        status={"member": True, "state": "active", "tier": None, "benefits": [], "recent_supporter": False},
    )
    context, page = banner_page(browser, settings, PHONE)
    context.add_cookies([{"name": "rr_member", "value": token, "url": news_site}])
    asked = []
    page.on("request", lambda request: "/api/v1/banner" in request.url and asked.append(request.url))
    for n in range(1, 5):
        read_article(page, news_site, n)
    expect(banner(page)).to_have_count(0)
    assert asked == []
    close_after_beacons(context)


def test_a_recent_supporter_does_not_see_it(browser, settings, news_site):
    spring_appeal()
    token = member_token_issue(
        user_id=UserFactory().pk,
        status={"member": False, "state": None, "tier": None, "benefits": [], "recent_supporter": True},
    )
    context, page = banner_page(browser, settings, PHONE)
    context.add_cookies([{"name": "rr_member", "value": token, "url": news_site}])
    read_article(page, news_site, 1)
    expect(banner(page)).to_have_count(0)
    close_after_beacons(context)


def test_an_expired_member_token_does_not_hide_it(browser, settings, news_site):
    spring_appeal()
    token = member_token_issue(
        user_id=UserFactory().pk,
        status={"member": True, "state": "active", "tier": None, "benefits": [], "recent_supporter": False},
        now=time.time() - 10 * 86400,
    )
    context, page = banner_page(browser, settings, PHONE)
    context.add_cookies([{"name": "rr_member", "value": token, "url": news_site}])
    page.goto(f"{news_site}/article/1")
    expect(page.get_by_role("link", name="Become a member")).to_be_visible()
    close_after_beacons(context)


def wait_for_count(code_key: str, field: str, expected: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        events.events_flush()
        row = VariantCounts.objects.filter(variant__key=code_key).first()
        if row and getattr(row, field) >= expected:
            assert getattr(row, field) == expected
            return
        time.sleep(0.2)
    raise AssertionError(f"{field} of {code_key} never reached {expected}")


def test_after_a_dismissal_it_stays_away_for_the_configured_days(reader, news_site):
    spring_appeal(dismissals_before_pause=1, pause_days=7)
    reader.goto(f"{news_site}/article/1")
    reader.get_by_role("button", name="Dismiss").click()
    expect(banner(reader)).to_have_count(0)
    wait_for_count("a", "dismissals", 1)
    for n in range(2, 5):
        read_article(reader, news_site, n)
        expect(banner(reader)).to_have_count(0)
    paused_for = reader.evaluate("JSON.parse(localStorage.getItem('rr_banner')).pausedUntil - Date.now()")
    assert 6.9 * 86400_000 < paused_for <= 7 * 86400_000
    # Seven days later (the pause over), it comes back.
    reader.evaluate(
        "(() => { const s = JSON.parse(localStorage.getItem('rr_banner')); s.pausedUntil = Date.now() - 1;"
        " localStorage.setItem('rr_banner', JSON.stringify(s)); })()"
    )
    reader.goto(f"{news_site}/article/9")
    expect(reader.get_by_role("link", name="Become a member")).to_be_visible()


def test_escape_dismisses_it_and_the_keyboard_reaches_it_after_the_article(reader, news_site):
    spring_appeal()
    reader.goto(f"{news_site}/article/1")
    expect(reader.get_by_role("link", name="Become a member")).to_be_visible()
    reader.locator("#last-link").focus()
    reader.keyboard.press("Tab")
    focused = reader.evaluate("document.activeElement.shadowRoot.activeElement.textContent")
    assert focused == "Become a member"
    reader.keyboard.press("Escape")
    expect(banner(reader)).to_have_count(0)


def test_with_reduced_motion_it_does_not_slide(browser, settings, news_site):
    spring_appeal()
    context, page = banner_page(browser, settings, PHONE, reduced_motion="reduce")
    page.goto(f"{news_site}/article/1")
    link = page.get_by_role("link", name="Become a member")
    expect(link).to_be_visible()
    duration = link.evaluate("node => getComputedStyle(node.closest('.banner')).transitionDuration")
    assert duration == "0s"
    close_after_beacons(context)


def test_the_banner_passes_an_accessibility_check(reader, news_site):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make install runs npm ci)")
    spring_appeal()
    reader.goto(f"{news_site}/article/1")
    expect(reader.get_by_role("link", name="Become a member")).to_be_visible()
    reader.wait_for_timeout(600)  # the slide-in is over: contrast is measured on the final colours
    reader.add_script_tag(path=str(AXE))
    result = reader.evaluate(
        "axe.run(document.querySelector('[data-rr-banner]'),"
        " {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']})"
    )
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], v["help"]) for v in serious]
    assert result["passes"], "axe checked nothing"


def test_impressions_and_clicks_are_counted_for_the_variant(reader, news_site, site):
    spring_appeal()
    reader.goto(f"{news_site}/article/1")
    reader.get_by_role("link", name="Support us just once").click()
    reader.wait_for_url(f"{site}/support/**")
    wait_for_count("a", "impressions", 1)
    wait_for_count("a", "clicks", 1)


def test_a_gift_made_from_the_banner_carries_its_message_variant_and_article(reader, news_site, site):
    spring_appeal()
    reader.goto(f"{news_site}/article/7")
    reader.get_by_role("link", name="Support us just once").click()
    reader.wait_for_url(f"{site}/support/**")
    expect(reader.locator("#support-form")).to_have_attribute("data-state", "ready")
    choose_preset(reader, "$50.00")
    reader.get_by_label("Email").fill("banner-reader@example.org")
    fill_card(reader, "4242424242424242")
    reader.locator("#submit-button").click()
    reader.wait_for_url(f"{site}/support/thank-you/**")
    gift = Contribution.objects.get(contributor__email="banner-reader@example.org")
    assert gift.status == Contribution.Status.SUCCEEDED
    assert (gift.source, gift.variant) == ("banner", "spring:a")
    assert gift.ref == f"{news_site}/article/7"
    assert BannerVariant.objects.get(key="a").code == gift.variant


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_screenshot_of_the_banner_on_the_article_page(browser, settings, news_site, name, viewport):
    spring_appeal()
    context, page = banner_page(browser, settings, viewport)
    page.goto(f"{news_site}/article/1")
    expect(page.get_by_role("link", name="Become a member")).to_be_visible()
    page.wait_for_timeout(700)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"banner-article-{name}.png"))
    close_after_beacons(context)


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_screenshot_of_the_campaign_banner_and_page(browser, settings, news_site, site, name, viewport):
    load_demo_banners()
    gift(amount=1_234_500, on=timezone.now(), campaign=CAMPAIGN_SLUG)
    snapshot_forget()
    context, page = banner_page(browser, settings, viewport)
    page.goto(f"{news_site}/article/1")
    expect(page.get_by_text("$12,345.00 of $50,000.00 raised")).to_be_visible()
    page.wait_for_timeout(700)
    page.screenshot(path=str(SCREENSHOTS / f"banner-campaign-ticker-{name}.png"))
    page.get_by_role("link", name="Become a member").click()
    page.wait_for_url(f"{site}/support/{CAMPAIGN_SLUG}/**")
    expect(page.locator("#support-form")).to_have_attribute("data-state", "ready")
    expect(page.get_by_text("$12,345.00 of $50,000.00 raised")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / f"campaign-page-{name}.png"), full_page=True)
    close_after_beacons(context)
