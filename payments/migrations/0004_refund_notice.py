"""The reader's email about a refund: one RefundNotice per refund ledger entry, with its stamps."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0003_webhook_event_retry"),
    ]

    operations = [
        migrations.CreateModel(
            name="RefundNotice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "claimed_at",
                    models.DateTimeField(
                        blank=True,
                        editable=False,
                        help_text="When a worker took the email to send it.",
                        null=True,
                    ),
                ),
                ("sent_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "ledger_entry",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="refund_notice",
                        to="payments.ledgerentry",
                    ),
                ),
            ],
            options={
                "verbose_name": "refund notice",
                "verbose_name_plural": "refund notices",
            },
        ),
    ]
