# Squashed 2026-12-01: the unreleased history (payments 0001-0004, membership 0001-0003) starts clean here.

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


LEDGER_GUARD = {
    "postgresql": (
        """
        CREATE OR REPLACE FUNCTION payments_ledger_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'ledger entries are append-only: record a new entry instead';
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER payments_ledger_no_update BEFORE UPDATE ON payments_ledgerentry
            FOR EACH ROW EXECUTE FUNCTION payments_ledger_append_only();
        """,
        """
        DROP TRIGGER IF EXISTS payments_ledger_no_update ON payments_ledgerentry;
        DROP FUNCTION IF EXISTS payments_ledger_append_only();
        """,
    ),
    "sqlite": (
        """
        CREATE TRIGGER payments_ledger_no_update BEFORE UPDATE ON payments_ledgerentry
        BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: record a new entry instead'); END;
        """,
        "DROP TRIGGER IF EXISTS payments_ledger_no_update;",
    ),
}


def _guard(apps, schema_editor, *, index):
    sql = LEDGER_GUARD.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql[index])


def add_ledger_guard(apps, schema_editor):
    """Refuse UPDATE on ledger rows in the database itself (deletes stay possible for test flushes)."""
    _guard(apps, schema_editor, index=0)


def remove_ledger_guard(apps, schema_editor):
    _guard(apps, schema_editor, index=1)


def compress_payload_with_lz4(apps, schema_editor) -> None:
    """lz4 compresses the ~2 KB bodies several times faster than PostgreSQL's default pglz.

    PostgreSQL 14+ built with lz4 (Debian's is); elsewhere the column keeps the default.
    """
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
        )
        if cursor.fetchone():
            cursor.execute("ALTER TABLE payments_webhookevent ALTER COLUMN payload SET COMPRESSION lz4")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField(auto_now_add=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('cursors', models.JSONField(blank=True, default=dict)),
                ('counts', models.JSONField(blank=True, default=dict)),
            ],
            options={
                'verbose_name': 'Stripe import run',
                'verbose_name_plural': 'Stripe import runs',
                'ordering': ['-started_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ReconciliationReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField(auto_now_add=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('since', models.DateTimeField()),
                ('events_seen', models.PositiveIntegerField(default=0)),
                ('events_stored', models.PositiveIntegerField(default=0)),
                ('events_processed', models.PositiveIntegerField(default=0)),
                ('payments_repaired', models.PositiveIntegerField(default=0)),
                ('differences', models.JSONField(blank=True, default=dict)),
                ('totals', models.JSONField(blank=True, default=dict)),
            ],
            options={
                'verbose_name': 'reconciliation report',
                'verbose_name_plural': 'reconciliation reports',
                'ordering': ['-started_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Contributor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254, unique=True, verbose_name='email')),
                ('name', models.CharField(blank=True, max_length=200, verbose_name='name')),
                ('stripe_customer_id', models.CharField(blank=True, max_length=255, null=True, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='contributors', to=settings.AUTH_USER_MODEL, verbose_name='reader account')),
            ],
            options={
                'verbose_name': 'contributor',
                'verbose_name_plural': 'contributors',
            },
        ),
        migrations.CreateModel(
            name='Contribution',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('campaign', models.SlugField(blank=True, max_length=100, verbose_name='campaign')),
                ('source', models.CharField(blank=True, max_length=20, verbose_name='source')),
                ('ref', models.CharField(blank=True, max_length=500, verbose_name='referring article')),
                ('utm_source', models.CharField(blank=True, max_length=100)),
                ('utm_medium', models.CharField(blank=True, max_length=100)),
                ('utm_campaign', models.CharField(blank=True, max_length=100)),
                ('utm_term', models.CharField(blank=True, max_length=100)),
                ('utm_content', models.CharField(blank=True, max_length=100)),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('frequency', models.CharField(choices=[('one_off', 'One-off'), ('monthly', 'Monthly'), ('annual', 'Annual')], max_length=10)),
                ('amount_minor', models.BigIntegerField(verbose_name='amount (minor units)')),
                ('fee_covered_minor', models.BigIntegerField(default=0, verbose_name='processing fee covered (minor units)')),
                ('currency', models.CharField(max_length=3)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('requires_action', 'Requires authentication'), ('succeeded', 'Succeeded'), ('failed', 'Failed'), ('refunded', 'Refunded'), ('partially_refunded', 'Partially refunded'), ('disputed', 'Disputed')], default='pending', max_length=20)),
                ('amount_refunded_minor', models.BigIntegerField(default=0)),
                ('stripe_payment_intent_id', models.CharField(blank=True, max_length=255, null=True, unique=True)),
                ('stripe_invoice_id', models.CharField(blank=True, max_length=255, null=True, unique=True)),
                ('stripe_charge_id', models.CharField(blank=True, db_index=True, max_length=255)),
                ('stripe_payment_method_id', models.CharField(blank=True, max_length=255)),
                ('card_brand', models.CharField(blank=True, max_length=20)),
                ('card_last4', models.CharField(blank=True, max_length=4)),
                ('failure_code', models.CharField(blank=True, max_length=100)),
                ('failure_message', models.CharField(blank=True, max_length=500)),
                ('idempotency_key', models.CharField(blank=True, max_length=255, null=True, unique=True)),
                ('session_key', models.CharField(blank=True, max_length=64)),
                ('dedication', models.CharField(blank=True, max_length=200, verbose_name='dedication')),
                ('anonymous', models.BooleanField(default=False, verbose_name='keep my gift anonymous')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('succeeded_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                ('receipt_sent_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('receipt_claimed_at', models.DateTimeField(blank=True, editable=False, help_text='When a worker took the receipt to send it.', null=True)),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='contributions', to=settings.AUTH_USER_MODEL)),
                ('contributor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contributions', to='payments.contributor')),
            ],
            options={
                'verbose_name': 'contribution',
                'verbose_name_plural': 'contributions',
            },
        ),
        migrations.CreateModel(
            name='LedgerEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('charge', 'Charge'), ('refund', 'Refund'), ('dispute', 'Dispute'), ('dispute_reversal', 'Dispute won'), ('fee', 'Stripe fee')], max_length=20)),
                ('stripe_object_id', models.CharField(max_length=255)),
                ('amount_minor', models.BigIntegerField(help_text='Signed: money in is positive, out negative.')),
                ('currency', models.CharField(max_length=3)),
                ('settlement_amount_minor', models.BigIntegerField(blank=True, null=True)),
                ('settlement_currency', models.CharField(blank=True, max_length=3)),
                ('exchange_rate', models.DecimalField(blank=True, decimal_places=10, max_digits=20, null=True)),
                ('stripe_balance_transaction_id', models.CharField(blank=True, db_index=True, max_length=255)),
                ('campaign', models.SlugField(blank=True, max_length=100)),
                ('occurred_at', models.DateTimeField(db_index=True)),
                ('recorded_at', models.DateTimeField(auto_now_add=True)),
                ('contribution', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ledger_entries', to='payments.contribution')),
                ('contributor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ledger_entries', to='payments.contributor')),
            ],
            options={
                'verbose_name': 'ledger entry',
                'verbose_name_plural': 'ledger entries',
            },
        ),
        migrations.CreateModel(
            name='Payout',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('stripe_payout_id', models.CharField(max_length=255, unique=True)),
                ('amount_minor', models.BigIntegerField()),
                ('currency', models.CharField(max_length=3)),
                ('status', models.CharField(max_length=30)),
                ('arrival_date', models.DateTimeField(blank=True, null=True)),
                ('stripe_created_at', models.DateTimeField(blank=True, null=True)),
                ('recorded_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': 'payout',
                'verbose_name_plural': 'payouts',
                'constraints': [models.CheckConstraint(condition=models.Q(('currency__regex', '^[A-Z]{3}$')), name='payout_currency_iso')],
            },
        ),
        migrations.CreateModel(
            name='PayoutLine',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('stripe_balance_transaction_id', models.CharField(max_length=255)),
                ('type', models.CharField(blank=True, max_length=30)),
                ('amount_minor', models.BigIntegerField()),
                ('fee_minor', models.BigIntegerField(default=0)),
                ('currency', models.CharField(max_length=3)),
                ('ledger_entry', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='payout_lines', to='payments.ledgerentry')),
                ('payout', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='payments.payout')),
            ],
            options={
                'verbose_name': 'payout line',
                'verbose_name_plural': 'payout lines',
            },
        ),
        migrations.CreateModel(
            name='RefundRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount_minor', models.BigIntegerField(verbose_name='amount (minor units)')),
                ('currency', models.CharField(max_length=3)),
                ('reason', models.CharField(blank=True, max_length=200, verbose_name='reason')),
                ('stripe_refund_id', models.CharField(blank=True, max_length=255, null=True, unique=True)),
                ('status', models.CharField(choices=[('requested', 'Requested'), ('pending', 'Pending at Stripe'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], default='requested', max_length=20)),
                ('error', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('contribution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='refund_requests', to='payments.contribution')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'refund request',
                'verbose_name_plural': 'refund requests',
            },
        ),
        migrations.CreateModel(
            name='WebhookEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('stripe_event_id', models.CharField(max_length=255)),
                ('type', models.CharField(max_length=100)),
                ('livemode', models.BooleanField(default=False)),
                ('api_version', models.CharField(blank=True, max_length=50)),
                ('object_id', models.CharField(blank=True, max_length=255)),
                ('stripe_created_at', models.DateTimeField(blank=True, null=True)),
                ('payload', models.TextField(help_text="The event's JSON exactly as Stripe sent it.")),
                ('status', models.CharField(choices=[('received', 'Received'), ('processing', 'Processing'), ('processed', 'Processed'), ('ignored', 'Ignored'), ('failed', 'Failed')], default='received', max_length=20)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('last_error', models.TextField(blank=True)),
                ('received_at', models.DateTimeField(auto_now_add=True)),
                ('processed_at', models.DateTimeField(blank=True, null=True)),
                ('claimed_at', models.DateTimeField(blank=True, help_text='When a worker last took the event; a stale claim is taken over.', null=True)),
            ],
            options={
                'verbose_name': 'Stripe event',
                'verbose_name_plural': 'Stripe events',
                'indexes': [models.Index(fields=['type', 'id'], name='webhookevent_type_id'), models.Index(fields=['object_id'], name='webhookevent_object_id'), models.Index(condition=models.Q(('status__in', ['received', 'processing', 'failed'])), fields=['status', 'received_at'], name='webhookevent_unsettled')],
                'constraints': [models.UniqueConstraint(fields=('stripe_event_id',), name='webhookevent_unique_stripe_event_id')],
            },
        ),
        migrations.CreateModel(
            name='WebhookEventAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('trigger', models.CharField(blank=True, max_length=20)),
                ('started_at', models.DateTimeField()),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('outcome', models.CharField(choices=[('running', 'Running'), ('processed', 'Processed'), ('ignored', 'Ignored'), ('retrying', 'Failed, will retry'), ('failed', 'Failed')], default='running', max_length=20)),
                ('note', models.CharField(blank=True, max_length=255)),
                ('error', models.TextField(blank=True)),
                ('traceback', models.TextField(blank=True)),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempts_log', to='payments.webhookevent')),
            ],
            options={
                'verbose_name': 'Stripe event attempt',
                'verbose_name_plural': 'Stripe event attempts',
                'ordering': ['-started_at', '-id'],
            },
        ),
        migrations.AddConstraint(
            model_name='contribution',
            constraint=models.CheckConstraint(condition=models.Q(('amount_minor__gt', 0)), name='contribution_amount_positive'),
        ),
        migrations.AddConstraint(
            model_name='contribution',
            constraint=models.CheckConstraint(condition=models.Q(('fee_covered_minor__gte', 0)), name='contribution_fee_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='contribution',
            constraint=models.CheckConstraint(condition=models.Q(('currency__regex', '^[A-Z]{3}$')), name='contribution_currency_iso'),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.UniqueConstraint(fields=('kind', 'stripe_object_id'), name='ledger_unique_stripe_object'),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.CheckConstraint(condition=models.Q(('currency__regex', '^[A-Z]{3}$')), name='ledger_currency_iso'),
        ),
        migrations.AddConstraint(
            model_name='payoutline',
            constraint=models.UniqueConstraint(fields=('payout', 'stripe_balance_transaction_id'), name='payout_line_unique_balance'),
        ),
        migrations.AddConstraint(
            model_name='refundrequest',
            constraint=models.CheckConstraint(condition=models.Q(('amount_minor__gt', 0)), name='refund_request_amount_positive'),
        ),
        migrations.RunPython(add_ledger_guard, remove_ledger_guard),
        migrations.RunPython(compress_payload_with_lz4, migrations.RunPython.noop),
    ]
