"""Attribution by banner variant: a fourth dimension of the attribution rollup.

Every contribution and membership before this migration has no variant, so the variant rows of the
past are the campaign rows summed over campaigns, with the value "" (what a rebuild would write).
"""

from collections import defaultdict

from django.db import migrations, models

KEY = ("day", "currency", "settlement_currency", "frequency")
SUMS = ("gifts", "amount_minor", "settlement_amount_minor", "new_members", "members_ended_early")


def variant_rows(apps, schema_editor):
    rollup = apps.get_model("reporting", "DailyAttributionRollup")
    sums: dict = defaultdict(lambda: [0] * len(SUMS))
    for row in rollup.objects.filter(dimension="campaign").values_list(*KEY, *SUMS).iterator(chunk_size=5000):
        totals = sums[row[: len(KEY)]]
        for index, amount in enumerate(row[len(KEY) :]):
            totals[index] += amount
    rollup.objects.bulk_create(
        (
            rollup(
                dimension="variant",
                value="",
                **dict(zip(KEY, key, strict=True)),
                **dict(zip(SUMS, totals, strict=True)),
            )
            for key, totals in sums.items()
        ),
        batch_size=5000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0007_cohort_sizes_and_indexes"),
        ("payments", "0005_banner_variant"),
        ("membership", "0006_banner_variant"),
    ]

    operations = [
        migrations.AlterField(
            model_name="dailyattributionrollup",
            name="dimension",
            field=models.CharField(
                choices=[
                    ("campaign", "Campaign"),
                    ("source", "Source"),
                    ("ref", "Referring article"),
                    ("variant", "Banner variant"),
                ],
                max_length=10,
            ),
        ),
        migrations.RunPython(variant_rows, migrations.RunPython.noop),
    ]
