"""The ledger: append-only entries, refunds and disputes, payouts, and reconciliation with Stripe."""
