from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    name = "membership"
    verbose_name = _("Membership")

    def ready(self) -> None:
        # Django's place for wiring: these modules import models, which are loaded only now.
        from membership import links, status, tasks, webhooks  # noqa: PLC0415
        from payments import registry  # noqa: PLC0415

        webhooks.register()
        registry.register_contribution_succeeded(tasks.queue_membership_welcome)
        registry.register_contribution_succeeded(tasks.queue_membership_card)
        registry.register_contribution_succeeded(status.invalidate_on_contribution_succeeded)
        registry.register_receipt_links(links.receipt_links)
