"""The only code that talks to Stripe: this package is the only one that imports `stripe`.

It builds the client from settings and returns frozen dataclasses. Parsing accepts both the shapes
of localstripe (API 2017-08-15) and today's Stripe shapes, so no other module reads Stripe objects.
Money-moving calls take an idempotency key derived from our rows.

Callers use the package, never a submodule: `from payments import gateway; gateway.X`; the
submodules import each other directly (the package imports them, never the reverse). By concern:

- `connection`: the client from settings, the call and paging helpers; `errors`: `GatewayError`/`CardError`;
- `amounts`: Stripe's amount rules per currency (one table) and the one conversion between our CLDR
  minor units and Stripe's integers (no `stripe` import);
- `shapes`, `billing_shapes`: the dataclasses and their parsers (no `stripe` import), which convert
  every amount they read to our minor units;
- `customers`, `intents` (intents, cards, charges, balance transactions, refunds), `billing`
  (plans, subscriptions, invoices), `events` (webhook verification, listings, payouts), and
  `offline` (the card payment method only an offline Stripe may receive).
"""

from payments.gateway.amounts import (
    STRIPE_CURRENCY_RULES,
    AmountNotAcceptedError,
    StripeCurrencyRule,
    UnexpectedStripeAmountError,
    from_stripe_amount,
    round_up_to_step,
    smallest_step_minor,
    stripe_rule,
    to_stripe_amount,
)
from payments.gateway.billing import (
    cancel_subscription,
    create_subscription,
    get_or_create_plan,
    invoice_payment_intent_id,
    retrieve_invoice,
    retrieve_subscription,
    subscription_from_payload,
)
from payments.gateway.billing_shapes import (
    FREQUENCY_OF_INTERVAL,
    INTERVAL_OF_FREQUENCY,
    Invoice,
    Plan,
    Subscription,
    parse_invoice,
    parse_invoice_payment_intent_ids,
    parse_plan,
    parse_subscription,
)
from payments.gateway.connection import client, stripe_budget, to_dict
from payments.gateway.customers import (
    create_customer,
    delete_customer,
    ping,
    retrieve_customer,
    set_default_payment_method,
)
from payments.gateway.errors import CardError, GatewayError
from payments.gateway.events import (
    LISTS,
    InvalidWebhookError,
    MalformedEventError,
    list_objects,
    list_payout_balance_transactions,
    verify_webhook,
)
from payments.gateway.intents import (
    INTENT_EXPAND,
    attach_payment_method,
    confirm_payment_intent,
    create_payment_intent,
    create_refund,
    list_charge_refunds,
    retrieve_balance_transaction,
    retrieve_card,
    retrieve_charge,
    retrieve_payment_intent,
    retrieve_refund,
)
from payments.gateway.localstripe_adapter import is_offline_stripe
from payments.gateway.offline import OfflineOnlyError, create_card_payment_method_offline
from payments.gateway.shapes import (
    BalanceTransaction,
    CardDetails,
    Charge,
    Customer,
    Dispute,
    Event,
    PaymentIntent,
    PaymentMethod,
    Payout,
    Refund,
    datetime_from_stripe,
    event_time,
    object_id,
    parse_balance_transaction,
    parse_card,
    parse_charge,
    parse_customer,
    parse_dispute,
    parse_event,
    parse_payment_intent,
    parse_payout,
    parse_refund,
    timestamp_from_stripe,
)
from payments.gateway.subscription_changes import (
    change_subscription_plan,
    create_setup_intent,
    create_subscription_from,
    open_invoice_ids,
    pay_open_invoice,
    push_next_charge,
    retrieve_setup_intent,
    set_cancel_at_period_end,
)

__all__ = [
    "FREQUENCY_OF_INTERVAL",
    "INTENT_EXPAND",
    "INTERVAL_OF_FREQUENCY",
    "LISTS",
    "STRIPE_CURRENCY_RULES",
    "AmountNotAcceptedError",
    "BalanceTransaction",
    "CardDetails",
    "CardError",
    "Charge",
    "Customer",
    "Dispute",
    "Event",
    "GatewayError",
    "InvalidWebhookError",
    "Invoice",
    "MalformedEventError",
    "OfflineOnlyError",
    "PaymentIntent",
    "PaymentMethod",
    "Payout",
    "Plan",
    "Refund",
    "StripeCurrencyRule",
    "Subscription",
    "UnexpectedStripeAmountError",
    "attach_payment_method",
    "cancel_subscription",
    "change_subscription_plan",
    "client",
    "confirm_payment_intent",
    "create_card_payment_method_offline",
    "create_customer",
    "create_payment_intent",
    "create_refund",
    "create_setup_intent",
    "create_subscription",
    "create_subscription_from",
    "datetime_from_stripe",
    "delete_customer",
    "event_time",
    "from_stripe_amount",
    "get_or_create_plan",
    "invoice_payment_intent_id",
    "is_offline_stripe",
    "list_charge_refunds",
    "list_objects",
    "list_payout_balance_transactions",
    "object_id",
    "open_invoice_ids",
    "parse_balance_transaction",
    "parse_card",
    "parse_charge",
    "parse_customer",
    "parse_dispute",
    "parse_event",
    "parse_invoice",
    "parse_invoice_payment_intent_ids",
    "parse_payment_intent",
    "parse_payout",
    "parse_plan",
    "parse_refund",
    "parse_subscription",
    "pay_open_invoice",
    "ping",
    "push_next_charge",
    "retrieve_balance_transaction",
    "retrieve_card",
    "retrieve_charge",
    "retrieve_customer",
    "retrieve_invoice",
    "retrieve_payment_intent",
    "retrieve_refund",
    "retrieve_setup_intent",
    "retrieve_subscription",
    "round_up_to_step",
    "set_cancel_at_period_end",
    "set_default_payment_method",
    "smallest_step_minor",
    "stripe_budget",
    "stripe_rule",
    "subscription_from_payload",
    "timestamp_from_stripe",
    "to_dict",
    "to_stripe_amount",
    "verify_webhook",
]
