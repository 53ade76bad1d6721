"""The JSON API at /api/v1/ (OpenAPI at /api/v1/openapi.json): routers, and every error in one shape."""

import logging

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import HttpError, ValidationError

from checkout.api import router as checkout_router
from checkout.errors import CheckoutError, PaymentUnavailableError, RateLimitedError
from membership.api import router as membership_router
from newsletters.api import router as newsletters_router
from payments.gateway import GatewayError
from reporting.api import ReportQueryError
from reporting.api import router as reports_router

logger = logging.getLogger(__name__)

# /api/v1/docs: Swagger UI from our own static files ("ninja" in INSTALLED_APPS; no CDN, so it works
# offline), its settings in a JSON data block and its start-up in ninja's swagger-ui-init.js.
api = NinjaAPI(title="Reader revenue API", version="1", urls_namespace="api-1", docs=Swagger())
api.add_router("/", checkout_router)
api.add_router("/", membership_router)
api.add_router("/", reports_router)
api.add_router("/", newsletters_router)

FIELD_MESSAGES = {
    "amount": lambda: _("Enter the amount as a whole number of minor units, e.g. 2500 for 25.00."),
    "frequency": lambda: _("Choose once, monthly or annual."),
    "public_id": lambda: _("This is not a contribution id."),
}


def _field_of(error: dict) -> str:
    names = [part for part in error.get("loc", ()) if isinstance(part, str)]
    names = [name for name in names if name not in {"body", "payload", "query", "path", "header"}]
    return names[-1] if names else ""


def _message_of(error: dict, field: str) -> str:
    kind = error.get("type", "")
    if kind == "string_too_long":
        limit = (error.get("ctx") or {}).get("max_length")
        return _("%(field)s is too long (at most %(max)s characters).") % {"field": field, "max": limit}
    if kind == "missing":
        return _("%(field)s is required.") % {"field": field}
    if kind in {"control_characters", "string_unicode"}:  # the latter: a lone surrogate
        return _("%(field)s contains control characters; please remove them.") % {"field": field}
    if field in FIELD_MESSAGES:
        return FIELD_MESSAGES[field]()
    return str(error.get("msg", _("This value is not valid.")))


@api.exception_handler(ValidationError)
def schema_error(request: HttpRequest, exc: ValidationError):
    """Schema errors get the same shape as domain errors (never ninja's default 422 list)."""
    first = exc.errors[0] if exc.errors else {}
    field = _field_of(first)
    error = CheckoutError(
        _message_of(first, field) if field else _("The request is not valid JSON."), field=field
    )
    return api.create_response(request, error.as_dict(), status=400)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    """Ninja's own errors (e.g. a body that is not JSON) in our shape."""
    code = "invalid_json" if exc.status_code == 400 else "http_error"
    error = CheckoutError(str(exc), code=code)
    return api.create_response(request, error.as_dict(), status=exc.status_code)


@api.exception_handler(CheckoutError)
def checkout_error(request: HttpRequest, exc: CheckoutError):
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if isinstance(exc, RateLimitedError):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ReportQueryError)
def report_query_error(request: HttpRequest, exc: ReportQueryError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(GatewayError)
def gateway_error(request: HttpRequest, exc: GatewayError):
    """Stripe unreachable outside checkout's own mapping (checkout/api.py `_stripe_bounded`).

    Here nobody knows whether a charge was sent, so the answer is the cautious one: press again.
    """
    logger.error("Could not reach Stripe: %s", exc)
    error = PaymentUnavailableError(charge_sent=True)
    return api.create_response(request, error.as_dict(), status=error.status)
