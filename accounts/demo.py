"""Demo accounts for `make run`: a staff user whose login is printed. Loading twice changes nothing."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.models import User

DEMO_STAFF_EMAIL = "staff@example.org"
DEMO_STAFF_PASSWORD = "demo-staff-password"
DEMO_STAFF_GROUP = "finance"


def load_demo_staff() -> tuple[User, bool]:
    user, created = User.objects.get_or_create(
        email=DEMO_STAFF_EMAIL,
        defaults={"is_staff": True, "is_superuser": True, "name": "Demo Staff"},
    )
    if created:
        user.set_password(DEMO_STAFF_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=DEMO_STAFF_EMAIL, defaults={"verified": True, "primary": True}
    )
    # The reports' finance group (created by reporting's migration): every report, personal data included.
    user.groups.add(*Group.objects.filter(name=DEMO_STAFF_GROUP))
    return user, created
