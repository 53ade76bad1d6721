"""Shared-cacheable answers say exactly which request headers they read.

Django's locale and session middleware add `Vary: Accept-Language` and `Vary: Cookie` to every
answer; a banner decision that read neither would then be cached per browser language and cookie by a
CDN. A view that knows what it read sets `response.vary_exactly`; this middleware, placed above those
two, writes that list as the Vary header.
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase


class ExactVaryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        vary = getattr(response, "vary_exactly", None)
        if vary is not None:
            if vary:
                response["Vary"] = ", ".join(vary)
            elif response.has_header("Vary"):
                del response["Vary"]
        return response
