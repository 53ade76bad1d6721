from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        # Django's place for wiring: the rollups follow each ledger entry and membership event as it is
        # written, in its transaction (payments and membership never import reporting).
        from django.db.models.signals import post_save  # noqa: PLC0415

        from membership.models import MembershipEvent  # noqa: PLC0415
        from payments.models import LedgerEntry  # noqa: PLC0415
        from reporting import rollups  # noqa: PLC0415

        post_save.connect(rollups.on_ledger_entry_saved, sender=LedgerEntry, dispatch_uid="reporting.ledger")
        post_save.connect(
            rollups.on_membership_event_saved, sender=MembershipEvent, dispatch_uid="reporting.mrr"
        )
