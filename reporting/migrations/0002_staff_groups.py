"""The two staff groups reports know: `finance` (everything, personal data included) and `reporting`.

`reporting/access.py` decides by these names; the permissions below are what each group may do in
the admin (finance: see contributions and the ledger, ask for refunds, keep rates and other revenue).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

FINANCE = "finance"
REPORTING = "reporting"

FINANCE_PERMISSIONS = [
    ("payments", "view_contributor"),
    ("payments", "view_contribution"),
    ("payments", "view_ledgerentry"),
    ("payments", "view_refundrequest"),
    ("payments", "add_refundrequest"),
    ("reporting", "view_exchangerate"),
    ("reporting", "add_exchangerate"),
    ("reporting", "change_exchangerate"),
    ("reporting", "delete_exchangerate"),
    ("reporting", "view_otherrevenue"),
    ("reporting", "add_otherrevenue"),
    ("reporting", "change_otherrevenue"),
    ("reporting", "delete_otherrevenue"),
]
REPORTING_PERMISSIONS = [
    ("reporting", "view_exchangerate"),
    ("reporting", "view_otherrevenue"),
]


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ((FINANCE, FINANCE_PERMISSIONS), (REPORTING, REPORTING_PERMISSIONS)):
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                group.permissions.add(permission)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[FINANCE, REPORTING]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_initial"),
        ("payments", "0004_refund_notice"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
