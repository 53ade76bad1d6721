"""Rollups the reports read instead of the base tables: kept up to date as each row is written.

Each rollup row is a sum over the base rows with the same key; `manage.py rebuild_rollups` recomputes
them all from the base tables, and `tests/reporting/test_rollups.py` proves both ways agree.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyLedgerRollup(models.Model):
    """The ledger summed per local day, currency, kind of entry, frequency of the gift and settlement.

    Revenue by campaign is in the attribution rollup; without it here a year is a few thousand rows.
    """

    day = models.DateField(help_text=_("The entry's day in the newsroom's time zone (REPORTING_TIME_ZONE)."))
    currency = models.CharField(max_length=3)
    kind = models.CharField(max_length=20)
    frequency = models.CharField(
        max_length=10, help_text=_("one_off, monthly, annual, or empty when unknown.")
    )
    settlement_currency = models.CharField(max_length=3, blank=True)
    amount_minor = models.BigIntegerField(default=0)
    settlement_amount_minor = models.BigIntegerField(default=0)
    entries = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("daily ledger rollup")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "currency", "kind", "frequency", "settlement_currency"],
                name="daily_ledger_rollup_key",
            )
        ]
        # A range's rows read from the index alone (PostgreSQL): a year of them in a few milliseconds.
        indexes = [
            models.Index(
                fields=["day"],
                include=[
                    "currency",
                    "kind",
                    "frequency",
                    "settlement_currency",
                    "amount_minor",
                    "settlement_amount_minor",
                    "entries",
                ],
                name="ledger_rollup_by_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.currency} {self.kind} {self.amount_minor}"


class DailyMrrMovement(models.Model):
    """MRR moved per local day, currency and kind of movement; MRR at the end of a day is the sum to it."""

    class Movement(models.TextChoices):
        NEW = "new", _("New")
        EXPANSION = "expansion", _("Expansion")
        CONTRACTION = "contraction", _("Contraction")
        CHURNED = "churned", _("Churned")
        REACTIVATED = "reactivated", _("Reactivated")

    day = models.DateField(help_text=_("The event's day in the newsroom's time zone (REPORTING_TIME_ZONE)."))
    currency = models.CharField(max_length=3)
    movement = models.CharField(max_length=20, choices=Movement.choices)
    amount_minor = models.BigIntegerField(default=0, help_text=_("Signed change of MRR, monthly-equivalent."))
    memberships = models.BigIntegerField(default=0, help_text=_("Signed change of counted memberships."))

    class Meta:
        verbose_name = _("daily MRR movement")
        constraints = [
            models.UniqueConstraint(fields=["day", "currency", "movement"], name="mrr_movement_key")
        ]
        indexes = [
            models.Index(
                fields=["day"],
                include=["currency", "movement", "amount_minor", "memberships"],
                name="mrr_by_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.currency} {self.movement} {self.amount_minor}"


class MembershipMrrState(models.Model):
    """What one membership adds to MRR now: the previous value each new event's movement is taken from."""

    membership_id = models.BigIntegerField(primary_key=True)
    currency = models.CharField(max_length=3)
    counted_minor = models.BigIntegerField(default=0)
    paused = models.BooleanField(default=False)
    ended = models.BooleanField(default=False)
    last_event_id = models.BigIntegerField(default=0)
    started_at = models.DateTimeField(null=True, help_text=_("The moment of the membership's first event."))
    ended_early = models.BooleanField(
        default=False, help_text=_("Counted once as ended within 90 days of starting.")
    )

    class Meta:
        verbose_name = _("membership MRR state")

    def __str__(self) -> str:
        return f"membership {self.membership_id}: {self.counted_minor} {self.currency}"


class DailyAttributionRollup(models.Model):
    """Payments per local day by what brought the reader: one row per dimension (campaign, source,
    referring article) and value, so each charge counts once in each dimension."""

    class Dimension(models.TextChoices):
        CAMPAIGN = "campaign", _("Campaign")
        SOURCE = "source", _("Source")
        REF = "ref", _("Referring article")
        VARIANT = "variant", _("Banner variant")

    day = models.DateField()
    currency = models.CharField(max_length=3)
    settlement_currency = models.CharField(max_length=3, blank=True)
    frequency = models.CharField(max_length=10)
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    value = models.CharField(max_length=500, blank=True)
    gifts = models.BigIntegerField(default=0)
    amount_minor = models.BigIntegerField(default=0)
    settlement_amount_minor = models.BigIntegerField(default=0)
    new_members = models.BigIntegerField(
        default=0,
        db_default=0,
        help_text=_("Memberships whose first event (started or reactivated) fell on this day."),
    )
    members_ended_early = models.BigIntegerField(
        default=0,
        db_default=0,
        help_text=_("Of those, how many ended within 90 days of starting (counted on the start day)."),
    )

    class Meta:
        verbose_name = _("daily attribution rollup")
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "day", "currency", "settlement_currency", "frequency", "value"],
                name="attribution_rollup_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["dimension", "day"],
                include=[
                    "value",
                    "currency",
                    "settlement_currency",
                    "frequency",
                    "gifts",
                    "amount_minor",
                    "settlement_amount_minor",
                    "new_members",
                    "members_ended_early",
                ],
                name="attribution_rollup_by_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension} {self.value or '-'} {self.gifts} gifts"


class DailyOneOffAmount(models.Model):
    """How many one-off gifts of each amount were given per local day: the median comes from it."""

    day = models.DateField()
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField()
    gifts = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("daily one-off gift amounts")
        constraints = [
            models.UniqueConstraint(fields=["day", "currency", "amount_minor"], name="one_off_amount_key")
        ]
        indexes = [
            models.Index(fields=["day"], include=["currency", "amount_minor", "gifts"], name="one_off_by_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.gifts} x {self.amount_minor} {self.currency}"


class DailyMemberMovement(models.Model):
    """Members (people, however many memberships each has) gained or lost per local day."""

    class Movement(models.TextChoices):
        NEW = "new", _("New")
        REACTIVATED = "reactivated", _("Reactivated")
        CHURNED = "churned", _("Churned")
        PAUSED = "paused", _("Paused")
        RESUMED = "resumed", _("Resumed")

    day = models.DateField()
    movement = models.CharField(max_length=20, choices=Movement.choices)
    members = models.BigIntegerField(default=0, help_text=_("Signed change of the member count."))

    class Meta:
        verbose_name = _("daily member movement")
        constraints = [models.UniqueConstraint(fields=["day", "movement"], name="member_movement_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.movement} {self.members}"


class DailyCohortMovement(models.Model):
    """Members of a cohort (the month they first became members) gained or lost per local day."""

    cohort_month = models.DateField()
    day = models.DateField()
    members = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("daily cohort movement")
        constraints = [models.UniqueConstraint(fields=["cohort_month", "day"], name="cohort_movement_key")]

    def __str__(self) -> str:
        return f"cohort {self.cohort_month:%Y-%m} {self.day} {self.members}"


class CohortSize(models.Model):
    """How many contributors first became members in a month: the retention table's first column."""

    cohort_month = models.DateField(primary_key=True)
    members = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("cohort size")

    def __str__(self) -> str:
        return f"{self.cohort_month:%Y-%m}: {self.members}"


class ContributorMemberState(models.Model):
    """How many of a contributor's memberships count now, and whether they were ever a member."""

    contributor_id = models.BigIntegerField(primary_key=True)
    counted_memberships = models.IntegerField(default=0)
    ever_member = models.BooleanField(default=False)
    cohort_month = models.DateField(
        null=True, blank=True, db_index=True, help_text=_("The month they first became a member.")
    )

    class Meta:
        verbose_name = _("contributor member state")

    def __str__(self) -> str:
        return f"contributor {self.contributor_id}: {self.counted_memberships}"


class ExchangeRate(models.Model):
    """What one unit of `currency` was worth in `quote_currency` on a day (staff upload or edit these).

    Used only where Stripe reported no settlement amount in the reporting currency; a day without a
    rate takes the latest earlier one.
    """

    day = models.DateField()
    currency = models.CharField(max_length=3)
    quote_currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=20, decimal_places=10)

    class Meta:
        verbose_name = _("exchange rate")
        ordering = ["-day", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["day", "currency", "quote_currency"], name="exchange_rate_key"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} {self.quote_currency} on {self.day}"


class OtherRevenue(models.Model):
    """Revenue that is not from readers (grants, advertising, events...), entered by staff per month.

    The reader share of revenue is reader revenue / (reader revenue + this), per month and per year.
    """

    class Category(models.TextChoices):
        GRANTS = "grants", _("Grants and foundations")
        ADVERTISING = "advertising", _("Advertising")
        EVENTS = "events", _("Events")
        SERVICES = "services", _("Services and syndication")
        OTHER = "other", _("Other")

    month = models.DateField(help_text=_("The first day of the month the revenue belongs to."))
    category = models.CharField(max_length=20, choices=Category.choices)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(max_length=3)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("other revenue")
        verbose_name_plural = _("other revenue")
        ordering = ["-month", "category"]
        constraints = [
            models.UniqueConstraint(fields=["month", "category", "currency"], name="other_revenue_key"),
            models.CheckConstraint(condition=models.Q(amount_minor__gte=0), name="other_revenue_amount"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="other_revenue_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.category} {self.amount_minor} {self.currency}"


class StaffApiToken(models.Model):
    """A staff member's key for scripts and spreadsheets: only its hash is kept; it is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text=_("What the token is for, e.g. 'finance spreadsheet'."))
    prefix = models.CharField(max_length=12, editable=False, help_text=_("The token's first characters."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("staff API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
