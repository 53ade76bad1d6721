"""Base layout: the home page renders with the site name and the Support us navigation."""

import pytest

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
