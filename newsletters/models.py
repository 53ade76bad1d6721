"""Newsletters, the readers' sign-ups to them (double opt-in, with the consent they gave) and the
append-only history of every request, confirmation and unsubscribe."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Newsletter(models.Model):
    """A list the newsroom sends with its mailing tool; the platform collects and proves the sign-ups."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    frequency = models.CharField(
        _("how often"), max_length=100, blank=True, help_text=_("e.g. Every weekday")
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    is_active = models.BooleanField(_("open for sign-ups"), default=True)
    is_default = models.BooleanField(
        _("offered in the footer"),
        default=False,
        help_text=_("The footer's and the thank-you page's form sign readers up to these."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class NewsletterSignup(models.Model):
    """One email on one newsletter. It counts only once confirmed: until then it is a request."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Signed up")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    newsletter = models.ForeignKey(Newsletter, on_delete=models.PROTECT, related_name="signups")
    email = models.EmailField(_("email"), max_length=254, help_text=_("Stored in lower case."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    language = models.CharField(_("language"), max_length=10, default="en")
    source = models.CharField(_("signed up from"), max_length=30, blank=True)
    consent_text = models.TextField(_("consent shown"), help_text=_("The sentence the reader agreed to."))
    consent_at = models.DateTimeField(_("consent given at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("newsletter sign-up")
        verbose_name_plural = _("newsletter sign-ups")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["newsletter", "email"], name="newsletter_signup_one_per_email"),
            models.CheckConstraint(condition=Q(email=Lower("email")), name="signup_email_lower"),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="signup_confirmed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="signup_status_updated")]

    def __str__(self) -> str:
        return f"{self.email} · {self.newsletter}"


class SignupEvent(models.Model):
    """What happened to a sign-up, and how: the proof of consent and of its withdrawal. Never edited."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    signup = models.ForeignKey(NewsletterSignup, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("what"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("when"))
    how = models.CharField(
        _("how"), max_length=30, help_text=_("footer, link, one_click, preferences, admin, …")
    )
    consent_text = models.TextField(_("consent shown"), blank=True)
    webhook_delivered_at = models.DateTimeField(_("webhook delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up event")
        verbose_name_plural = _("sign-up events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"
