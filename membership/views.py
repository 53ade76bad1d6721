"""HTML pages of memberships: the page a dunning email links to (signed, no sign-in needed).

The self-service portal later replaces its target; until then it shows the membership and says
what to do. A link that is not ours, or too old, shows no data.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.emails import how_to_reach_us
from membership import dunning, links, notices
from membership.models import Membership
from payments.money import format_money


@require_GET
@never_cache
def manage(request: HttpRequest, token: str) -> HttpResponse:
    support_email = how_to_reach_us()["support_email"]
    try:
        membership = links.membership_from_token(token)
    except links.LinkExpiredError:
        context = {"expired": True, "support_email": support_email}
        return render(request, "membership/link_invalid.html", context, status=410)
    except links.LinkInvalidError:
        context = {"expired": False, "support_email": support_email}
        return render(request, "membership/link_invalid.html", context, status=400)
    language = translation.get_language() or "en"
    if membership.state == Membership.State.PAST_DUE:
        until = dunning.grace_ends_at(membership)
    elif membership.state in Membership.LIVE_STATES:
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
        "support_email": support_email,
    }
    response = render(request, "membership/manage.html", context)
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL: never pass it on
    return response
