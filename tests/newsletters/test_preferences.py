"""The preference page, from the signed link in every email: tick to receive, untick to stop."""

import re

import pytest

from newsletters.links import preferences_token
from newsletters.models import NewsletterSignup, SignupEvent
from tests.newsletters.factories import NewsletterFactory, SignupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def investigations(db):
    return NewsletterFactory(slug="investigations", name="Investigations", is_default=False)


def test_the_page_shows_what_the_reader_receives(client, ukraine_daily, investigations):
    SignupFactory(
        newsletter=ukraine_daily,
        email="olena@example.org",
        status="confirmed",
        confirmed_at="2026-11-01T08:00Z",
    )

    page = client.get(
        f"/newsletters/preferences/{preferences_token(email='olena@example.org')}/"
    ).content.decode()

    assert "olena@example.org" in page
    assert re.search(r'value="ukraine-daily" id="id_newsletter_\d" checked>', page)
    assert re.search(r'value="investigations" id="id_newsletter_\d">', page)


def test_unticking_unsubscribes_and_ticking_signs_up_at_once(client, ukraine_daily, investigations):
    SignupFactory(
        newsletter=ukraine_daily,
        email="olena@example.org",
        status="confirmed",
        confirmed_at="2026-11-01T08:00Z",
    )
    path = f"/newsletters/preferences/{preferences_token(email='olena@example.org')}/"

    response = client.post(path, {"newsletter": ["investigations"]})

    assert response.status_code == 302
    assert response["Location"] == path + "?saved=1"
    statuses = dict(NewsletterSignup.objects.values_list("newsletter__slug", "status"))
    assert statuses == {"ukraine-daily": "unsubscribed", "investigations": "confirmed"}
    new = NewsletterSignup.objects.get(newsletter=investigations)
    assert new.consent_text.startswith("I agree to receive these newsletters")
    assert list(new.events.values_list("kind", "how")) == [
        ("requested", "preferences"),
        ("confirmed", "preferences"),
    ]


def test_saving_the_same_choices_again_records_nothing_new(client, ukraine_daily, investigations):
    SignupFactory(
        newsletter=ukraine_daily,
        email="olena@example.org",
        status="confirmed",
        confirmed_at="2026-11-01T08:00Z",
    )
    path = f"/newsletters/preferences/{preferences_token(email='olena@example.org')}/"

    client.post(path, {"newsletter": ["ukraine-daily"]})

    assert SignupEvent.objects.count() == 0


def test_a_changed_preferences_link_is_rejected(client, ukraine_daily):
    token = preferences_token(email="olena@example.org")

    assert client.get(f"/newsletters/preferences/{token[:-3]}abc/").status_code == 400
