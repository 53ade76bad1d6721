"""Card-testing protection for checkout: attempts per IP and per email, failures per card fingerprint."""

from django.conf import settings
from django.utils.translation import gettext as _

from checkout import ratelimit
from checkout.errors import CheckoutError, RateLimitedError
from payments import gateway

CARD_FAILURES = "checkout-card-failures"


def limit(*, scope: str, value: str, rate: ratelimit.Rate, message: str) -> None:
    retry_after = ratelimit.hit(scope=scope, value=value, rate=rate)
    if retry_after is not None:
        raise RateLimitedError(message, retry_after=retry_after)


def check_ip_rate(*, ip: str, tightened: bool) -> None:
    rate = ratelimit.parse_rate(settings.CHECKOUT_RATE_LIMIT)
    if tightened:
        rate = rate.divided(settings.CHECKOUT_BREAKER_RATE_DIVISOR)
    limit(
        scope="checkout-ip",
        value=ip,
        rate=rate,
        message=_("Too many payment attempts from your connection. Please wait and try again later."),
    )


def check_email_rate(*, email: str) -> None:
    limit(
        scope="checkout-email",
        value=email,
        rate=ratelimit.parse_rate(settings.CHECKOUT_EMAIL_RATE_LIMIT),
        message=_("Too many payment attempts for this email address. Please try again later."),
    )


def card_for_checkout(payment_method_id: str) -> gateway.CardDetails:
    """Brand, last four and fingerprint of the card; refused when it failed too often lately.

    Only Stripe saying the payment method is invalid or unknown is the card's fault; Stripe unreachable,
    slow or failing (GatewayError) goes up unchanged, so the reader hears payments are unavailable.
    """
    try:
        card = gateway.retrieve_card(payment_method_id)
    except gateway.CardError:
        raise CheckoutError(
            _("We could not read this card. Please enter it again."), field="payment_method"
        ) from None
    if card.fingerprint:
        rate = ratelimit.parse_rate(settings.CHECKOUT_CARD_FAILURE_LIMIT)
        retry_after = ratelimit.exceeded(scope=CARD_FAILURES, value=card.fingerprint, rate=rate)
        if retry_after is not None:
            raise RateLimitedError(
                _("This card was declined too many times. Please use another card or try again later."),
                retry_after=retry_after,
                field="payment_method",
            )
    return card


def record_card_failure(card: gateway.CardDetails | None) -> None:
    """Count a failed payment against the card, so a card being tested is refused before Stripe is asked."""
    if card is not None and card.fingerprint:
        ratelimit.hit(
            scope=CARD_FAILURES,
            value=card.fingerprint,
            rate=ratelimit.parse_rate(settings.CHECKOUT_CARD_FAILURE_LIMIT),
        )
