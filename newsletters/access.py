"""Who may read sign-ups: staff who see personal data in reports (the finance group, superusers), by
session or by a staff API token (reporting's tokens)."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from reporting.access import report_viewer_from_request


def may_read_signups(request: HttpRequest) -> bool:
    viewer = report_viewer_from_request(request)
    return viewer is not None and viewer.sees_personal_data


def signups_viewer_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if may_read_signups(request):
            return view(request, *args, **kwargs)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied

    return wrapper
