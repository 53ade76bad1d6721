"""The membership check's JSON API: `GET /api/v1/membership/status` for the signed-in reader."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from membership.member_token import member_token_issue
from membership.status import member_status_for_user

router = Router(tags=["membership"])


class MemberStatusOut(Schema):
    member: bool
    state: str | None
    tier: str | None
    benefits: list[str]
    recent_supporter: bool
    token: str


class ErrorDetail(Schema):  # the API's one error shape (config/api.py)
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: ErrorDetail


@router.get(
    "/membership/status",
    response={200: MemberStatusOut, 401: ErrorOut},
    summary="The signed-in reader's membership, and a member token for the news site",
)
def membership_status(request: HttpRequest):
    """Cached per reader: one database query when warm (the session's user)."""
    if not request.user.is_authenticated:
        message = _("Sign in to see your membership.")
        return Status(401, {"error": {"code": "not_authenticated", "message": message}})
    status = member_status_for_user(user_id=request.user.pk)
    request.member_status = status  # type: ignore[attr-defined]  # the cookie middleware reuses it
    token = member_token_issue(user_id=request.user.pk, status=status.as_claims(), version=status.version)
    return {**status.as_claims(), "token": token}
