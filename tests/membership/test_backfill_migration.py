"""The memberships that existed before the lifecycle get their state and history from the migration."""

from datetime import UTC, datetime

import pytest

from tests.migrating import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("membership", "0002_tiers_lifecycle_history"), ("payments", "0004_refund_notice")]
AFTER = [("membership", "0003_backfill_lifecycle")]
T0 = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture
def old_apps():
    apps = migrate_to(BEFORE)
    yield apps
    migrate_to_latest()


def _membership(apps, *, email, status, cancel_at_period_end=False, renewals=0):
    contributor = apps.get_model("payments", "Contributor").objects.create(email=email)
    membership = apps.get_model("membership", "Membership").objects.create(
        contributor=contributor,
        status=status,
        interval="year",
        amount_minor=12000,
        currency="EUR",
        cancel_at_period_end=cancel_at_period_end,
        started_at=T0,
        canceled_at=T0 if status == "canceled" else None,
    )
    for n in range(renewals + 1):
        apps.get_model("payments", "Contribution").objects.create(
            contributor=contributor,
            membership=membership,
            frequency="annual",
            amount_minor=12000,
            currency="EUR",
            status="succeeded",
            succeeded_at=T0.replace(year=T0.year + n),
            stripe_invoice_id=f"in_{email}_{n}",
        )
    return membership.pk


def test_backfill_gives_each_membership_its_state_and_history(old_apps):
    renewing = _membership(old_apps, email="a@example.org", status="active", renewals=1)
    canceling = _membership(old_apps, email="b@example.org", status="active", cancel_at_period_end=True)
    canceled = _membership(old_apps, email="c@example.org", status="canceled")
    never_paid = _membership(old_apps, email="d@example.org", status="incomplete", renewals=-1)

    apps = migrate_to(AFTER)

    memberships = apps.get_model("membership", "Membership").objects
    events = apps.get_model("membership", "MembershipEvent").objects

    def history(pk):
        return list(
            events.filter(membership_id=pk).order_by("occurred_at", "id").values_list("kind", flat=True)
        )

    assert memberships.get(pk=renewing).state == "active"
    assert history(renewing) == ["started", "renewed"]
    assert memberships.get(pk=canceling).state == "canceling"
    assert history(canceling) == ["started", "cancel_requested"]
    assert memberships.get(pk=canceled).state == "ended"
    assert history(canceled) == ["started", "ended"]
    assert memberships.get(pk=never_paid).state == "pending"
    assert history(never_paid) == []
    started = events.get(membership_id=renewing, kind="started")
    assert (started.cause, started.monthly_amount_minor, started.currency) == ("backfill", 1000, "EUR")
    assert events.get(membership_id=renewing, kind="renewed").dedupe_key == (
        f"{renewing}:renewed:in_a@example.org_1"
    )
