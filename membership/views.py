"""The pages behind the one-click links in emails: a confirmation page per action, no sign-in needed.

Nothing changes on a GET: each page shows the membership and asks for one click (a POST). A link
for another membership, or not made by us, answers 404; an expired or used link says so and
offers a sign-in code instead.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.emails import how_to_reach_us
from membership import changes, dunning, links, notices
from membership.lifecycle import Cause
from membership.models import CancelReason, Membership
from payments import gateway
from payments.money import format_money


def _refused(request: HttpRequest, *, status: int, kind: str) -> HttpResponse:
    context = {"kind": kind, "support_email": how_to_reach_us()["support_email"]}
    return render(request, "membership/link_invalid.html", context, status=status)


def _page(request: HttpRequest, template: str, membership: Membership, **extra) -> HttpResponse:
    language = translation.get_language() or "en"
    if membership.state == Membership.State.PAST_DUE:
        until = dunning.grace_ends_at(membership)
    elif membership.state in (*Membership.LIVE_STATES, Membership.State.PAUSED):
        until = membership.current_period_end
    else:
        until = None
    card_expiry = (
        notices.local_month(month=membership.card_exp_month, year=membership.card_exp_year, language=language)
        if membership.card_exp_month and membership.card_exp_year
        else ""
    )
    context = {
        "membership": membership,
        "amount": format_money(membership.amount_minor, membership.currency, translation.to_locale(language)),
        "until": notices.local_date(until, language=language),
        "card_expiry": card_expiry,
        "support_email": how_to_reach_us()["support_email"],
        "reasons": CancelReason.choices,
        **extra,
    }
    response = render(request, template, context)
    # The token is in the URL: pass on the origin only, never the path. Not "no-referrer": with it the
    # browser sends `Origin: null` on the page's own POST, and CSRF protection refuses the click.
    response["Referrer-Policy"] = "strict-origin"
    return response


@never_cache
def email_link(request: HttpRequest, membership_id: int, token: str) -> HttpResponse:
    try:
        membership, action = links.link_open(token, membership_id=membership_id)
    except links.LinkInvalidError:
        return _refused(request, status=404, kind="invalid")
    except links.LinkExpiredError:
        return _refused(request, status=410, kind="expired")
    except links.LinkUsedError:
        return _refused(request, status=410, kind="used")
    if request.method != "POST":
        others = links.email_links(membership_id=membership.pk) if action == links.MANAGE else {}
        return _page(request, f"membership/link_{action}.html", membership, token=token, **others)
    if action == links.CANCEL:
        return _cancel(request, membership, token)
    if action == links.CARD:
        return _card(request, membership, token)
    return _page(request, "membership/link_manage.html", membership, token=token)


def _cancel(request: HttpRequest, membership: Membership, token: str) -> HttpResponse:
    reason = request.POST.get("reason", "")
    try:
        membership = changes.membership_cancel(
            membership=membership,
            cause=Cause.reader(membership.contributor.user_id),
            reason=reason if reason in CancelReason.values else "",
            reason_text=request.POST.get("reason_text", ""),
        )
    except changes.ChangeRefusedError as refused:
        return _page(request, "membership/link_cancel.html", membership, token=token, error=refused.message)
    except gateway.GatewayError:
        error = _("We could not reach our payment provider, so nothing was changed. Please try again.")
        return _page(request, "membership/link_cancel.html", membership, token=token, error=error)
    with contextlib.suppress(links.LinkUsedError):  # a double click: the first one did it
        links.link_mark_used(token, membership=membership, action=links.CANCEL)
    return _page(request, "membership/link_done.html", membership, done=links.CANCEL)


def _card(request: HttpRequest, membership: Membership, token: str) -> HttpResponse:
    """First click: a SetupIntent and the card form; the form's post: the confirmed card saved."""
    setup_intent_id = request.POST.get("setup_intent", "")
    cause = Cause.reader(membership.contributor.user_id)
    try:
        if not setup_intent_id:
            _id, client_secret = changes.membership_card_setup(membership=membership)
            card_config = {
                "publishableKey": settings.STRIPE_PUBLISHABLE_KEY,
                "clientSecret": client_secret,
                "messages": {"failed": _("Your card could not be confirmed. Please check it and try again.")},
            }
            return _page(
                request, "membership/link_card_form.html", membership, token=token, card_config=card_config
            )
        outcome = changes.membership_card_replace(
            membership=membership, setup_intent_id=setup_intent_id, cause=cause
        )
    except changes.ChangeRefusedError as refused:
        return _page(request, "membership/link_card.html", membership, token=token, error=refused.message)
    except (gateway.GatewayError, gateway.CardError):
        error = _("We could not reach our payment provider, so nothing was changed. Please try again.")
        return _page(request, "membership/link_card.html", membership, token=token, error=error)
    with contextlib.suppress(links.LinkUsedError):
        links.link_mark_used(token, membership=membership, action=links.CARD)
    membership.refresh_from_db()
    return _page(request, "membership/link_done.html", membership, done=links.CARD, outcome=outcome)
