"""Dunning and reminders: each email is sent when it is due, once, and never before or after its window.

The beat job is `run_membership_dunning`; its tasks run in-process here (eager). Time is frozen with
time_machine at the moments that matter; Stripe is localstripe where the job talks to it.
"""

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail, signing

from config.celery import app
from membership import dunning, links, tasks
from membership.invoices import invoice_record
from membership.lifecycle import Cause
from membership.models import Membership, MembershipEvent, MembershipNotice, Tier, TierMinimum
from membership.services import membership_from_stripe
from payments import gateway
from payments.models import Contribution, Frequency
from tests.factories import ContributionFactory, ContributorFactory, MembershipFactory
from tests.membership.payloads import invoice_payload, subscription_payload
from tests.payments import stripe_flows as flows
from tests.payments.webhooks import deliver, make_event

pytestmark = pytest.mark.django_db
State = Membership.State
Kind = MembershipNotice.Kind
T0 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def eager_tasks():
    """The job's send tasks run in-process, whatever broker this run is configured with."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def run_job_at(moment: datetime) -> dict:
    with time_machine.travel(moment, tick=False):
        return tasks.run_membership_dunning()


def past_due(since: datetime = T0, **fields) -> Membership:
    membership = MembershipFactory(
        status=Membership.Status.PAST_DUE, state=State.PAST_DUE, past_due_since=since, **fields
    )
    MembershipEvent.objects.create(
        membership=membership,
        kind=MembershipEvent.Kind.PAYMENT_FAILED,
        occurred_at=since,
        cause=MembershipEvent.Cause.STRIPE,
        monthly_amount_minor=membership.monthly_amount_minor,
        currency=membership.currency,
        interval=membership.interval,
        stripe_invoice_id="in_failed_1",
        dedupe_key=f"{membership.pk}:failed:in_failed_1",
    )
    return membership


def sent(kind: str) -> list[MembershipNotice]:
    return list(MembershipNotice.objects.filter(kind=kind, sent_at__isnull=False))


def subjects() -> list[str]:
    return [message.subject for message in mail.outbox]


# Renewal failed.


def test_past_due_membership_without_its_email_gets_it_from_the_job():
    membership = past_due(contributor=ContributorFactory(email="late@example.org"))

    run_job_at(T0 + timedelta(hours=1))

    assert [m.to for m in mail.outbox] == [["late@example.org"]]
    assert "did not go through" in mail.outbox[0].subject
    notice = MembershipNotice.objects.get(membership=membership, kind=Kind.PAYMENT_FAILED)
    assert notice.occasion == "in_failed_1"


def test_renewal_failed_email_links_to_the_signed_membership_page():
    membership = past_due()

    run_job_at(T0 + timedelta(hours=1))

    body = mail.outbox[0].body
    url = next(line for line in body.splitlines() if "/link/" in line).split()[-1]
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert links.link_open(token, membership_id=membership.pk) == (membership, links.CARD)
    assert "March 15, 2027" in body  # the grace period's end, as English readers write it


def test_renewal_failed_webhook_and_job_send_one_email_for_the_invoice():
    membership = past_due()
    notice_id = dunning.payment_failed_notice(membership_id=membership.pk, invoice_id="in_failed_1")
    tasks.send_membership_notice(notice_id=notice_id)

    run_job_at(T0 + timedelta(hours=1))
    run_job_at(T0 + timedelta(hours=2))

    assert len(mail.outbox) == 1


def test_each_failed_invoice_has_its_own_email():
    membership = past_due()

    for invoice_id in ("in_failed_1", "in_failed_2", "in_failed_1"):
        tasks.send_payment_failed_notice(membership_id=membership.pk, invoice_id=invoice_id)

    assert sorted(n.occasion for n in sent(Kind.PAYMENT_FAILED)) == ["in_failed_1", "in_failed_2"]
    assert len(mail.outbox) == 2


def test_no_renewal_failed_email_once_the_membership_recovered():
    membership = past_due()
    notice_id = dunning.payment_failed_notice(membership_id=membership.pk, invoice_id="in_failed_1")
    Membership.objects.filter(pk=membership.pk).update(state=State.ACTIVE, past_due_since=None)

    tasks.send_membership_notice(notice_id=notice_id)

    assert mail.outbox == []


def _member_on_localstripe(*, amount: int = 1000, interval: str = "month") -> tuple[str, str, Membership]:
    customer = flows.customer_with_card()
    subscription_id = flows.subscription(
        customer=customer, plan_id=flows.plan(amount=amount, interval=interval)
    )
    with time_machine.travel(time.time() - 3600, tick=True):  # joined an hour ago
        membership = membership_from_stripe(subscription_id=subscription_id, cause=Cause.reader())
        first = gateway.retrieve_subscription(subscription_id).latest_invoice_id
        invoice_record(invoice=gateway.retrieve_invoice(first), trust_stripe=True)
    assert membership is not None
    return customer, subscription_id, membership


@pytest.mark.integration
def test_failed_renewal_webhook_delivered_twice_sends_one_email(
    localstripe, stripe_reports, client, django_capture_on_commit_callbacks
):
    customer, subscription_id, membership = _member_on_localstripe()
    now = int(time.time())
    invoice = flows.failed_renewal_invoice(customer=customer, subscription_id=subscription_id)
    stripe_reports[subscription_id] = subscription_payload(
        subscription_id=subscription_id,
        customer=customer,
        status="past_due",
        created=now - 40 * 86400,
        period_end=now + 20 * 86400,
        latest_invoice=invoice,
    )
    failed = make_event(
        "invoice.payment_failed",
        invoice_payload(
            invoice_id=invoice,
            customer=customer,
            subscription_id=subscription_id,
            status="open",
            created=now - 60,
        ),
        created=now - 50,
    )

    for _delivery in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver(client, failed).status_code == 200

    membership.refresh_from_db()
    assert membership.state == State.PAST_DUE
    assert [m.to for m in mail.outbox] == [[membership.contributor.email]]
    assert [n.occasion for n in sent(Kind.PAYMENT_FAILED)] == [invoice]


# Grace ending, and its end.


def test_grace_reminder_is_not_sent_before_three_days_before_the_end():
    past_due()

    run_job_at(T0 + 11 * DAY - timedelta(minutes=1))

    assert sent(Kind.GRACE_ENDING) == []


def test_grace_reminder_is_sent_three_days_before_the_grace_period_ends():
    membership = past_due()

    run_job_at(T0 + 11 * DAY)

    [notice] = sent(Kind.GRACE_ENDING)
    assert (notice.membership, notice.occasion) == (membership, "2027-03-01")
    grace_email = next(m for m in mail.outbox if "ends on" in m.subject)
    assert "March 15, 2027" in grace_email.subject


def test_grace_reminder_missed_by_a_job_that_was_down_is_sent_late():
    past_due()

    run_job_at(T0 + 13 * DAY)

    assert len(sent(Kind.GRACE_ENDING)) == 1


def test_grace_reminder_is_never_sent_after_the_grace_period_ended():
    past_due()  # no Stripe subscription: the job has nothing to cancel

    run_job_at(T0 + 14 * DAY + timedelta(minutes=1))

    assert sent(Kind.GRACE_ENDING) == []


@pytest.mark.integration
def test_grace_expiry_cancels_in_stripe_and_ends_the_membership_once(localstripe):
    _customer, subscription_id, membership = _member_on_localstripe()
    since = datetime.now(UTC)
    Membership.objects.filter(pk=membership.pk).update(
        status=Membership.Status.PAST_DUE, state=State.PAST_DUE, past_due_since=since
    )

    run_job_at(since + 14 * DAY + timedelta(hours=1))
    run_job_at(since + 14 * DAY + timedelta(hours=2))

    assert gateway.retrieve_subscription(subscription_id).status == "canceled"
    membership.refresh_from_db()
    assert membership.state == State.ENDED
    [ended] = membership.events.filter(kind=MembershipEvent.Kind.ENDED)
    assert (ended.cause, ended.job) == (MembershipEvent.Cause.JOB, dunning.GRACE_EXPIRY_JOB)


@pytest.mark.integration
def test_no_cancel_before_the_grace_period_ends(localstripe):
    _customer, subscription_id, membership = _member_on_localstripe()
    since = datetime.now(UTC)
    Membership.objects.filter(pk=membership.pk).update(
        status=Membership.Status.PAST_DUE, state=State.PAST_DUE, past_due_since=since
    )

    run_job_at(since + 14 * DAY - timedelta(minutes=1))

    assert gateway.retrieve_subscription(subscription_id).status == "active"
    membership.refresh_from_db()
    assert membership.state == State.PAST_DUE


@pytest.mark.integration
def test_cancelling_a_subscription_already_canceled_is_success(localstripe):
    _customer, subscription_id, _membership = _member_on_localstripe()

    gateway.cancel_subscription(subscription_id, idempotency_key="first")
    again = gateway.cancel_subscription(subscription_id, idempotency_key="second")

    assert again.status == "canceled"


# Card expiring.


def card_member(*, exp_month: int = 4, exp_year: int = 2027, **fields) -> Membership:
    return MembershipFactory(
        card_brand="visa", card_last4="4242", card_exp_month=exp_month, card_exp_year=exp_year, **fields
    )


def test_card_reminder_is_not_sent_more_than_thirty_days_before_the_card_expires():
    card_member()  # good through April 2027: expires 1 May 2027

    run_job_at(datetime(2027, 4, 1, 0, 0, tzinfo=UTC) - timedelta(minutes=1))

    assert sent(Kind.CARD_EXPIRING) == []


def test_card_reminder_is_sent_thirty_days_before_the_card_expires():
    membership = card_member()

    run_job_at(datetime(2027, 4, 1, 0, 0, tzinfo=UTC))

    [notice] = sent(Kind.CARD_EXPIRING)
    assert (notice.membership, notice.occasion) == (membership, "visa 4242 2027-04")
    assert "Visa ending in 4242, expires at the end of April 2027" in mail.outbox[0].body


def test_card_reminder_is_never_sent_once_the_card_expired():
    card_member()

    run_job_at(datetime(2027, 5, 1, 0, 0, tzinfo=UTC))

    assert sent(Kind.CARD_EXPIRING) == []


def test_no_card_reminder_for_a_membership_that_ends_anyway():
    card_member(state=State.CANCELING, cancel_at_period_end=True)
    card_member(state=State.ENDED, status=Membership.Status.CANCELED)

    run_job_at(datetime(2027, 4, 20, tzinfo=UTC))

    assert sent(Kind.CARD_EXPIRING) == []


def test_a_new_card_gets_its_own_reminder():
    membership = card_member()
    run_job_at(datetime(2027, 4, 20, tzinfo=UTC))
    Membership.objects.filter(pk=membership.pk).update(card_last4="1881", card_exp_month=5)

    run_job_at(datetime(2027, 5, 20, tzinfo=UTC))

    assert sorted(n.occasion for n in sent(Kind.CARD_EXPIRING)) == ["visa 1881 2027-05", "visa 4242 2027-04"]


@pytest.mark.integration
def test_the_card_that_paid_a_membership_is_stored_with_its_expiry(
    localstripe, django_capture_on_commit_callbacks
):
    membership = MembershipFactory()
    contribution = ContributionFactory(
        contributor=membership.contributor,
        membership=membership,
        frequency=Frequency.MONTHLY,
        amount_minor=1000,
        status=Contribution.Status.SUCCEEDED,
        succeeded_at=T0,
        stripe_payment_method_id=flows.card_payment_method(),
    )

    with django_capture_on_commit_callbacks(execute=True):
        tasks.queue_membership_card(contribution)

    membership.refresh_from_db()
    card = (membership.card_brand, membership.card_last4, membership.card_exp_month, membership.card_exp_year)
    assert card == ("visa", "4242", 12, 2030)
    assert membership.stripe_payment_method_id == contribution.stripe_payment_method_id


def test_an_older_payment_never_overwrites_the_card_of_a_newer_one():
    membership = MembershipFactory(stripe_payment_method_id="pm_new", card_last4="1881")
    paid = {"contributor": membership.contributor, "membership": membership, "frequency": Frequency.MONTHLY}
    old = ContributionFactory(
        **paid, status=Contribution.Status.SUCCEEDED, succeeded_at=T0, stripe_payment_method_id="pm_old"
    )
    ContributionFactory(
        **paid, status=Contribution.Status.SUCCEEDED, succeeded_at=T0 + DAY, stripe_payment_method_id="pm_new"
    )

    assert dunning.membership_card_record(contribution_id=old.pk) is False  # no Stripe call either

    membership.refresh_from_db()
    assert (membership.stripe_payment_method_id, membership.card_last4) == ("pm_new", "1881")


# Annual renewal notice.

RENEWS = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)


def annual(**fields) -> Membership:
    values = {"interval": Membership.Interval.YEAR, "amount_minor": 12000, "current_period_end": RENEWS}
    return MembershipFactory(**{**values, **fields})


def test_renewal_notice_is_not_sent_more_than_fourteen_days_before():
    annual()

    run_job_at(RENEWS - 14 * DAY - timedelta(minutes=1))

    assert sent(Kind.RENEWAL_NOTICE) == []


def test_renewal_notice_is_sent_fourteen_days_before_with_the_amount_and_the_date():
    membership = annual()

    run_job_at(RENEWS - 14 * DAY)

    [notice] = sent(Kind.RENEWAL_NOTICE)
    assert (notice.membership, notice.occasion) == (membership, "2027-04-01")
    [email] = mail.outbox
    assert email.subject.endswith("renews on April 1, 2027")
    assert "we will charge $120.00" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert "$120.00" in html
    assert "April 1, 2027" in html


def test_renewal_notice_missed_by_a_job_that_was_down_is_sent_before_the_renewal_but_not_after():
    annual()
    annual(current_period_end=RENEWS - 2 * DAY)

    run_job_at(RENEWS - DAY)

    assert [n.occasion for n in sent(Kind.RENEWAL_NOTICE)] == ["2027-04-01"]


def test_no_renewal_notice_for_monthly_canceling_or_ended_memberships():
    MembershipFactory(current_period_end=RENEWS)  # monthly
    annual(state=State.CANCELING, cancel_at_period_end=True)
    annual(state=State.ENDED, status=Membership.Status.CANCELED)

    run_job_at(RENEWS - 7 * DAY)

    assert sent(Kind.RENEWAL_NOTICE) == []


def test_renewal_amount_is_formatted_for_its_currency():
    annual(amount_minor=120000, currency="JPY")

    run_job_at(RENEWS - 7 * DAY)

    assert "¥120,000" in mail.outbox[0].body


# The job as a whole.


def test_the_job_run_twice_sends_each_reminder_once():
    past_due(since=RENEWS - 22 * DAY)  # renewal failed, and the grace period ends in two days
    card_member(exp_month=3)  # good through March
    annual()  # renews in ten days

    first = run_job_at(RENEWS - 10 * DAY)
    second = run_job_at(RENEWS - 10 * DAY + timedelta(minutes=1))

    assert first["notices"] == 4
    assert second["notices"] == 0
    assert len(mail.outbox) == 4
    kinds = MembershipNotice.objects.filter(sent_at__isnull=False).values_list("kind", flat=True)
    assert sorted(kinds) == sorted(Kind.values)


def test_an_email_that_failed_to_send_is_sent_by_the_next_run(monkeypatch):
    annual()
    real_send = mail.EmailMultiAlternatives.send

    def smtp_down(self, *args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", smtp_down)
    [notice_id] = dunning.notices_due(now=RENEWS - 7 * DAY)
    with time_machine.travel(RENEWS - 7 * DAY, tick=False), pytest.raises(OSError, match="smtp down"):
        dunning.notice_send(notice_id=notice_id, now=RENEWS - 7 * DAY)
    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", real_send)

    run_job_at(RENEWS - 6 * DAY)

    assert len(sent(Kind.RENEWAL_NOTICE)) == 1
    assert len(mail.outbox) == 1


def test_names_are_escaped_in_the_html_email_and_read_as_written_in_the_text():
    annual(contributor=ContributorFactory(name="<b>O'Brien & Sons</b>"))

    run_job_at(RENEWS - 7 * DAY)

    [email] = mail.outbox
    assert "Dear <b>O'Brien & Sons</b>," in email.body
    assert "&lt;b&gt;O&#x27;Brien &amp; Sons&lt;/b&gt;" in email.alternatives[0][0]


# The signed page the emails link to.


def test_membership_page_shows_the_membership_and_what_to_do(client):
    tier = Tier.objects.create(name="Patron", position=3)
    TierMinimum.objects.create(tier=tier, currency="USD", monthly_minimum_minor=500)
    membership = past_due(since=T0, tier=tier, card_brand="visa", card_last4="4242")

    with time_machine.travel(T0 + DAY, tick=False):
        url = links.link_url(membership_id=membership.pk, action=links.MANAGE)
        response = client.get(url.removeprefix("http://testserver"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Patron" in page
    assert "$10.00 a month" in page
    assert "Past due" in page
    assert "update your card by March 15, 2027" in page
    assert "Visa •••• 4242" in page
    assert response["Cache-Control"].startswith("max-age=0")
    assert "<script>" not in page


def test_membership_page_refuses_a_tampered_link_and_shows_nothing(client):
    membership = MembershipFactory(contributor=ContributorFactory(email="secret@example.org"))
    token = links.link_token(membership_id=membership.pk, action=links.MANAGE)
    forged = signing.TimestampSigner(salt="another purpose").sign_object({"m": membership.pk, "a": "manage"})
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    for bad in (tampered, forged, "nonsense", token + "x"):
        response = client.get(f"/membership/{membership.pk}/link/{bad}/")
        assert response.status_code == 404
        assert b"$10.00" not in response.content
        assert b"secret@example.org" not in response.content


def test_membership_page_says_an_old_link_has_expired(client):
    membership = MembershipFactory()
    with time_machine.travel(T0, tick=False):
        token = links.link_token(membership_id=membership.pk, action=links.MANAGE)

    with time_machine.travel(T0 + links.MAX_AGE + timedelta(minutes=1), tick=False):
        response = client.get(f"/membership/{membership.pk}/link/{token}/")

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert b"$10.00" not in response.content
