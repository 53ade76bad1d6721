from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    # Not "Accounts": that is allauth's account app, listed beside ours in the admin.
    verbose_name = _("Readers and staff")
