"""The sign-up form (footer, thank-you page, newsletters page, embedded on the news site) and the
preference page's form. The consent sentence shown beside the form is the one recorded."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from newsletters.models import Newsletter

INVALID_EMAIL = _("Please enter a correct email address.")
SOURCES = {"footer", "thank_you", "page", "embed"}


def consent_sentence() -> str:
    return gettext(
        "I agree to receive these newsletters by email from %(site)s. I can unsubscribe at any time "
        "with the link in every email."
    ) % {"site": settings.SITE_NAME}


class SignupForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={"required": INVALID_EMAIL, "invalid": INVALID_EMAIL, "max_length": INVALID_EMAIL},
    )
    newsletter = forms.MultipleChoiceField(label=_("Newsletters"), required=False)
    source = forms.CharField(required=False, max_length=30)
    # A field people never see (hidden by CSS, skipped by keyboard and screen readers): bots fill it in.
    website = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, newsletters: list[Newsletter], **kwargs):
        super().__init__(*args, **kwargs)
        self.newsletters = {newsletter.slug: newsletter for newsletter in newsletters}
        self.fields["newsletter"].choices = [(n.slug, n.name) for n in newsletters]  # type: ignore[attr-defined]

    def clean_source(self) -> str:
        source = self.cleaned_data.get("source") or ""
        return source if source in SOURCES else "page"

    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def chosen(self, *, defaults: list[Newsletter]) -> list[Newsletter]:
        slugs = self.cleaned_data.get("newsletter") or []
        return [self.newsletters[slug] for slug in slugs] if slugs else defaults


class PreferencesForm(forms.Form):
    newsletter = forms.MultipleChoiceField(
        label=_("Newsletters"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, newsletters: list[Newsletter], **kwargs):
        super().__init__(*args, **kwargs)
        self.newsletters = {newsletter.slug: newsletter for newsletter in newsletters}
        self.fields["newsletter"].choices = [(n.slug, n.name) for n in newsletters]  # type: ignore[attr-defined]

    def wanted(self) -> list[Newsletter]:
        return [self.newsletters[slug] for slug in self.cleaned_data.get("newsletter") or []]
