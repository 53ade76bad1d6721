"""`GET /api/v1/newsletters/signups`: the mailing tool's feed of sign-ups, for finance staff or their
API tokens. Pages follow a cursor over (last change, id), so a tool that syncs every few minutes with
`changed_since` and `cursor` sees every change once, in order."""

import base64
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from newsletters.access import may_read_signups
from newsletters.export import signup_record
from newsletters.models import NewsletterSignup
from reporting.access import api_token_user

router = Router(tags=["newsletters"])
MAX_LIMIT = 1000


class SignupsIn(Schema):
    status: str = "confirmed"
    newsletter: str = ""
    changed_since: datetime | None = None
    cursor: str = ""
    limit: int = 500


class SignupOut(Schema):
    signup_id: str
    email: str
    newsletter: str
    status: str
    language: str
    source: str
    consent_text: str
    consent_at: str | None
    confirmed_at: str | None
    unsubscribed_at: str | None
    updated_at: str | None
    unsubscribe_url: str
    preferences_url: str


class SignupsOut(Schema):
    data: list[SignupOut]
    next_cursor: str | None


class ErrorDetail(Schema):  # the API's one error shape (config/api.py)
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: ErrorDetail


def _error(status: int, code: str, message: str, field: str = "") -> Status:
    return Status(status, {"error": {"code": code, "message": message, "field": field}})


def _cursor_encode(signup: NewsletterSignup) -> str:
    return base64.urlsafe_b64encode(f"{signup.updated_at.isoformat()}|{signup.pk}".encode()).decode()


def _cursor_decode(cursor: str) -> tuple[datetime, int] | None:
    try:
        when, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        moment = parse_datetime(when)
        return (moment, int(pk)) if moment else None
    except (ValueError, UnicodeDecodeError):
        return None


def _refusal(request: HttpRequest) -> Status:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer ") and api_token_user(raw=header[7:].strip()) is None:
        return _error(401, "invalid_token", _("This API token is not valid or was revoked."))
    if not request.user.is_authenticated and not header:
        return _error(401, "not_authenticated", _("Send a staff API token: Authorization: Bearer rrk_…"))
    return _error(403, "forbidden", _("Sign-ups are for staff in the finance group."))


def _rows(query: SignupsIn) -> QuerySet | Status:
    """The sign-ups the query asks for, after its cursor; or the 400 that names the wrong field."""
    if query.status not in {choice.value for choice in NewsletterSignup.Status} | {"all"}:
        return _error(400, "invalid", _("Choose confirmed, pending, unsubscribed or all."), "status")
    if not 1 <= query.limit <= MAX_LIMIT:
        return _error(400, "invalid", _("limit is between 1 and %(max)d.") % {"max": MAX_LIMIT}, "limit")
    rows = NewsletterSignup.objects.select_related("newsletter").order_by("updated_at", "pk")
    if query.status != "all":
        rows = rows.filter(status=query.status)
    if query.newsletter:
        rows = rows.filter(newsletter__slug=query.newsletter)
    if query.changed_since:
        rows = rows.filter(updated_at__gte=query.changed_since)
    if query.cursor:
        position = _cursor_decode(query.cursor)
        if position is None:
            return _error(400, "invalid", _("This cursor is not one we gave."), "cursor")
        rows = rows.filter(Q(updated_at__gt=position[0]) | Q(updated_at=position[0], pk__gt=position[1]))
    return rows


@router.get(
    "/newsletters/signups",
    response={200: SignupsOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Newsletter sign-ups for the mailing tool (finance staff or their API token)",
)
def newsletter_signups(request: HttpRequest, query: Query[SignupsIn]):
    if not may_read_signups(request):
        return _refusal(request)
    rows = _rows(query)
    if isinstance(rows, Status):
        return rows
    page = list(rows[: query.limit + 1])
    more = len(page) > query.limit
    page = page[: query.limit]
    return {
        "data": [signup_record(signup) for signup in page],
        "next_cursor": _cursor_encode(page[-1]) if more and page else None,
    }
