"""/api/v1/docs works with no internet: Swagger UI's assets come from the site itself."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.integration]


LOOPBACK = {"127.0.0.1", "localhost"}  # the live server's address


@pytest.fixture
def blocked():
    """The requests the page made outside this machine (and did not get)."""
    return []


@pytest.fixture
def offline_page(browser, site, blocked):
    """A desktop page that may reach the loopback interface only, as on a machine with no internet."""
    context = browser.new_context(viewport=DESKTOP, locale="en-US")

    def loopback_only(route):
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", loopback_only)
    yield context.new_page()
    context.close()


def test_api_docs_show_the_operations_offline(offline_page, site, blocked):
    offline_page.goto(f"{site}/api/v1/docs")

    operation = offline_page.locator(".opblock-post", has_text="/contributions").first
    expect(operation).to_be_visible()
    expect(operation.locator(".opblock-summary-method")).to_have_text("POST")
    assert blocked == []
