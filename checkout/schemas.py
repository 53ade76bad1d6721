"""JSON shapes of the checkout API: what the page sends, and what it gets back for a contribution."""

from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool, StrictInt

from checkout.errors import decline_message
from checkout.selectors import upgrade_suggestion
from checkout.services import Outcome, upgrade_key
from payments.models import Contribution, Frequency

Text100 = Field("", max_length=100)


class ContributionIn(Schema):
    model_config = ConfigDict(str_strip_whitespace=True)

    amount: StrictInt = Field(..., description="Integer, in the currency's minor units (2500 = 25.00 USD).")
    currency: str = Field(..., max_length=3, description="ISO 4217, e.g. USD; see /checkout/options.")
    frequency: Literal["one_off", "monthly", "annual"]
    email: str | None = Field(None, max_length=254, description="Not needed when signed in.")
    name: str = Field("", max_length=200)
    payment_method: str = Field(..., max_length=255, description="A pm_… id from Stripe.js.")
    cover_fee: StrictBool = False
    campaign: str = Text100
    source: str = Field("", max_length=20)
    ref: str = Field("", max_length=500)
    utm_source: str = Text100
    utm_medium: str = Text100
    utm_campaign: str = Text100
    utm_term: str = Text100
    utm_content: str = Text100
    dedication: str = Field("", max_length=200)
    anonymous: StrictBool = False


class UpgradeIn(Schema):
    amount: StrictInt | None = Field(None, description="Monthly amount in minor units; default: suggested.")


class ErrorDetail(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: ErrorDetail


class MembershipOut(Schema):
    status: str
    interval: Literal["month", "year"]


class CardOut(Schema):
    brand: str
    last4: str


class NextActionOut(Schema):
    type: str = Field(..., description="e.g. use_stripe_sdk: run stripe.handleNextAction with client_secret.")


class UpgradeOfferOut(Schema):
    suggested_amount: int


class ContributionOut(Schema):
    id: str
    status: Literal[
        "pending", "requires_action", "succeeded", "failed", "refunded", "partially_refunded", "disputed"
    ]
    amount: int = Field(..., description="Total charged, minor units (fee included).")
    fee_covered: int
    currency: str
    frequency: Literal["one_off", "monthly", "annual"]
    client_secret: str | None = Field(None, description="Only while status is requires_action.")
    next_action: NextActionOut | None = None
    membership: MembershipOut | None = None
    card: CardOut | None = None
    upgrade: UpgradeOfferOut | None = None
    error: ErrorDetail | None = None


class OptionsOut(Schema):
    currency: str
    exponent: int
    currencies: list[str]
    min_amount: int
    max_amount: int
    limits: dict[str, dict[str, int]]
    presets: dict[str, dict]


class FeeOut(Schema):
    currency: str
    amount: int
    fee: int
    total: int


def _upgrade_offer(contribution: Contribution) -> dict | None:
    """Offered on the thank-you page for a paid one-off gift whose card was saved, until accepted."""
    if (
        contribution.frequency != Frequency.ONE_OFF
        or contribution.status != Contribution.Status.SUCCEEDED
        or not contribution.contributor.stripe_customer_id
        or Contribution.objects.filter(idempotency_key=upgrade_key(contribution)).exists()
    ):
        return None
    amount = upgrade_suggestion(gift=contribution)
    return {"suggested_amount": amount} if amount else None


def contribution_body(outcome: Outcome) -> dict:
    """The one representation of a contribution the page sees (POST answers and GET)."""
    contribution = outcome.contribution
    membership = contribution.membership
    failed = contribution.status == Contribution.Status.FAILED
    return {
        "id": str(contribution.public_id),
        "status": contribution.status,
        "amount": contribution.amount_minor,
        "fee_covered": contribution.fee_covered_minor,
        "currency": contribution.currency,
        "frequency": contribution.frequency,
        "client_secret": outcome.client_secret,
        "next_action": {"type": outcome.next_action_type} if outcome.next_action_type else None,
        "membership": {"status": membership.status, "interval": membership.interval} if membership else None,
        "card": {"brand": contribution.card_brand, "last4": contribution.card_last4}
        if contribution.card_last4
        else None,
        "upgrade": _upgrade_offer(contribution),
        "error": {
            "code": contribution.failure_code or "card_declined",
            "message": decline_message(contribution.failure_code),
            "field": "payment_method",
        }
        if failed
        else None,
    }


def contribution_status_code(outcome: Outcome) -> int:
    if outcome.contribution.status == Contribution.Status.FAILED:
        return 402
    return 200 if outcome.replayed else 201
