"""New members and early ends in the attribution rollup, so the report reads no membership rows.

Backfilled here from the membership history with the historical models: each membership's first
event counts it as a new member on its start day, in each dimension; an `ended` within 90 days of
that start counts it, once, as ended early.
"""

from collections import defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations, models

RETENTION = timedelta(days=90)


def backfill(apps, schema_editor):
    events = apps.get_model("membership", "MembershipEvent")
    states = apps.get_model("reporting", "MembershipMrrState")
    rollup = apps.get_model("reporting", "DailyAttributionRollup")
    zone = ZoneInfo(settings.REPORTING_TIME_ZONE)
    starts: dict[int, tuple] = {}
    early: set[int] = set()
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    names = ("membership_id", "kind", "occurred_at", "currency", "membership__interval")
    attribution = ("membership__campaign", "membership__source", "membership__ref")
    for membership_id, kind, occurred_at, currency, interval, *values in (
        events.objects.order_by("id").values_list(*names, *attribution).iterator(chunk_size=5000)
    ):
        if membership_id not in starts:
            starts[membership_id] = (occurred_at, currency)
            column = 0
        elif kind == "ended" and membership_id not in early and occurred_at < starts[membership_id][0] + RETENTION:
            early.add(membership_id)
            column = 1
        else:
            continue
        started_at, first_currency = starts[membership_id]
        frequency = "annual" if interval == "year" else "monthly"
        day = started_at.astimezone(zone).date()
        for dimension, value in zip(("campaign", "source", "ref"), values, strict=True):
            sums[(dimension, day, first_currency, "", frequency, value)][column] += 1
    for (dimension, day, currency, settlement, frequency, value), (new, ended) in sums.items():
        row, _created = rollup.objects.get_or_create(
            dimension=dimension, day=day, currency=currency, settlement_currency=settlement,
            frequency=frequency, value=value,
        )  # fmt: skip
        row.new_members += new
        row.members_ended_early += ended
        row.save(update_fields=["new_members", "members_ended_early"])
    for membership_id, (started_at, _currency) in starts.items():
        states.objects.filter(membership_id=membership_id).update(
            started_at=started_at, ended_early=membership_id in early
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0004_narrower_rollups"),
        ("membership", "0005_manage_membership_permission"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailyattributionrollup",
            name="new_members",
            field=models.BigIntegerField(
                default=0, db_default=0, help_text="Memberships whose first event (started or reactivated) fell on this day."
            ),
        ),
        migrations.AddField(
            model_name="dailyattributionrollup",
            name="members_ended_early",
            field=models.BigIntegerField(
                default=0, db_default=0, help_text="Of those, how many ended within 90 days of starting (counted on the start day)."
            ),
        ),
        migrations.AddField(
            model_name="membershipmrrstate",
            name="started_at",
            field=models.DateTimeField(help_text="The moment of the membership's first event.", null=True),
        ),
        migrations.AddField(
            model_name="membershipmrrstate",
            name="ended_early",
            field=models.BooleanField(default=False, help_text="Counted once as ended within 90 days of starting."),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
