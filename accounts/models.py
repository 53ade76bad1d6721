"""Readers and staff: one user model, with the email address as the login."""

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A reader or staff member; logs in with email (no username)."""

    username = None  # type: ignore[assignment]  # no usernames: the email is the login
    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    # Receipts and emails about a failed payment are always sent: these two are the reader's to turn off.
    email_appeals = models.BooleanField(
        _("appeals and campaign emails"),
        default=True,
        help_text=_("Occasional emails asking for support or telling about a campaign."),
    )
    email_reminders = models.BooleanField(
        _("reminders"),
        default=True,
        help_text=_("A reminder before the card on file expires."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]  # ours has no usernames

    def __str__(self) -> str:
        return self.email
