"""GET /api/v1/banner: which message and variant a browser sees, cacheable and without a query once warm."""

import random
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from engagement.decisions import bucket_of, bucket_shares, current_snapshot, snapshot_forget
from engagement.models import LiveFigure
from tests.engagement.factories import BannerVariantFactory, message_with_variants

pytestmark = pytest.mark.django_db

URL = "/api/v1/banner"


@pytest.fixture(autouse=True)
def fresh_snapshot():
    snapshot_forget()
    yield
    snapshot_forget()


def decide(client, **params):
    response = client.get(URL, {"lang": "en", "views": 5, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_a_browser_keeps_its_variant_from_one_page_to_the_next(client):
    message_with_variants(weights={"a": 1, "b": 1, "c": 1}, slug="spring")
    first = decide(client, bucket=417)["banner"]["variant"]
    assert all(decide(client, bucket=417)["banner"]["variant"] == first for _ in range(5))


def test_variant_shares_follow_the_weights_over_many_random_browsers(client):
    """20,000 browsers with random ids (fixed seed): 70/20/10 weights give shares within one point."""
    message = message_with_variants(weights={"a": 7, "b": 2, "c": 1}, slug="weighted")
    rule = next(m for m in current_snapshot().messages if m.slug == message.slug)
    rng = random.Random(20261206)
    seen = Counter(
        rule.variant_for(bucket_of(str(uuid.UUID(int=rng.getrandbits(128))))).key for _ in range(20_000)
    )
    shares = {key: seen[key] / 20_000 for key in "abc"}
    assert shares["a"] == pytest.approx(0.70, abs=0.01)
    assert shares["b"] == pytest.approx(0.20, abs=0.01)
    assert shares["c"] == pytest.approx(0.10, abs=0.01)


def test_the_buckets_are_split_exactly_by_the_weights():
    assert bucket_shares([7, 2, 1]) == [700, 200, 100]
    assert bucket_shares([1, 1, 1]) == [334, 333, 333]
    assert sum(bucket_shares([5, 0, 3])) == 1000
    assert bucket_shares([5, 0, 3])[1] == 0


def test_no_banner_before_the_configured_number_of_article_views(client):
    message_with_variants(min_article_views=3)
    assert decide(client, views=2, bucket=1)["show"] is False
    assert decide(client, views=3, bucket=1)["show"] is True


def test_a_message_for_ukrainian_readers_is_not_shown_in_english(client):
    message_with_variants(language="uk", slug="uk-only")
    assert decide(client, lang="en")["show"] is False
    assert decide(client, lang="uk")["banner"]["message"] == "uk-only"


def test_country_comes_from_the_proxy_header_and_the_answer_varies_on_it(client):
    message_with_variants(countries="UA, PL", slug="near")
    response = client.get(URL, {"lang": "en", "views": 5}, HTTP_CF_IPCOUNTRY="UA")
    assert response.json()["banner"]["message"] == "near"
    assert response["Vary"] == "CF-IPCountry"
    assert client.get(URL, {"lang": "en", "views": 5}, HTTP_CF_IPCOUNTRY="US").json()["show"] is False


def test_section_and_tag_rules_choose_the_message(client):
    message_with_variants(slug="war", sections="war", priority=2)
    message_with_variants(slug="climate", tags="climate,energy", priority=1)
    message_with_variants(slug="general", priority=0)
    assert decide(client, section="war")["banner"]["message"] == "war"
    assert decide(client, section="culture", tags="Energy,arts")["banner"]["message"] == "climate"
    assert decide(client, section="culture")["banner"]["message"] == "general"


def test_links_carry_the_campaign_message_variant_and_article(client):
    message_with_variants(slug="spring", weights={"a": 1})
    banner = decide(client, url="https://news.example/articles/42")["banner"]
    assert banner["links"]["primary"].startswith(
        "/support/?frequency=monthly&source=banner&variant=spring%3Aa"
    )
    assert "ref=https%3A%2F%2Fnews.example%2Farticles%2F42" in banner["links"]["secondary"]
    assert "frequency=one_off" in banner["links"]["secondary"]


def test_live_figures_are_written_as_the_language_writes_them(client):
    message = message_with_variants(slug="claim")
    message.variants.update(body="{reader_share_last_year} of our revenue came from {members} readers.")
    now = timezone.now()
    LiveFigure.objects.create(name="reader_share_last_year", value=8000, computed_at=now)
    LiveFigure.objects.create(name="members", value=4210, computed_at=now)
    assert decide(client, lang="en")["banner"]["body"] == "80% of our revenue came from 4,210 readers."
    assert (
        decide(client, lang="uk")["banner"]["body"] == "80% of our revenue came from 4\xa0210 readers."
    )  # CLDR: a no-break space


def test_a_message_quoting_a_stale_figure_gives_way_to_the_next(client):
    claim = message_with_variants(slug="claim", priority=5)
    claim.variants.update(body="{members} readers support us.")
    message_with_variants(slug="plain", priority=1)
    LiveFigure.objects.create(name="members", value=10, computed_at=timezone.now() - timedelta(hours=4))
    assert decide(client)["banner"]["message"] == "plain"


def test_the_answer_is_shared_cacheable_and_carries_nothing_personal(client, django_user_model):
    message_with_variants()
    client.force_login(django_user_model.objects.create_user(email="reader@example.org", password="x" * 12))
    response = client.get(URL, {"lang": "en", "views": 5, "country": "UA"})
    assert response["Cache-Control"] == "public, max-age=60"
    assert "Vary" not in response  # lang and country were in the URL: nothing else was read
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "rr_member" not in response.cookies
    assert "sessionid" not in response.cookies


def test_no_database_query_per_decision_once_warm(client, django_assert_num_queries):
    message_with_variants(weights={"a": 1, "b": 1})
    decide(client, bucket=3)  # warms this process's snapshot
    with django_assert_num_queries(0):
        for bucket in range(50):
            decide(client, bucket=bucket, section="war", tags="a,b")


def test_staff_saving_a_variant_is_seen_by_the_next_decision(client):
    message = message_with_variants(weights={"a": 1})
    assert decide(client)["banner"]["headline"].startswith("Before you skip")
    variant = message.variants.get()
    variant.headline = "We are not behind a paywall"
    variant.save()
    assert decide(client)["banner"]["headline"] == "We are not behind a paywall"


def test_an_inactive_or_ended_message_is_not_shown(client):
    message_with_variants(is_active=False)
    message_with_variants(ends_at=timezone.now() - timedelta(minutes=1))
    assert decide(client)["show"] is False


def test_a_bad_bucket_is_refused_naming_the_field(client):
    response = client.get(URL, {"bucket": "1000"})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "bucket"


def test_a_variant_with_zero_weight_is_never_shown(client):
    message = message_with_variants(weights={"a": 1})
    BannerVariantFactory(message=message, key="off", weight=0)
    assert {decide(client, bucket=b)["banner"]["variant"] for b in range(0, 1000, 37)} == {"a"}
