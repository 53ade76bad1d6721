"""Two workers running the dunning job at the same moment send each email once and end a grace once.

Each worker is a thread with its own PostgreSQL connection, released together by a barrier, doing
what a worker does for the beat job: find what is due, send each notice, end each expired grace.
SQLite serialises writers, so the race only means something on PostgreSQL (which CI runs).
"""

import contextlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections

from accounts.emails import EmailInFlightError
from membership import dunning, tasks
from membership.lifecycle import Cause
from membership.models import Membership, MembershipEvent, MembershipNotice
from membership.services import membership_from_stripe
from payments import gateway
from tests.factories import MembershipFactory
from tests.payments import stripe_flows as flows

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
]
State = Membership.State
NOW = datetime(2027, 3, 22, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def on_two_workers(work: Callable[[], None]) -> list[Exception]:
    """Run `work` in two threads that start at the same moment; the errors they raised."""
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            work()
        except Exception as exc:  # noqa: BLE001 (reported to the test, not lost in the thread)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def send_what_is_due() -> None:
    """One worker's run: the job's selection, then each send task it queues."""
    for notice_id in dunning.notices_due(now=NOW):
        # While the other worker holds a notice, the task retries later and finds it sent.
        with contextlib.suppress(EmailInFlightError):
            dunning.notice_send(notice_id=notice_id, now=NOW)


def one_of_each_reminder_due() -> None:
    MembershipFactory(
        status=Membership.Status.PAST_DUE, state=State.PAST_DUE, past_due_since=NOW - 12 * DAY
    )  # renewal failed (the safety net) and its grace ends in two days
    MembershipFactory(card_brand="visa", card_last4="4242", card_exp_month=3, card_exp_year=2027)
    MembershipFactory(
        interval=Membership.Interval.YEAR, amount_minor=12000, current_period_end=NOW + 10 * DAY
    )


def test_two_workers_at_the_same_moment_send_each_reminder_once():
    one_of_each_reminder_due()

    with time_machine.travel(NOW, tick=False):
        errors = on_two_workers(send_what_is_due)

    assert errors == []
    assert len(mail.outbox) == 4
    assert MembershipNotice.objects.count() == 4
    assert not MembershipNotice.objects.filter(sent_at__isnull=True).exists()


def test_the_job_after_two_racing_workers_sends_nothing_more():
    one_of_each_reminder_due()
    with time_machine.travel(NOW, tick=False):
        on_two_workers(send_what_is_due)

    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        send_what_is_due()

    assert len(mail.outbox) == 4


def test_two_workers_ending_the_same_grace_cancel_once_and_append_one_ended_event(localstripe):
    customer = flows.customer_with_card()
    subscription_id = flows.subscription(customer=customer, plan_id=flows.plan())
    membership = membership_from_stripe(subscription_id=subscription_id, cause=Cause.reader())
    assert membership is not None
    since = datetime.now(UTC)
    Membership.objects.filter(pk=membership.pk).update(
        status=Membership.Status.PAST_DUE, state=State.PAST_DUE, past_due_since=since
    )
    expired_at = since + 14 * DAY + timedelta(hours=1)

    with time_machine.travel(expired_at, tick=True):
        errors = on_two_workers(lambda: tasks.end_membership_grace.run(membership_id=membership.pk))

    assert errors == []
    assert gateway.retrieve_subscription(subscription_id).status == "canceled"
    membership.refresh_from_db()
    assert membership.state == State.ENDED
    assert membership.events.filter(kind=MembershipEvent.Kind.ENDED).count() == 1
