"""The demo's stand-in for Stripe.js (checkout/offline_stripe.py): raw card numbers, offline Stripe only."""

from __future__ import annotations

import stripe
from django.conf import settings

from payments.gateway.connection import _call, client, to_dict
from payments.gateway.errors import CardError, GatewayError
from payments.gateway.shapes import PaymentMethod, parse_card


class OfflineOnlyError(GatewayError):
    """Raw card numbers were about to be sent to real Stripe; only an offline Stripe may receive them."""


def create_card_payment_method_offline(
    *, number: str, exp_month: int, exp_year: int, cvc: str
) -> PaymentMethod:
    """What Stripe.js does in the browser on stripe.com, done server side for localstripe's stand-in.

    Refuses unless STRIPE_API_BASE points at an offline Stripe, so raw numbers never reach real Stripe.
    """
    if not settings.STRIPE_API_BASE or settings.STRIPE_LIVEMODE:
        raise OfflineOnlyError(
            "Raw card numbers are only sent to an offline Stripe (STRIPE_API_BASE is unset)"
        )
    params = {
        "type": "card",
        "card": {"number": number, "exp_month": exp_month, "exp_year": exp_year, "cvc": cvc},
    }
    try:
        result = _call("payment method create", client().v1.payment_methods.create, params)
    except GatewayError as exc:
        # localstripe reports a refused card (e.g. `invalid_expiry_year`) as an invalid request with a code.
        invalid = exc.__cause__
        code = getattr(getattr(invalid, "error", None), "code", None)
        if isinstance(invalid, stripe.InvalidRequestError) and code:
            raise CardError(invalid.user_message or str(invalid), code=code) from invalid
        raise
    data = to_dict(result)
    return PaymentMethod(id=data["id"], card=parse_card(data))
