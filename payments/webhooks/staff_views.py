"""Staff reconciliation page: the Stripe event log, one event's payload and history, re-run, report."""

import json
import re
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from payments.models import WebhookEvent
from payments.webhooks import processing, selectors

View = Callable[..., HttpResponse]


def _event_viewer_required(view: View) -> View:
    """The admin's rule for its Stripe event list (`ModelAdmin.has_view_permission`): the view or the
    change permission. Payloads carry readers' names and emails, so being staff is not enough. A
    visitor who is not signed in as staff still gets the login page; other staff get 403."""

    @staff_member_required
    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not (user.has_perm("payments.view_webhookevent") or user.has_perm("payments.change_webhookevent")):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


# Control characters (NUL among them, which PostgreSQL refuses in text): no Stripe type, state or id has one.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _filters(request: HttpRequest) -> dict[str, str]:
    """The filters asked for in the query string; one holding control characters is ignored, with a note."""
    filters = {}
    for name, parameter in (("event_type", "type"), ("status", "status"), ("object_id", "object")):
        value = request.GET.get(parameter, "").strip()
        if CONTROL_CHARACTERS.search(value):
            messages.warning(
                request,
                _("The filter “%(filter)s” held control characters and was ignored.") % {"filter": parameter},
            )
            value = ""
        filters[name] = value
    return filters


@_event_viewer_required
def event_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    page = Paginator(selectors.webhook_events_filtered(**filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "payments/staff/events.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "types": selectors.webhook_event_types(),
            "statuses": WebhookEvent.Status.choices,
            "report": selectors.latest_reconciliation_report(),
        },
    )


@_event_viewer_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(WebhookEvent, pk=pk)
    return render(
        request,
        "payments/staff/event_detail.html",
        {
            "event": event,
            "payload": json.dumps(event.payload_data, indent=2, sort_keys=True),
            "attempts": event.attempts_log.all(),
            "can_rerun": event.status in {WebhookEvent.Status.FAILED, WebhookEvent.Status.RECEIVED}
            and request.user.has_perm("payments.change_webhookevent"),
        },
    )


@staff_member_required
@require_POST
def event_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("payments.change_webhookevent"):
        raise PermissionDenied
    event = get_object_or_404(WebhookEvent, pk=pk)
    outcome = processing.webhook_event_rerun(event=event)
    level = messages.ERROR if outcome == "failed" else messages.SUCCESS
    messages.add_message(
        request,
        level,
        _("Re-run of %(event)s: %(outcome)s.") % {"event": event.stripe_event_id, "outcome": outcome},
    )
    return redirect("payments_staff:event-detail", pk=pk)
