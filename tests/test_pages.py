"""Base layout: the site name, Support us navigation, the favicon; small page details staff see."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from payments.models import ReconciliationReport

pytestmark = pytest.mark.django_db


def test_home_page_shows_site_name_and_support_navigation(client, settings):
    response = client.get("/")

    content = response.content.decode()
    assert response.status_code == 200
    assert settings.SITE_NAME in content
    assert "Support us" in content
    assert 'href="#main"' in content


def test_pages_have_no_inline_scripts(client):
    content = client.get("/").content.decode()

    assert "<script>" not in content
    assert "onclick=" not in content


def test_pages_link_the_favicon(client):
    content = client.get("/").content.decode()

    assert '<link rel="icon" href="/static/favicon.ico"' in content


def test_favicon_ico_at_the_root_is_the_sites_icon(client):
    response = client.get("/favicon.ico")
    icon = client.get(response["Location"])

    assert response.status_code == 301
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_reconciliation_line_ends_a_time_with_one_period(admin_client):
    ReconciliationReport.objects.create(since=datetime(2026, 11, 28, 18, 30, tzinfo=UTC))
    ReconciliationReport.objects.update(started_at=datetime(2026, 12, 1, 18, 30, tzinfo=UTC))

    content = admin_client.get(reverse("payments_staff:events")).content.decode()

    assert "p.m.." not in content
    assert "covering Stripe activity since Nov. 28, 2026, 6:30 p.m.)." in content


def test_admin_index_lists_one_accounts_section(admin_client):
    content = admin_client.get(reverse("admin:index")).content.decode()

    assert content.count(">Accounts<") == 1
    assert ">Readers and staff<" in content
