from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        # Django's place for wiring: these modules import models, which are loaded only now.
        from allauth.account.signals import email_confirmed  # noqa: PLC0415

        from payments import claims, registry, tasks  # noqa: PLC0415
        from payments.webhooks import handlers  # noqa: PLC0415

        handlers.register()
        registry.register_contribution_succeeded(tasks.queue_contribution_receipt)
        registry.register_refund_recorded(tasks.queue_refund_notice)
        email_confirmed.connect(claims.on_email_confirmed, dispatch_uid="payments.history_claim")
