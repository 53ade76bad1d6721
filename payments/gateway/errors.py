"""The gateway's error types, in a module of their own so that pure modules (amounts, shapes) raise them."""

from __future__ import annotations


class GatewayError(Exception):
    """Stripe could not be reached or refused the request for a reason that is not the card's."""


class CardError(GatewayError):
    """The card was declined (or failed authentication); the message is safe to show a reader."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "card_declined",
        decline_code: str | None = None,
        payment_intent_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.decline_code = decline_code
        self.payment_intent_id = payment_intent_id
