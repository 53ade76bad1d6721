"""Stripe webhooks: the receiving view, the processing pipeline and one handler per event type."""
