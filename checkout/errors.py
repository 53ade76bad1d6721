"""Domain errors of checkout; the API maps each to one JSON shape `{error: {code, message, field}}`."""

from __future__ import annotations

from django.utils.translation import gettext as _


class CheckoutError(Exception):
    """A request checkout refuses; `message` is translated and safe to show a reader."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def as_dict(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        return {"error": error}


class NotFoundError(CheckoutError):
    status = 404


class IdempotencyConflictError(CheckoutError):
    status = 409


class RateLimitedError(CheckoutError):
    status = 429

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field, code="rate_limited")
        self.retry_after = retry_after


def decline_message(code: str | None) -> str:
    """A reader-safe reason for a failed payment, from Stripe's decline or error code."""
    messages = {
        "insufficient_funds": _("Your card has insufficient funds. Please try another card."),
        "expired_card": _("Your card has expired. Please try another card."),
        "incorrect_cvc": _("The security code of your card is incorrect."),
        "incorrect_number": _("The card number is incorrect."),
        "processing_error": _("Your bank could not process the payment. Please try again."),
        "payment_intent_authentication_failure": _(
            "Your bank could not confirm it was you. Please try again or use another card."
        ),
        "authentication_required": _("Your bank needs to confirm it is you. Please try again."),
    }
    return messages.get(code or "", _("Your card was declined. Please try another card."))


class ForbiddenError(CheckoutError):
    status = 403


class PaymentUnavailableError(CheckoutError):
    """Stripe could not be reached, was too slow or failed: 502, with what the reader needs to know.

    Before any call that can take money was sent, nothing was charged and the reader may simply try
    again; after one, the outcome is unknown, and pressing again with the same Idempotency-Key asks
    Stripe what happened without charging twice.
    """

    status = 502

    def __init__(self, *, charge_sent: bool) -> None:
        if charge_sent:
            message = _(
                "We could not confirm your payment yet. Press the button again to check: "
                "you will not be charged twice."
            )
        else:
            message = _(
                "Payments are unavailable right now. Nothing was charged. Please try again in a few minutes."
            )
        super().__init__(message, code="payment_unavailable")
        self.charge_sent = charge_sent
