"""Email preferences and "my data": download everything held about me, or delete my account."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from accounts.models import User
from payments import gateway
from portal import privacy, selectors
from portal.forms import DeleteAccountForm, EmailPreferencesForm

NOTHING_DELETED = gettext_lazy(
    "We could not reach our payment provider, so nothing was deleted. Please try again in a moment."
)


def _reader(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required let only a signed-in reader through
    return user


@login_required
@never_cache
def preferences(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    initial = {"email_appeals": user.email_appeals, "email_reminders": user.email_reminders}
    form = EmailPreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        user.email_appeals = form.cleaned_data["email_appeals"]
        user.email_reminders = form.cleaned_data["email_reminders"]
        user.save(update_fields=["email_appeals", "email_reminders"])
        messages.success(request, _("Your email preferences are saved."))
        return redirect("portal:preferences")
    return render(request, "portal/preferences.html", {"form": form, "section": "preferences"})


@login_required
@never_cache
def data(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    live = selectors.reader_memberships(user=user).exclude(state="ended").count()
    context = {
        "form": DeleteAccountForm(account_email=user.email),
        "live_memberships": live,
        "section": "data",
    }
    return render(request, "portal/data.html", context)


@login_required
@never_cache
def export(request: HttpRequest) -> HttpResponse:
    document = privacy.reader_data_export(user=_reader(request))
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    filename = f"my-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@never_cache
def delete(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    if request.method != "POST":
        return redirect("portal:data")
    form = DeleteAccountForm(request.POST, account_email=user.email)
    live = selectors.reader_memberships(user=user).exclude(state="ended").count()
    if not form.is_valid():
        context = {"form": form, "live_memberships": live, "section": "data"}
        return render(request, "portal/data.html", context, status=400)
    try:
        privacy.account_delete(user=user)
    except gateway.GatewayError:
        messages.error(request, NOTHING_DELETED)
        return redirect("portal:data")
    logout(request)
    messages.success(request, _("Your account is deleted. Thank you for having supported us."))
    return redirect("home")
