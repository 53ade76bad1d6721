"""Demo accounts for `make run`: a staff user whose login is printed. Loading twice changes nothing."""

from allauth.account.models import EmailAddress

from accounts.models import User

DEMO_STAFF_EMAIL = "staff@example.org"
DEMO_STAFF_PASSWORD = "demo-staff-password"


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
    return user, created
