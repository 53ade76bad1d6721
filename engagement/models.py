"""Campaigns with goals, banner messages and their variants, the counts of what readers did with them,
and the live figures a banner's text may quote."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from engagement.contrast import MIN_CONTRAST, contrast_ratio
from engagement.placeholders import FIGURE_NAMES, unknown_placeholders

HEX_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
HEX_COLOUR = RegexValidator(HEX_PATTERN, _("Enter a colour as #rrggbb, for example #1a1a1a."))


class Campaign(models.Model):
    """A fundraising story with its own page, an optional goal and the gifts made through it."""

    class Goal(models.TextChoices):
        NONE = "", _("No goal")
        MONEY = "money", _("Money raised")
        MEMBERS = "members", _("New members")

    slug = models.SlugField(_("slug"), max_length=100, unique=True, help_text=_("Its page: /support/<slug>/"))
    name = models.CharField(_("name"), max_length=200)
    headline = models.CharField(_("headline"), max_length=200)
    story = models.TextField(_("story"), blank=True, help_text=_("Paragraphs separated by a blank line."))
    image = models.ImageField(_("image"), upload_to="campaigns/", blank=True)
    image_alt = models.CharField(_("image description"), max_length=300, blank=True)
    goal_kind = models.CharField(_("goal"), max_length=10, choices=Goal.choices, blank=True, default="")
    goal_amount_minor = models.BigIntegerField(
        _("goal amount (minor units)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    goal_currency = models.CharField(_("goal currency"), max_length=3, blank=True)
    goal_members = models.PositiveIntegerField(
        _("goal in new members"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    starts_on = models.DateField(_("starts on"), help_text=_("Gifts count toward the goal from this day."))
    ends_on = models.DateField(_("ends on"), null=True, blank=True, help_text=_("The deadline (inclusive)."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(goal_kind="money")
                | Q(goal_amount_minor__gt=0, goal_currency__regex=r"^[A-Z]{3}$"),
                name="campaign_money_goal_complete",
            ),
            models.CheckConstraint(
                condition=~Q(goal_kind="members") | Q(goal_members__gt=0),
                name="campaign_members_goal_complete",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.goal_currency = self.goal_currency.strip().upper()
        if self.goal_kind == self.Goal.MONEY and not (self.goal_amount_minor and self.goal_currency):
            raise ValidationError(_("A money goal needs an amount and a currency."))
        if self.goal_kind == self.Goal.MEMBERS and not self.goal_members:
            raise ValidationError({"goal_members": _("A members goal needs a number of members.")})
        if self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A campaign cannot end before it starts.")})


class BannerMessage(models.Model):
    """What the banner says to whom: targeting, frequency, and the experiment between its variants."""

    class TestMode(models.TextChoices):
        FIXED = "fixed", _("Fixed split (z-test at a fixed sample size)")
        BANDIT = "bandit", _("Bandit (Thompson sampling on revenue per view)")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=40, unique=True, help_text=_("Names it in the attribution of every gift.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    priority = models.IntegerField(_("priority"), default=0, help_text=_("Higher is chosen first."))
    site = models.CharField(_("site"), max_length=100, blank=True, help_text=_("Empty: every site."))
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=settings.LANGUAGES, help_text=_("Empty: any.")
    )
    countries = models.CharField(
        _("countries"), max_length=300, blank=True, help_text=_("ISO codes, comma-separated; empty: any.")
    )
    sections = models.CharField(
        _("sections"), max_length=500, blank=True, help_text=_("Comma-separated; empty: any section.")
    )
    tags = models.CharField(
        _("tags"), max_length=500, blank=True, help_text=_("Comma-separated; an article with any of them.")
    )
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    min_article_views = models.PositiveSmallIntegerField(
        _("article views before showing"), default=3, validators=[MaxValueValidator(50)]
    )
    dismissals_before_pause = models.PositiveSmallIntegerField(
        _("dismissals before a pause"), default=1, validators=[MinValueValidator(1)]
    )
    pause_days = models.PositiveSmallIntegerField(_("pause (days)"), default=7)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="banner_messages",
        help_text=_("Links go to its page and gifts count toward its goal."),
    )
    show_ticker = models.BooleanField(_("show the campaign's goal ticker"), default=False)
    test_mode = models.CharField(
        _("experiment"), max_length=10, choices=TestMode.choices, default=TestMode.FIXED
    )
    expected_conversion_bp = models.PositiveIntegerField(
        _("expected conversion (basis points)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(9999)],
        # xgettext:no-python-format
        help_text=_("For the fixed split's sample size: 20 = 0.20% of views give."),
    )
    minimum_lift_percent = models.PositiveIntegerField(
        _("smallest lift worth detecting (%)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("banner message")
        verbose_name_plural = _("banner messages")
        ordering = ["-priority", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A message cannot end before it starts.")})
        if self.show_ticker and not (self.campaign and self.campaign.goal_kind):
            raise ValidationError({"show_ticker": _("The ticker needs a campaign with a goal.")})


class BannerVariant(models.Model):
    """One version of a message's words and colours; gifts carry its code (`<message>:<key>`)."""

    message = models.ForeignKey(BannerMessage, on_delete=models.CASCADE, related_name="variants")
    key = models.SlugField(_("key"), max_length=20, help_text=_("For example a, b or control."))
    headline = models.CharField(_("headline"), max_length=200)
    body = models.TextField(
        _("body"),
        max_length=1000,
        help_text=_("May quote live figures: {reader_share_last_year}, {members}."),
    )
    primary_label = models.CharField(_("membership button"), max_length=60, default=_("Become a member"))
    secondary_label = models.CharField(_("one-off button"), max_length=60, default=_("Support us just once"))
    show_card_marks = models.BooleanField(_("show the card marks"), default=True)
    background_colour = models.CharField(
        _("background"), max_length=7, default="#fff6d9", validators=[HEX_COLOUR]
    )
    text_colour = models.CharField(_("text"), max_length=7, default="#1d1d1b", validators=[HEX_COLOUR])
    button_colour = models.CharField(_("button"), max_length=7, default="#0b57a4", validators=[HEX_COLOUR])
    button_text_colour = models.CharField(
        _("button text"), max_length=7, default="#ffffff", validators=[HEX_COLOUR]
    )
    weight = models.PositiveIntegerField(
        _("traffic weight"),
        default=1,
        help_text=_("Its share of views in a fixed split (weights are relative)."),
    )
    bandit_weight_permille = models.PositiveIntegerField(
        _("bandit weight (‰)"), null=True, blank=True, editable=False
    )
    bandit_explanation = models.TextField(_("why this weight"), blank=True, editable=False)
    bandit_updated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("banner variant")
        verbose_name_plural = _("banner variants")
        ordering = ["message", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "key"], name="variant_key_unique_per_message")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"{self.message.slug}:{self.key}"

    def clean(self) -> None:
        for field in ("headline", "body"):
            unknown = unknown_placeholders(getattr(self, field) or "")
            if unknown:
                raise ValidationError(
                    {
                        field: _("Unknown figure %(names)s; the banner knows %(known)s.")
                        % {
                            "names": ", ".join(f"{{{name}}}" for name in unknown),
                            "known": ", ".join(f"{{{name}}}" for name in FIGURE_NAMES),
                        }
                    }
                )
        pairs = [
            ("text_colour", self.text_colour, self.background_colour),
            ("button_text_colour", self.button_text_colour, self.button_colour),
        ]
        for field, foreground, background in pairs:
            if HEX_PATTERN.match(foreground or "") and HEX_PATTERN.match(background or ""):
                ratio = contrast_ratio(foreground, background)
                if ratio < MIN_CONTRAST:
                    raise ValidationError(
                        {
                            field: _("Contrast %(ratio).2f:1 is too low; readers need at least %(min)s:1.")
                            % {"ratio": ratio, "min": MIN_CONTRAST}
                        }
                    )


class VariantCounts(models.Model):
    """What readers did with a variant, added by the event flush (never by the admin form)."""

    variant = models.OneToOneField(BannerVariant, on_delete=models.CASCADE, related_name="counts")
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    dismissals = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("variant counts")
        verbose_name_plural = _("variant counts")

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.impressions} views"


class EventBatch(models.Model):
    """A batch of banner events already counted: the flush skips a batch id it finds here."""

    batch_id = models.UUIDField(unique=True)
    events = models.PositiveIntegerField()
    counted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.batch_id)


class LiveFigure(models.Model):
    """A figure from reporting that banner texts quote, recomputed hourly (`engagement.tasks`)."""

    name = models.SlugField(max_length=50, unique=True)
    value = models.BigIntegerField(help_text=_("A count, or a share in basis points."))
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
