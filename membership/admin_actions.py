"""Staff acting for a reader on one membership from its admin page, each change through membership.changes."""

import logging
from collections.abc import Callable
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from membership import changes
from membership.lifecycle import Cause
from membership.models import CancelReason, Membership
from payments import emails, gateway, money
from payments.models import Contribution

logger = logging.getLogger(__name__)
State = Membership.State
MANAGE_PERMISSION = "membership.manage_membership"
PAUSE_MONTHS = (1, 2, 3)
Action = Callable[[Membership, Cause, QueryDict], str]


class MembershipAmountForm(forms.Form):
    """The new amount in the membership's currency units ("12.50" USD, "500" JPY); cleaned to minor units."""

    amount = forms.DecimalField(min_value=Decimal("0"))

    def __init__(self, *args, currency: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        field = self.fields["amount"]
        field.label = _("New amount (%(currency)s)") % {"currency": currency}
        field.help_text = _("Charged from the next renewal on; nothing is charged now.")
        field.widget.attrs["step"] = str(money.to_major(1, currency))

    def clean_amount(self) -> int:
        amount: Decimal = self.cleaned_data["amount"]
        try:
            amount_minor = money.from_major(amount, self.currency)
        except ValueError:
            raise forms.ValidationError(
                _("%(currency)s has %(places)d decimal places: %(amount)s has more."),
                code="decimals",
                params={
                    "currency": self.currency,
                    "places": money.minor_unit_exponent(self.currency),
                    "amount": amount,
                },
            ) from None
        if amount_minor <= 0:
            raise forms.ValidationError(_("Enter an amount above zero."), code="min")
        return amount_minor


def latest_receipt(membership: Membership) -> Contribution | None:
    """The membership's latest succeeded contribution: the receipt staff can send again."""
    paid = membership.contributions.filter(status=Contribution.Status.SUCCEEDED)
    return paid.order_by("-succeeded_at", "-id").first()


def available_actions(membership: Membership) -> set[str]:
    """The actions that fit the membership's present state (the services refuse the others anyway)."""
    state = membership.state
    shown = set()
    if state != State.ENDED and membership.stripe_subscription_id:
        shown.add("cancel_now")
    if state in (State.ACTIVE, State.PAUSED):
        shown.add("cancel")
    if state == State.ACTIVE:
        shown |= {"amount", "pause"}
    if state in (State.PAUSED, State.CANCELING):
        shown.add("resume")
    if latest_receipt(membership) is not None:
        shown.add("resend_receipt")
    return shown


def _cancel_now(membership: Membership, cause: Cause, data: QueryDict) -> str:
    if data.get("confirm") != "yes":
        raise changes.ChangeRefusedError(
            gettext("Tick the box to confirm ending this membership today."), field="confirm"
        )
    changes.membership_cancel_now(membership=membership, cause=cause)
    return gettext("Ended today for the reader: the subscription is canceled in Stripe.")


def _cancel(membership: Membership, cause: Cause, data: QueryDict) -> str:
    changes.membership_cancel(membership=membership, cause=cause, reason=data.get("reason", ""))
    return gettext("Set to cancel at the end of the paid period.")


def _pause(membership: Membership, cause: Cause, data: QueryDict) -> str:
    asked = str(data.get("months", ""))
    months = int(asked) if asked.isdigit() else 0
    changes.membership_pause(membership=membership, months=months, cause=cause)
    return ngettext(
        "Paused for %(months)d month: the next charge moves out.",
        "Paused for %(months)d months: the next charge moves out.",
        months,
    ) % {"months": months}


def _resume(membership: Membership, cause: Cause, data: QueryDict) -> str:
    if membership.state == State.PAUSED:
        changes.membership_resume_pause(membership=membership, cause=cause)
        return gettext("Pause ended: the next charge is back on its renewal date.")
    changes.membership_withdraw_cancel(membership=membership, cause=cause)
    return gettext("Cancellation withdrawn: the membership renews as before.")


def _resend_receipt(membership: Membership, cause: Cause, data: QueryDict) -> str:
    contribution = latest_receipt(membership)
    if contribution is None or not emails.contribution_receipt_resend(contribution_id=contribution.pk):
        raise changes.ChangeRefusedError(
            gettext("This membership has no paid contribution to send a receipt for."), field="receipt"
        )
    return gettext("Receipt %(reference)s sent again to %(email)s.") % {
        "reference": contribution.public_id,
        "email": membership.contributor.email,
    }


ACTIONS: dict[str, Action] = {
    "cancel_now": _cancel_now,
    "cancel": _cancel,
    "pause": _pause,
    "resume": _resume,
    "resend_receipt": _resend_receipt,
}


def _staff_cause(request: HttpRequest) -> Cause:
    """The history's actor: admin_view lets only a signed-in staff user this far."""
    user_id = request.user.pk
    assert user_id is not None
    return Cause.staff(user_id)


class MembershipActionsAdmin(admin.ModelAdmin):
    """Buttons on the change page for staff with `manage_membership`; each POST is logged with its user."""

    change_form_template = "admin/membership/membership/change_form.html"

    def has_manage_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return self.has_view_permission(request, obj) and request.user.has_perm(MANAGE_PERMISSION)

    def get_urls(self):
        act = self.admin_site.admin_view(self.action_view)
        amount = self.admin_site.admin_view(self.amount_view)
        return [
            path("<int:pk>/act/<slug:action>/", act, name="membership_membership_act"),
            path("<int:pk>/amount/", amount, name="membership_membership_amount"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        membership = self.get_object(request, object_id)
        if membership is not None and self.has_manage_permission(request, membership):
            receipt = latest_receipt(membership)
            extra.update(
                membership_actions=available_actions(membership),
                is_paused=membership.state == State.PAUSED,
                cancel_reasons=CancelReason.choices,
                pause_months=PAUSE_MONTHS,
                receipt_amount=money.format_money(receipt.amount_minor, receipt.currency) if receipt else "",
                receipt_paid_at=receipt.succeeded_at if receipt else None,
            )
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _membership_for_staff(self, request: HttpRequest, pk: int) -> Membership:
        membership = get_object_or_404(Membership.objects.select_related("contributor"), pk=pk)
        if not self.has_manage_permission(request, membership):
            raise PermissionDenied
        return membership

    def _change_page(self, membership: Membership) -> HttpResponse:
        return redirect(reverse("admin:membership_membership_change", args=[membership.pk]))

    def _failed(self, request: HttpRequest, membership: Membership, exc: Exception) -> None:
        """A refusal or a Stripe failure is an error message on the page, never a 500."""
        if isinstance(exc, changes.ChangeRefusedError):
            message = exc.message
        elif isinstance(exc, gateway.GatewayError):
            logger.warning("Staff change to membership %s failed at Stripe: %s", membership.pk, exc)
            message = gettext("Stripe could not make the change, so nothing was changed. Try again later.")
        else:
            logger.warning("Receipt for membership %s could not be sent: %s", membership.pk, exc)
            message = gettext("The receipt could not be sent. Try again later.")
        self.message_user(request, message, level=messages.ERROR)

    def _done(self, request: HttpRequest, membership: Membership, message: str) -> None:
        self.log_change(request, membership, message)
        self.message_user(request, message, level=messages.SUCCESS)

    def action_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        membership = self._membership_for_staff(request, pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        perform = ACTIONS.get(action)
        if perform is None:
            raise Http404
        try:
            done = perform(membership, _staff_cause(request), request.POST)
        except (changes.ChangeRefusedError, gateway.GatewayError, OSError) as exc:
            self._failed(request, membership, exc)
        else:
            self._done(request, membership, done)
        return self._change_page(membership)

    def amount_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A page of its own: the new amount is typed, in the membership's currency."""
        membership = self._membership_for_staff(request, pk)
        currency = membership.currency
        form = MembershipAmountForm(
            request.POST or None,
            currency=currency,
            initial={"amount": money.to_major(membership.amount_minor, currency)},
        )
        if request.method == "POST" and form.is_valid():
            amount_minor = form.cleaned_data["amount"]  # minor units: see MembershipAmountForm
            try:
                changed = changes.membership_change_amount(
                    membership=membership, amount_minor=amount_minor, cause=_staff_cause(request)
                )
            except changes.ChangeRefusedError as exc:
                form.add_error("amount" if exc.field == "amount" else None, exc.message)
            except gateway.GatewayError as exc:
                self._failed(request, membership, exc)
            else:
                shown = money.format_money(changed.amount_minor, currency)
                self._done(request, membership, gettext("Amount changed to %(amount)s.") % {"amount": shown})
                return self._change_page(membership)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change the amount"),
            "original": membership,
            "current": money.format_money(membership.amount_minor, currency),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/membership/membership/change_amount.html", context)
