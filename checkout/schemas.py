"""JSON shapes of the checkout API: what the page sends, and what it gets back for a contribution."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, GetJsonSchemaHandler, StrictBool, StrictInt
from pydantic_core import CoreSchema, PydanticCustomError

from checkout.errors import decline_message
from checkout.rules import (
    CONTROL_RANGES,
    PAYMENT_METHOD_PATTERN,
    amount_bounds,
    enabled_currencies,
    has_refused_characters,
)
from checkout.selectors import upgrade_offer_amount
from checkout.services import Outcome
from payments.models import Contribution


@dataclass(frozen=True)
class Documented:
    """Adds to a field's JSON Schema what a validator (or a later check) enforces.

    `extra` is called each time the OpenAPI schema is built, so it may read settings.
    """

    extra: Callable[[], dict[str, Any]]

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict:
        schema = dict(handler(core_schema))
        schema.update(self.extra())
        return schema


def refuse_control_characters(value: str) -> str:
    """Text PostgreSQL would refuse (NUL) or could not encode, or no reader types: a 400 naming the field."""
    if has_refused_characters(value):
        raise PydanticCustomError(
            "control_characters", _("This text contains control characters. Please remove them.")
        )
    return value


# Every text field of the API: refused with a 400 naming it when it holds a control character.
Text = Annotated[
    str,
    AfterValidator(refuse_control_characters),
    Documented(lambda: {"pattern": f"^[^{CONTROL_RANGES}]*$"}),
]
Email = Annotated[Text, Documented(lambda: {"format": "email"})]
CurrencyCode = Annotated[
    str,
    AfterValidator(refuse_control_characters),
    Documented(lambda: {"enum": enabled_currencies()}),
]
Slug = Annotated[Text, Documented(lambda: {"pattern": "^[-a-zA-Z0-9_]*$"})]
PaymentMethodId = Annotated[Text, Documented(lambda: {"pattern": PAYMENT_METHOD_PATTERN.pattern})]
AmountMinor = Annotated[
    StrictInt,
    Documented(lambda: {"minimum": amount_bounds().min_minor, "maximum": amount_bounds().max_minor}),
]
CURRENCY_HELP = "ISO 4217, one of those enabled (the enum, in upper case); see /checkout/options."
AMOUNT_HELP = (
    "Integer, in the currency's minor units (2500 = 25.00 USD). The bounds shown are the widest over the "
    "enabled currencies; /checkout/options gives each currency's limits, and an amount outside them is "
    "a 400 naming `amount`."
)


class ContributionIn(Schema):
    model_config = ConfigDict(str_strip_whitespace=True)

    amount: AmountMinor = Field(..., description=AMOUNT_HELP)
    currency: CurrencyCode = Field(..., max_length=3, description=CURRENCY_HELP)
    frequency: Literal["one_off", "monthly", "annual"]
    email: Email | None = Field(None, max_length=254, description="Not needed when signed in.")
    name: Text = Field("", max_length=200)
    payment_method: PaymentMethodId = Field(
        ..., max_length=255, description="A pm_… id from Stripe.js (a card_… id for a one-off gift)."
    )
    cover_fee: StrictBool = False
    campaign: Slug = Field("", max_length=100)
    source: Text = Field("", max_length=20)
    ref: Text = Field("", max_length=500)
    variant: Text = Field(
        "", max_length=100, description="The banner message and variant the reader clicked."
    )
    utm_source: Text = Field("", max_length=100)
    utm_medium: Text = Field("", max_length=100)
    utm_campaign: Text = Field("", max_length=100)
    utm_term: Text = Field("", max_length=100)
    utm_content: Text = Field("", max_length=100)
    dedication: Text = Field("", max_length=200)
    anonymous: StrictBool = False


class UpgradeIn(Schema):
    amount: AmountMinor | None = Field(None, description="Monthly amount in minor units; default: suggested.")


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
    """Offered for a paid one-off gift whose card was saved, until accepted (the thank-you page's rule)."""
    amount = upgrade_offer_amount(gift=contribution)
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
