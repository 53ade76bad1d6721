"""Narrower rollups, so a year of reports reads a few thousand rows instead of a hundred thousand.

The ledger rollup loses its campaign (revenue by campaign is the attribution rollup's); the
attribution rollup keeps one row per dimension (campaign, source, referring article) and value
instead of one per combination. Existing rows are summed into the new keys, so no figure changes.
"""

from collections import defaultdict

from django.db import migrations, models

LEDGER_KEY = ("day", "currency", "kind", "frequency", "settlement_currency")
LEDGER_SUMS = ("amount_minor", "settlement_amount_minor", "entries")
ATTRIBUTION_KEY = ("day", "currency", "settlement_currency", "frequency")
ATTRIBUTION_SUMS = ("gifts", "amount_minor", "settlement_amount_minor")


def merge_ledger_rows(apps, schema_editor):
    rollup = apps.get_model("reporting", "DailyLedgerRollup")
    sums: dict = defaultdict(lambda: [0, 0, 0])
    for row in rollup.objects.values_list(*LEDGER_KEY, *LEDGER_SUMS).iterator(chunk_size=5000):
        totals = sums[row[: len(LEDGER_KEY)]]
        for index, amount in enumerate(row[len(LEDGER_KEY) :]):
            totals[index] += amount
    rollup.objects.all().delete()
    rollup.objects.bulk_create(
        (
            rollup(**dict(zip(LEDGER_KEY, key, strict=True)), **dict(zip(LEDGER_SUMS, totals, strict=True)))
            for key, totals in sums.items()
        ),
        batch_size=5000,
    )


def split_attribution_rows(apps, schema_editor):
    rollup = apps.get_model("reporting", "DailyAttributionRollup")
    sums: dict = defaultdict(lambda: [0, 0, 0])
    names = (*ATTRIBUTION_KEY, "campaign", "source", "ref", *ATTRIBUTION_SUMS)
    for row in rollup.objects.values_list(*names).iterator(chunk_size=5000):
        record = dict(zip(names, row, strict=True))
        for dimension in ("campaign", "source", "ref"):
            totals = sums[(*row[: len(ATTRIBUTION_KEY)], dimension, record[dimension])]
            for index, name in enumerate(ATTRIBUTION_SUMS):
                totals[index] += record[name]
    rollup.objects.all().delete()
    key_names = (*ATTRIBUTION_KEY, "dimension", "value")
    rollup.objects.bulk_create(
        (
            rollup(
                **dict(zip(key_names, key, strict=True)), **dict(zip(ATTRIBUTION_SUMS, totals, strict=True))
            )
            for key, totals in sums.items()
        ),
        batch_size=5000,
    )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0003_attribution_rollup")]

    operations = [
        migrations.RemoveConstraint(model_name="dailyledgerrollup", name="daily_ledger_rollup_key"),
        migrations.RunPython(merge_ledger_rows, migrations.RunPython.noop),
        migrations.RemoveField(model_name="dailyledgerrollup", name="campaign"),
        migrations.AddConstraint(
            model_name="dailyledgerrollup",
            constraint=models.UniqueConstraint(fields=list(LEDGER_KEY), name="daily_ledger_rollup_key"),
        ),
        migrations.RemoveConstraint(model_name="dailyattributionrollup", name="attribution_rollup_key"),
        migrations.AddField(
            model_name="dailyattributionrollup",
            name="dimension",
            field=models.CharField(
                choices=[("campaign", "Campaign"), ("source", "Source"), ("ref", "Referring article")],
                default="campaign",
                max_length=10,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="dailyattributionrollup",
            name="value",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.RunPython(split_attribution_rows, migrations.RunPython.noop),
        migrations.RemoveField(model_name="dailyattributionrollup", name="campaign"),
        migrations.RemoveField(model_name="dailyattributionrollup", name="source"),
        migrations.RemoveField(model_name="dailyattributionrollup", name="ref"),
        migrations.AddConstraint(
            model_name="dailyattributionrollup",
            constraint=models.UniqueConstraint(
                fields=["dimension", "day", "currency", "settlement_currency", "frequency", "value"],
                name="attribution_rollup_key",
            ),
        ),
    ]
