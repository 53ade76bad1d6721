"""Every page carries a strict Content-Security-Policy: scripts, styles and frames from the site and
Stripe only, nothing inline, no framing. (The browser tests run every page under it and fail on anything
it refuses: tests/browser/conftest.py.)"""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def policy(response) -> dict[str, list[str]]:
    directives = [
        part.strip().split() for part in response["Content-Security-Policy"].split(";") if part.strip()
    ]
    return {name: sources for name, *sources in directives}


def test_pages_allow_scripts_and_styles_from_the_site_only(client, settings):
    settings.STRIPE_API_BASE, settings.STRIPE_JS_URL = None, "https://js.stripe.com/v3/"

    directives = policy(client.get("/"))

    assert directives["default-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'", "https://js.stripe.com"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_nothing_inline_is_allowed(client):
    header = client.get("/support/")["Content-Security-Policy"]

    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header


def test_stripe_js_and_its_3d_secure_frames_are_allowed_on_the_support_page(client, settings):
    settings.STRIPE_API_BASE, settings.STRIPE_JS_URL = None, "https://js.stripe.com/v3/"

    directives = policy(client.get("/support/"))

    assert "https://js.stripe.com" in directives["script-src"]
    assert {"https://js.stripe.com", "https://hooks.stripe.com"} <= set(directives["frame-src"])
    assert "https://api.stripe.com" in directives["connect-src"]


def test_the_offline_stripe_is_allowed_where_it_is_configured(client, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420"
    settings.STRIPE_JS_URL = "http://127.0.0.1:8420/js.stripe.com/v3/"

    directives = policy(client.get("/support/"))

    assert "http://127.0.0.1:8420" in directives["script-src"]
    assert "http://127.0.0.1:8420" in directives["connect-src"]


def test_the_news_site_may_be_allowed_to_frame_pages_by_a_setting(client, settings):
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {
            **settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
            "frame-ancestors": ["https://news.example"],
        }
    }

    assert policy(client.get("/"))["frame-ancestors"] == ["https://news.example"]


def test_no_template_has_an_inline_script_or_style():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if inline_script.search(text) or re.search(r"\sstyle=\"", text) or "<style" in text:
            offenders.append(str(path.relative_to(TEMPLATES)))

    assert offenders == []
