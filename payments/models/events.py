"""Stripe events as received, their processing history, and resumable import runs."""

import json

from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.Model):
    """A Stripe event exactly as received; unique on Stripe's id so duplicates are stored once."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSING = "processing", _("Processing")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", _("Failed")

    stripe_event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    api_version = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=255, blank=True)
    stripe_created_at = models.DateTimeField(null=True, blank=True)
    payload = models.TextField(help_text=_("The event's JSON exactly as Stripe sent it."))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When a worker last took the event; a stale claim is taken over.")
    )
    claimed_by = models.CharField(
        max_length=255,
        blank=True,
        db_default="",
        help_text=_("The task that holds the event, or will retry it: only it may run it early."),
    )
    retry_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Not before: when the next try of a failed attempt is due.")
    )

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        # Every index is paid for by each webhook's INSERT (the hot path), so only what a query uses:
        # exact lookups (no LIKE indexes), newest first by id, and the few unsettled rows the sweep reads.
        constraints = [
            models.UniqueConstraint(fields=["stripe_event_id"], name="webhookevent_unique_stripe_event_id"),
        ]
        indexes = [
            models.Index(fields=["type", "id"], name="webhookevent_type_id"),
            models.Index(fields=["object_id"], name="webhookevent_object_id"),
            models.Index(
                fields=["status", "received_at"],
                name="webhookevent_unsettled",
                condition=models.Q(status__in=["received", "processing", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_event_id} ({self.status})"

    @property
    def payload_data(self) -> dict:
        """The stored body parsed. It is kept as text: storing it is the webhook's hot path, and text
        (compressed with lz4 on PostgreSQL) costs the database less than parsing it into jsonb."""
        return json.loads(self.payload)


class WebhookEventAttempt(models.Model):
    """One run of an event's handler: the processing history staff read when an event fails."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        RETRYING = "retrying", _("Failed, will retry")
        FAILED = "failed", _("Failed")
        ABANDONED = "abandoned", _("Abandoned: the worker running it was lost")

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="attempts_log")
    trigger = models.CharField(max_length=20, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    note = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    traceback = models.TextField(blank=True)

    class Meta:
        verbose_name = _("Stripe event attempt")
        verbose_name_plural = _("Stripe event attempts")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.outcome} at {self.started_at:%Y-%m-%d %H:%M:%S}"


class ImportRun(models.Model):
    """A resumable import_stripe run: the cursor per Stripe resource lets an interrupted run continue."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cursors = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("Stripe import run")
        verbose_name_plural = _("Stripe import runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        state = "finished" if self.finished_at else "unfinished"
        return f"Import {self.started_at:%Y-%m-%d %H:%M} ({state})"
