"""import_stripe backfills an existing account, resumes after interruption, and is idempotent."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Sum

from membership.models import Membership
from payments import gateway, stripe_import
from payments.models import Contribution, Contributor, ImportRun, LedgerEntry
from tests.payments import stripe_flows as flows

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def existing_account(localstripe):
    """An account that lived before the site: a member with a renewal, a one-off gift, a refund."""
    member = flows.customer_with_card(email="member@example.org", name="Long Time Member")
    subscription_id = flows.subscription(customer=member, plan_id=flows.plan(amount=1500, currency="eur"))
    flows.renewal_invoice(customer=member, subscription_id=subscription_id)
    giver = flows.customer_with_card(email="giver@example.org")
    gift = flows.paid_intent(amount=10000, currency="usd", customer=giver, metadata={"campaign": "year-end"})
    flows.refund(payment_intent=gift, amount=2500)
    return {"subscription": subscription_id, "gift": gift}


def _ledger_net() -> dict[str, int]:
    rows = LedgerEntry.objects.values("currency").annotate(total=Sum("amount_minor"))
    return {row["currency"]: row["total"] for row in rows}


def _snapshot() -> tuple:
    return (
        list(Contributor.objects.order_by("id").values_list("email", "stripe_customer_id")),
        list(Membership.objects.order_by("id").values_list("stripe_subscription_id", "status", "updated_at")),
        list(
            Contribution.objects.order_by("id").values_list(
                "stripe_payment_intent_id", "status", "updated_at"
            )
        ),
        list(LedgerEntry.objects.order_by("id").values_list("kind", "stripe_object_id", "amount_minor")),
    )


def test_import_backfills_contributors_memberships_contributions_and_the_ledger(existing_account):
    call_command("import_stripe", "--no-progress")

    assert set(Contributor.objects.values_list("email", flat=True)) == {
        "member@example.org",
        "giver@example.org",
    }
    membership = Membership.objects.get(stripe_subscription_id=existing_account["subscription"])
    assert (membership.status, membership.amount_minor, membership.currency) == ("active", 1500, "EUR")
    assert membership.contributions.filter(frequency="monthly", status="succeeded").count() == 2
    gift = Contribution.objects.get(stripe_payment_intent_id=existing_account["gift"])
    assert (gift.status, gift.amount_refunded_minor, gift.campaign) == (
        "partially_refunded",
        2500,
        "year-end",
    )
    assert _ledger_net() == {"EUR": 3000, "USD": 7500}
    assert ImportRun.objects.get().finished_at is not None


def test_import_run_again_changes_nothing(existing_account):
    call_command("import_stripe", "--no-progress")
    before = _snapshot()

    call_command("import_stripe", "--no-progress")

    assert _snapshot() == before
    assert ImportRun.objects.count() == 2


def test_interrupted_import_resumes_where_it_stopped(existing_account, monkeypatch):
    real_import_one = stripe_import.import_one
    calls: Counter = Counter()

    def interrupted(kind, obj):
        if sum(calls.values()) == 4:
            raise KeyboardInterrupt
        calls[kind] += 1
        real_import_one(kind, obj)

    monkeypatch.setattr(stripe_import, "import_one", interrupted)
    with pytest.raises(KeyboardInterrupt):
        stripe_import.stripe_account_import()
    first_run = ImportRun.objects.get()
    assert first_run.finished_at is None
    done_before = dict(calls)
    monkeypatch.setattr(stripe_import, "import_one", real_import_one)
    resumed: Counter = Counter()
    monkeypatch.setattr(
        stripe_import, "import_one", lambda kind, obj: (resumed.update([kind]), real_import_one(kind, obj))
    )

    run = stripe_import.stripe_account_import()

    assert run.pk == first_run.pk
    assert run.finished_at is not None
    total = {kind: len(list(gateway.list_objects(kind))) for kind in stripe_import.resource_names()}
    assert {kind: done_before.get(kind, 0) + resumed.get(kind, 0) for kind in total} == total
    assert _ledger_net() == {"EUR": 3000, "USD": 7500}
