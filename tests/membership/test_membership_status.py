"""The membership check: who is a member, the status API, its cache and the member cookie."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.cache import cache

from membership.lifecycle import Cause
from membership.member_token import member_token_verify, reader_reference
from membership.models import Benefit, Membership, Tier
from membership.services import membership_apply_subscription
from membership.status import member_status_for_user, member_status_invalidate
from payments import gateway, services
from payments.models import Contribution, Frequency
from tests.factories import ContributionFactory, ContributorFactory, MembershipFactory, UserFactory
from tests.stripe_fixtures import stripe_object

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
STATUS_URL = "/api/v1/membership/status"
PAGE_URL = "/accounts/email/"  # any platform page a signed-in reader sees
COOKIE = "rr_member"
State = Membership.State


@pytest.fixture
def reader():
    user = UserFactory(email="reader@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def contributor(reader):
    return ContributorFactory(email=reader.email, user=reader)


@pytest.fixture
def tiers():
    no_appeals = Benefit.objects.create(code="no_appeals", name="No appeals", position=1)
    extra = Benefit.objects.create(code="newsletter_extra", name="Extra newsletter", position=2)
    supporter = Tier.objects.create(name="Supporter", position=1)
    supporter.benefits.add(no_appeals)
    patron = Tier.objects.create(name="Patron", position=3)
    patron.benefits.add(no_appeals, extra)
    return {"supporter": supporter, "patron": patron}


def _gift(contributor, *, succeeded_at: datetime) -> Contribution:
    return ContributionFactory(
        contributor=contributor,
        frequency=Frequency.ONE_OFF,
        status=Contribution.Status.SUCCEEDED,
        succeeded_at=succeeded_at,
    )


def _status(reader):
    return member_status_for_user(user_id=reader.pk)


# Who is a member


def test_a_reader_who_never_gave_is_not_a_member(reader):
    status = _status(reader)

    assert status.member is False
    assert status.state is None
    assert status.tier is None
    assert status.benefits == []
    assert status.recent_supporter is False


def test_an_active_member_has_their_tier_and_its_benefits(contributor, reader, tiers):
    MembershipFactory(contributor=contributor, tier=tiers["patron"])

    status = _status(reader)

    assert (status.member, status.state, status.tier) == (True, "active", "Patron")
    assert status.benefits == ["no_appeals", "newsletter_extra"]


def test_two_memberships_in_two_currencies_are_one_member_with_the_higher_tier(contributor, reader, tiers):
    MembershipFactory(contributor=contributor, currency="EUR", tier=tiers["supporter"])
    other = ContributorFactory(email="same.reader@example.org", user=reader)
    MembershipFactory(contributor=other, currency="USD", tier=tiers["patron"], state=State.CANCELING)

    status = _status(reader)

    assert status.member is True
    assert status.state == "active"  # the membership in the best standing speaks
    assert status.tier == "Patron"
    assert status.benefits == ["no_appeals", "newsletter_extra"]


def test_a_past_due_member_is_still_a_member(contributor, reader, tiers):
    MembershipFactory(contributor=contributor, tier=tiers["supporter"], state=State.PAST_DUE)

    status = _status(reader)

    assert (status.member, status.state, status.tier) == (True, "past_due", "Supporter")


def test_an_ended_membership_is_not_a_member_and_gives_no_benefits(contributor, reader, tiers):
    MembershipFactory(contributor=contributor, tier=tiers["patron"], state=State.ENDED)

    status = _status(reader)

    assert (status.member, status.state, status.tier, status.benefits) == (False, "ended", None, [])


def test_another_readers_membership_does_not_count(reader, tiers):
    MembershipFactory(tier=tiers["patron"])  # a contributor without this reader's account

    assert _status(reader).member is False


def test_a_one_off_gift_within_the_quiet_days_makes_a_recent_supporter(contributor, reader):
    _gift(contributor, succeeded_at=T0)

    with time_machine.travel(T0 + timedelta(days=settings.SUPPORTER_QUIET_DAYS - 1), tick=False):
        status = _status(reader)

    assert status.recent_supporter is True
    assert status.member is False


def test_a_one_off_gift_older_than_the_quiet_days_does_not(contributor, reader):
    _gift(contributor, succeeded_at=T0)

    with time_machine.travel(T0 + timedelta(days=settings.SUPPORTER_QUIET_DAYS, seconds=1), tick=False):
        assert _status(reader).recent_supporter is False


def test_a_cached_recent_supporter_stops_being_one_when_the_quiet_days_end(contributor, reader):
    _gift(contributor, succeeded_at=T0)
    last_day = T0 + timedelta(days=settings.SUPPORTER_QUIET_DAYS) - timedelta(seconds=30)

    with time_machine.travel(last_day, tick=False):
        assert _status(reader).recent_supporter is True
    with time_machine.travel(last_day + timedelta(minutes=1), tick=False):
        assert _status(reader).recent_supporter is False


def test_a_failed_gift_or_a_membership_payment_is_not_a_recent_supporter(contributor, reader):
    ContributionFactory(contributor=contributor, status=Contribution.Status.FAILED)
    ContributionFactory(
        contributor=contributor,
        frequency=Frequency.MONTHLY,
        status=Contribution.Status.SUCCEEDED,
        succeeded_at=T0,
    )

    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert _status(reader).recent_supporter is False


# The cache and its invalidation


def test_the_status_is_served_from_the_cache_once_computed(contributor, reader, django_assert_num_queries):
    MembershipFactory(contributor=contributor)
    _status(reader)

    with django_assert_num_queries(0):
        assert _status(reader).member is True


def test_a_membership_change_shows_at_once_after_commit(
    contributor, reader, django_capture_on_commit_callbacks
):
    membership = MembershipFactory(
        contributor=contributor, stripe_subscription_id="sub_1", status="active", state=State.ACTIVE
    )
    assert _status(reader).member is True
    canceled = {
        "id": "sub_1",
        "status": "canceled",
        "customer": "cus_1",
        "created": int(T0.timestamp()),
        "plan": {"id": "plan_1", "amount": 1000, "currency": "usd", "interval": "month"},
        "ended_at": int(T0.timestamp()),
        "canceled_at": int(T0.timestamp()),
    }

    with django_capture_on_commit_callbacks(execute=True):
        membership_apply_subscription(
            subscription=gateway.parse_subscription(canceled), observed_at=T0, cause=Cause.stripe("evt_1")
        )

    membership.refresh_from_db()
    assert membership.state == State.ENDED
    assert _status(reader).member is False


def test_a_succeeded_gift_shows_at_once_after_commit(contributor, reader, django_capture_on_commit_callbacks):
    contribution = ContributionFactory(contributor=contributor, stripe_payment_intent_id="pi_gift")
    assert _status(reader).recent_supporter is False
    intent = stripe_object("payment_intent", id="pi_gift", status="succeeded", created=int(T0.timestamp()))

    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.contribution_apply_payment_intent(payment_intent=gateway.parse_payment_intent(intent))
        contribution.refresh_from_db()
        assert contribution.status == Contribution.Status.SUCCEEDED
        assert _status(reader).recent_supporter is True


def test_a_status_cached_before_the_invalidation_is_never_served_after_it(contributor, reader):
    """A request that read the database before a commit and cached after it must not win."""
    MembershipFactory(contributor=contributor)
    stale = _status(reader)
    Membership.objects.update(state=State.ENDED)

    member_status_invalidate(contributor_id=contributor.pk)
    cache.set(  # what the slow request writes back
        f"membership:status:{reader.pk}", (stale.version, stale.as_claims()), 300
    )

    assert _status(reader).member is False


# GET /api/v1/membership/status


def test_anonymous_gets_401_in_the_apis_error_shape(client):
    response = client.get(STATUS_URL)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response.json()["error"]["message"]


def test_the_status_answer_carries_the_status_and_a_token_saying_the_same(client, contributor, reader, tiers):
    MembershipFactory(contributor=contributor, tier=tiers["patron"])
    client.force_login(reader)

    body = client.get(STATUS_URL).json()

    assert {key: body[key] for key in ("member", "state", "tier", "benefits", "recent_supporter")} == {
        "member": True,
        "state": "active",
        "tier": "Patron",
        "benefits": ["no_appeals", "newsletter_extra"],
        "recent_supporter": False,
    }
    claims = member_token_verify(body["token"])
    assert claims is not None
    assert claims["member"] is True
    assert claims["tier"] == "Patron"
    assert claims["sub"] == reader_reference(user_id=reader.pk)


def test_a_warm_status_request_makes_at_most_one_database_query(
    client, contributor, reader, tiers, django_assert_max_num_queries
):
    MembershipFactory(contributor=contributor, tier=tiers["patron"])
    client.force_login(reader)
    client.get(STATUS_URL)  # warms the session, the status and the cookie

    with django_assert_max_num_queries(1):
        response = client.get(STATUS_URL)

    assert response.status_code == 200
    assert response.json()["member"] is True


# The member cookie


def test_logging_in_sets_the_member_cookie(client, contributor, reader, settings):
    settings.MEMBER_TOKEN_COOKIE_DOMAIN = ".example.org"
    MembershipFactory(contributor=contributor)

    response = client.post(
        "/accounts/login/", {"login": reader.email, "password": "correct horse battery staple"}
    )

    cookie = response.cookies[COOKIE]
    assert member_token_verify(cookie.value)["member"] is True
    assert cookie["domain"] == ".example.org"
    assert cookie["samesite"] == "Lax"
    assert not cookie["httponly"]  # the news site's banner script reads it
    assert not cookie["secure"]  # the test site is http
    assert int(cookie["max-age"]) == settings.MEMBER_TOKEN_TTL_SECONDS


def test_the_cookie_is_secure_on_an_https_site(client, reader, settings):
    settings.MEMBER_TOKEN_COOKIE_SECURE = True
    client.force_login(reader)

    assert client.get(PAGE_URL).cookies[COOKIE]["secure"]


def test_a_current_cookie_is_not_set_again(client, reader):
    client.force_login(reader)
    client.get(PAGE_URL)

    assert COOKIE not in client.get(PAGE_URL).cookies


def test_a_membership_change_refreshes_the_cookie_on_the_next_response(
    client, contributor, reader, django_capture_on_commit_callbacks
):
    membership = MembershipFactory(
        contributor=contributor, stripe_subscription_id="sub_1", status="incomplete", state=State.PENDING
    )
    client.force_login(reader)
    assert member_token_verify(client.get(PAGE_URL).cookies[COOKIE].value)["member"] is False
    active = {
        "id": "sub_1",
        "status": "active",
        "customer": "cus_1",
        "created": int(T0.timestamp()),
        "plan": {"id": "plan_1", "amount": 1000, "currency": "usd", "interval": "month"},
        "current_period_end": int((T0 + timedelta(days=30)).timestamp()),
    }

    with django_capture_on_commit_callbacks(execute=True):
        membership_apply_subscription(
            subscription=gateway.parse_subscription(active), observed_at=T0, cause=Cause.stripe("evt_2")
        )

    membership.refresh_from_db()
    assert membership.state == State.ACTIVE
    claims = member_token_verify(client.get(PAGE_URL).cookies[COOKIE].value)
    assert claims["member"] is True
    assert claims["state"] == "active"


def test_a_gift_refreshes_the_cookie_on_the_next_response(
    client, contributor, reader, django_capture_on_commit_callbacks
):
    ContributionFactory(contributor=contributor, stripe_payment_intent_id="pi_gift")
    client.force_login(reader)
    client.get(PAGE_URL)
    intent = stripe_object("payment_intent", id="pi_gift", status="succeeded")

    with django_capture_on_commit_callbacks(execute=True):
        services.contribution_apply_payment_intent(payment_intent=gateway.parse_payment_intent(intent))

    with time_machine.travel(datetime.fromtimestamp(intent["created"], UTC) + timedelta(days=1)):
        claims = member_token_verify(client.get(PAGE_URL).cookies[COOKIE].value)
    assert claims["recent_supporter"] is True


def test_a_cookie_older_than_the_refresh_interval_is_refreshed(client, reader, settings):
    with time_machine.travel(T0, tick=False):
        client.force_login(reader)
        first = member_token_verify(client.get(PAGE_URL).cookies[COOKIE].value)
    later = T0 + timedelta(seconds=settings.MEMBER_TOKEN_REFRESH_SECONDS)

    with time_machine.travel(later, tick=False):
        refreshed = member_token_verify(client.get(PAGE_URL).cookies[COOKIE].value)

    assert refreshed["iat"] > first["iat"]


def test_a_tampered_cookie_is_replaced(client, reader):
    client.force_login(reader)
    client.cookies[COOKIE] = "forged.token.value"

    assert member_token_verify(client.get(PAGE_URL).cookies[COOKIE].value) is not None


def test_logging_out_deletes_the_cookie(client, reader):
    client.force_login(reader)
    client.get(PAGE_URL)

    response = client.post("/accounts/logout/")

    assert response.cookies[COOKIE].value == ""
    assert response.cookies[COOKIE]["max-age"] == 0


def test_an_anonymous_visit_without_the_cookie_sets_nothing(client):
    assert COOKIE not in client.get("/accounts/login/").cookies
