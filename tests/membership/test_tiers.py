"""A membership's tier follows its amount: per currency, annual as amount // 12, after any change.

Also the staff pages of tiers, memberships and their history, and the welcome email naming the tier.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from checkout.demo import load_demo_tiers
from membership import status, tiers
from membership.emails import membership_welcome_send
from membership.lifecycle import Cause
from membership.models import Benefit, Membership, MembershipEvent, Tier, TierMinimum
from membership.services import membership_apply_subscription
from payments import gateway
from tests.factories import ContributionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def ladder() -> dict[str, Tier]:
    """Supporter from 500 a month and Member from 1,000 a month in USD; Member from 100 in EUR only."""
    supporter = Tier.objects.create(name="Supporter", position=1)
    member = Tier.objects.create(name="Member", position=2)
    TierMinimum.objects.create(tier=supporter, currency="USD", monthly_minimum_minor=500)
    TierMinimum.objects.create(tier=member, currency="USD", monthly_minimum_minor=1000)
    TierMinimum.objects.create(tier=member, currency="EUR", monthly_minimum_minor=100)
    return {"supporter": supporter, "member": member}


def _subscription(*, amount: int, interval: str = "month", currency: str = "usd", at: datetime = T0):
    return gateway.parse_subscription(
        {
            "id": "sub_tiers",
            "status": "active",
            "customer": "cus_tiers",
            "created": int(T0.timestamp()),
            "plan": {"id": f"plan_{amount}", "amount": amount, "currency": currency, "interval": interval},
            "current_period_end": int((at + timedelta(days=30)).timestamp()),
            "cancel_at_period_end": False,
        }
    )


def _apply(amount: int, *, interval: str = "month", minutes: int = 0) -> Membership:
    at = T0 + timedelta(minutes=minutes)
    membership = membership_apply_subscription(
        subscription=_subscription(amount=amount, interval=interval, at=at),
        observed_at=at,
        cause=Cause.stripe(f"evt_{amount}_{minutes}"),
    )
    assert membership is not None
    return membership


# ---- which tier an amount reaches ----


def test_a_monthly_amount_reaches_the_highest_tier_whose_minimum_it_meets(ladder):
    assert tiers.tier_reached(amount_minor=1000, currency="USD", interval="month") == ladder["member"]
    assert tiers.tier_reached(amount_minor=999, currency="USD", interval="month") == ladder["supporter"]


def test_no_tier_below_the_lowest_minimum(ladder):
    assert tiers.tier_reached(amount_minor=499, currency="USD", interval="month") is None


def test_a_minimum_in_euros_never_applies_to_dollars(ladder):
    assert tiers.tier_reached(amount_minor=100, currency="EUR", interval="month") == ladder["member"]
    assert tiers.tier_reached(amount_minor=100, currency="USD", interval="month") is None


def test_a_currency_without_minimums_reaches_no_tier(ladder):
    assert tiers.tier_reached(amount_minor=10**9, currency="GBP", interval="month") is None


def test_12000_a_year_reaches_a_1000_a_month_tier(ladder):
    assert tiers.tier_reached(amount_minor=12000, currency="USD", interval="year") == ladder["member"]


def test_11999_a_year_does_not_reach_a_1000_a_month_tier(ladder):
    assert tiers.tier_reached(amount_minor=11999, currency="USD", interval="year") == ladder["supporter"]


@pytest.mark.parametrize("frequency", ["one_off", "monthly", ""])
def test_a_one_off_gift_never_reaches_a_tier(ladder, frequency):
    assert tiers.tier_reached(amount_minor=10**6, currency="USD", interval=frequency) is None


def test_tiers_for_a_currency_are_those_with_a_minimum_in_it_in_order_with_benefits(ladder):
    newsletter = Benefit.objects.create(code="newsletter", name="Members' newsletter")
    ladder["member"].benefits.add(newsletter)

    usd = tiers.tiers_for_currency(currency="USD")
    eur = tiers.tiers_for_currency(currency="EUR")

    assert [(offer.tier.name, offer.monthly_minimum_minor) for offer in usd] == [
        ("Supporter", 500),
        ("Member", 1000),
    ]
    assert usd[1].benefits == (newsletter,)
    assert usd[1].annual_minimum_minor == 12000
    assert [offer.tier.name for offer in eur] == ["Member"]


# ---- the tier follows the membership's amount on every Stripe snapshot ----


def test_a_stripe_snapshot_sets_the_tier_of_its_amount(ladder):
    MembershipFactory(stripe_subscription_id="sub_tiers", status="incomplete", state="pending", tier=None)

    membership = _apply(1000)

    assert membership.tier == ladder["member"]


def test_an_amount_changed_down_then_up_moves_the_tier_down_then_up(ladder):
    MembershipFactory(stripe_subscription_id="sub_tiers", tier=ladder["member"])

    down = _apply(600, minutes=1)
    assert down.tier == ladder["supporter"]
    up = _apply(1500, minutes=2)
    assert up.tier == ladder["member"]


def test_an_amount_below_every_minimum_leaves_the_membership_without_a_tier(ladder):
    MembershipFactory(stripe_subscription_id="sub_tiers", tier=ladder["supporter"])

    assert _apply(300, minutes=1).tier is None


def test_monthly_to_annual_keeps_the_tier_its_monthly_equivalent_reaches(ladder):
    MembershipFactory(stripe_subscription_id="sub_tiers", amount_minor=1000, tier=ladder["member"])

    assert _apply(11999, interval="year", minutes=1).tier == ladder["supporter"]
    assert _apply(12000, interval="year", minutes=2).tier == ladder["member"]


# ---- after staff change tiers ----


def test_reassign_moves_memberships_to_the_tier_their_amount_now_reaches(ladder):
    membership = MembershipFactory(amount_minor=800, tier=ladder["supporter"])
    TierMinimum.objects.filter(tier=ladder["member"], currency="USD").update(monthly_minimum_minor=800)

    changed = tiers.tiers_reassign()

    membership.refresh_from_db()
    assert membership.tier == ladder["member"]
    assert changed == 1


def test_reassign_counts_annual_amounts_as_a_twelfth_rounded_down(ladder):
    reaches = MembershipFactory(amount_minor=12000, interval="year")
    falls_short = MembershipFactory(amount_minor=11999, interval="year")

    tiers.tiers_reassign()

    reaches.refresh_from_db()
    falls_short.refresh_from_db()
    assert reaches.tier == ladder["member"]
    assert falls_short.tier == ladder["supporter"]


def test_reassign_of_one_currency_leaves_the_others(ladder):
    euros = MembershipFactory(amount_minor=100, currency="EUR", tier=None)
    dollars = MembershipFactory(amount_minor=1000, currency="USD", tier=None)

    tiers.tiers_reassign(currency="EUR")

    euros.refresh_from_db()
    dollars.refresh_from_db()
    assert euros.tier == ladder["member"]
    assert dollars.tier is None


def test_reassign_takes_the_tier_away_when_a_minimum_rises_above_the_amount(ladder):
    membership = MembershipFactory(amount_minor=500, tier=ladder["supporter"])
    TierMinimum.objects.filter(tier=ladder["supporter"]).update(monthly_minimum_minor=501)

    tiers.tiers_reassign()

    membership.refresh_from_db()
    assert membership.tier is None


def test_reassign_appends_no_history_and_a_second_run_changes_nothing(ladder):
    membership = MembershipFactory(amount_minor=1000, tier=None)

    assert tiers.tiers_reassign() == 1
    assert tiers.tiers_reassign() == 0
    assert not MembershipEvent.objects.filter(membership=membership).exists()


def test_reassign_agrees_with_the_tier_a_snapshot_sets(ladder):
    amounts = [(1, "month"), (499, "month"), (500, "month"), (999, "month"), (5999, "year"), (6000, "year")]
    memberships = [MembershipFactory(amount_minor=a, interval=i, tier=None) for a, i in amounts]

    tiers.tiers_reassign()

    for membership in memberships:
        membership.refresh_from_db()
        expected = tiers.tier_reached(
            amount_minor=membership.amount_minor, currency="USD", interval=membership.interval
        )
        assert membership.tier == expected, (membership.amount_minor, membership.interval)


# ---- demo data ----


def test_demo_tiers_load_once_in_five_currencies():
    assert load_demo_tiers() == 3
    assert load_demo_tiers() == 0

    assert list(Tier.objects.values_list("name", flat=True)) == ["Supporter", "Member", "Patron"]
    for currency in ("USD", "EUR", "GBP", "UAH", "JPY"):
        assert len(tiers.tiers_for_currency(currency=currency)) == 3
    assert "no_appeals" in Tier.objects.get(name="Patron").benefits.values_list("code", flat=True)


def test_demo_tiers_are_reached_by_the_demo_presets():
    load_demo_tiers()

    reached = [
        tiers.tier_reached(amount_minor=amount, currency="USD", interval="month").name
        for amount in (500, 1000, 2000)
    ]
    annual = tiers.tier_reached(amount_minor=10000, currency="USD", interval="year")
    assert reached == ["Supporter", "Member", "Patron"]
    assert annual is not None
    assert annual.name == "Member"


# ---- the welcome email ----


def test_welcome_email_names_the_tier_and_its_benefits(ladder):
    ladder["member"].benefits.add(Benefit.objects.create(code="newsletter", name="Members' newsletter"))
    membership = MembershipFactory(amount_minor=1000, tier=ladder["member"])

    membership_welcome_send(membership_id=membership.pk)

    body = mail.outbox[0].body
    assert "Your tier: Member. It gives you:" in body
    assert "- Members' newsletter" in body


def test_welcome_email_without_a_tier_names_none(ladder):
    membership = MembershipFactory(amount_minor=100, tier=None)

    membership_welcome_send(membership_id=membership.pk)

    assert "tier" not in mail.outbox[0].body.lower()


# ---- the admin ----


def test_tier_admin_pages_render_with_minimums_as_money(admin_client, ladder):
    TierMinimum.objects.create(tier=ladder["supporter"], currency="JPY", monthly_minimum_minor=500)

    listing = admin_client.get(reverse("admin:membership_tier_changelist"))
    change = admin_client.get(reverse("admin:membership_tier_change", args=[ladder["supporter"].pk]))

    assert listing.status_code == 200
    assert "$5.00" in listing.content.decode()
    assert "¥500" in listing.content.decode()
    assert change.status_code == 200
    page = change.content.decode()
    assert 'value="5.00"' in page
    assert 'value="500"' in page
    assert "rounded down" in page


def _tier_form(tier: Tier, minimums: list[tuple[str, str]], *, existing: list[TierMinimum] = ()) -> dict:
    data = {
        "name": tier.name,
        "description": "",
        "position": str(tier.position),
        "minimums-TOTAL_FORMS": str(len(minimums)),
        "minimums-INITIAL_FORMS": str(len(existing)),
        "minimums-MIN_NUM_FORMS": "0",
        "minimums-MAX_NUM_FORMS": "1000",
    }
    for index, (currency, amount) in enumerate(minimums):
        data[f"minimums-{index}-currency"] = currency
        data[f"minimums-{index}-monthly_minimum"] = amount
        data[f"minimums-{index}-tier"] = str(tier.pk)
        if index < len(existing):
            data[f"minimums-{index}-id"] = str(existing[index].pk)
    return data


def test_a_minimum_typed_in_major_units_is_stored_in_minor_units(admin_client):
    tier = Tier.objects.create(name="Patron", position=3)

    response = admin_client.post(
        reverse("admin:membership_tier_change", args=[tier.pk]),
        _tier_form(tier, [("usd", "20.50"), ("JPY", "2000")]),
    )

    assert response.status_code == 302
    stored = dict(tier.minimums.values_list("currency", "monthly_minimum_minor"))
    assert stored == {"USD": 2050, "JPY": 2000}


def test_a_minimum_with_more_decimals_than_its_currency_is_refused(admin_client):
    tier = Tier.objects.create(name="Patron", position=3)

    response = admin_client.post(
        reverse("admin:membership_tier_change", args=[tier.pk]),
        _tier_form(tier, [("JPY", "20.5")]),
    )

    assert response.status_code == 200
    assert "JPY has 0 decimal places" in response.content.decode()
    assert not tier.minimums.exists()


def test_saving_a_minimum_in_the_admin_reassigns_tiers(admin_client, ladder):
    membership = MembershipFactory(amount_minor=800, tier=ladder["supporter"])
    member = ladder["member"]
    existing = list(member.minimums.order_by("currency"))  # EUR, USD

    response = admin_client.post(
        reverse("admin:membership_tier_change", args=[member.pk]),
        _tier_form(member, [("EUR", "1.00"), ("USD", "8.00")], existing=existing),
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.tier == member


def test_membership_admin_shows_state_tier_monthly_equivalent_card_grace_and_history(admin_client, ladder):
    membership = MembershipFactory(
        amount_minor=12000,
        interval="year",
        tier=ladder["member"],
        state="past_due",
        past_due_since=T0,
        card_brand="visa",
        card_last4="4242",
        card_exp_month=3,
        card_exp_year=2027,
    )
    MembershipEvent.objects.create(
        membership=membership,
        kind="payment_failed",
        occurred_at=T0,
        cause="stripe",
        stripe_event_id="evt_failed_1",
        monthly_amount_minor=1000,
        currency="USD",
        interval="year",
        dedupe_key="test:failed",
    )

    response = admin_client.get(reverse("admin:membership_membership_change", args=[membership.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Past due" in page
    assert "Member" in page
    assert "$10.00" in page  # 120.00 a year, 10.00 a month
    assert "Visa •••• 4242 (03/2027)" in page
    assert "Nov. 15, 2026" in page  # grace: 14 days from the failure
    assert "evt_failed_1" in page


def test_membership_events_are_searchable_by_membership_and_stripe_event(admin_client):
    membership = MembershipFactory()
    for index, kind in enumerate(["started", "renewed"]):
        MembershipEvent.objects.create(
            membership=membership,
            kind=kind,
            occurred_at=T0,
            cause="stripe",
            stripe_event_id=f"evt_search_{index}",
            monthly_amount_minor=1000,
            currency="USD",
            interval="month",
            dedupe_key=f"test:{index}",
        )
    url = reverse("admin:membership_membershipevent_changelist")

    by_event = admin_client.get(url, {"q": "evt_search_1"}).content.decode()
    by_membership = admin_client.get(url, {"q": str(membership.pk)}).content.decode()
    by_kind = admin_client.get(url, {"kind__exact": "started"}).content.decode()
    by_cause = admin_client.get(url, {"cause__exact": "staff"})

    assert "evt_search_1" in by_event
    assert "evt_search_0" not in by_event
    assert "evt_search_0" in by_membership
    assert "evt_search_1" in by_membership
    assert "evt_search_0" in by_kind
    assert "evt_search_1" not in by_kind
    assert by_cause.status_code == 200
    assert "evt_search" not in by_cause.content.decode()


def test_membership_events_cannot_be_added_changed_or_deleted_in_the_admin(admin_client):
    membership = MembershipFactory()
    event = MembershipEvent.objects.create(
        membership=membership,
        kind="started",
        occurred_at=T0,
        cause="stripe",
        monthly_amount_minor=1000,
        currency="USD",
        interval="month",
        dedupe_key="test:started",
    )

    add = admin_client.get(reverse("admin:membership_membershipevent_add"))
    change = admin_client.post(
        reverse("admin:membership_membershipevent_change", args=[event.pk]), {"kind": "ended"}
    )
    delete = admin_client.post(
        reverse("admin:membership_membershipevent_delete", args=[event.pk]), {"post": "yes"}
    )

    assert add.status_code == 403
    assert change.status_code == 403
    assert delete.status_code == 403
    event.refresh_from_db()
    assert event.kind == "started"


def test_benefit_admin_lists_benefits_with_their_tiers(admin_client, ladder):
    ladder["member"].benefits.add(Benefit.objects.create(code="events", name="Event invitations"))

    page = admin_client.get(reverse("admin:membership_benefit_changelist")).content.decode()

    assert "Event invitations" in page
    assert "Member" in page


def test_a_membership_of_a_contribution_still_has_its_tier_after_a_reassign(ladder):
    """Contributions do not hold a tier: the membership does (the thank-you page reads it there)."""
    membership = MembershipFactory(amount_minor=1000, tier=None)
    ContributionFactory(membership=membership, frequency="monthly", amount_minor=1000)

    tiers.tiers_reassign()

    assert tiers.membership_tier(membership_id=membership.pk) == ladder["member"]


def test_a_reader_sees_the_tier_a_reassign_gave_them_at_once(ladder, django_capture_on_commit_callbacks):
    user = UserFactory()
    MembershipFactory(amount_minor=800, tier=ladder["supporter"], contributor__user=user)
    assert status.member_status_for_user(user_id=user.pk).tier == "Supporter"  # now cached
    TierMinimum.objects.filter(tier=ladder["member"], currency="USD").update(monthly_minimum_minor=800)

    with django_capture_on_commit_callbacks(execute=True):
        tiers.tiers_reassign()

    assert status.member_status_for_user(user_id=user.pk).tier == "Member"
