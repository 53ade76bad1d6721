"""The demo's stand-in for Stripe.js's `createPaymentMethod`, which localstripe's Stripe.js lacks.

static/js/offline-stripe-shim.js posts the card typed into localstripe's card element here, and this view
makes the `pm_…` on localstripe (server side, as Stripe.js does on stripe.com), answering in Stripe.js's
shape. Development only: it answers 404 unless `STRIPE_OFFLINE_SHIM` is on, checked on every request, and
the gateway refuses to send raw card numbers anywhere but an offline Stripe.
"""

import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from payments import gateway

CARD_FIELDS = ("number", "exp_month", "exp_year", "cvc")


def shim_enabled() -> bool:
    """On only when asked for and Stripe is an offline one: never with real Stripe."""
    return bool(settings.STRIPE_OFFLINE_SHIM and settings.STRIPE_API_BASE)


class CardProblemError(Exception):
    """What Stripe.js would say about the typed card before asking Stripe (code, field, message)."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message


def _luhn_ok(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def _text(body: dict, name: str) -> str:
    value = body.get(name, "")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise CardProblemError("invalid_request", name, _("This card field is not valid."))
    return str(value).replace(" ", "").strip()


def full_year(year: str) -> int:
    """A card's expiry year as typed, two digits ("30") or four ("2030"), as the four-digit year."""
    value = int(year)
    return 2000 + value if len(year) == 2 else value


def clean_card(body: object) -> dict:
    """The four card fields as localstripe takes them, or CardProblemError naming the first bad one.

    The expiry year may be typed with two digits or four, as on a card ("30") or as a reader writes a
    year ("2030"); it is sent as four digits.
    """
    if not isinstance(body, dict):
        raise CardProblemError("invalid_request", "body", _("Send the card as a JSON object."))
    number, month, year, cvc = (_text(body, name) for name in CARD_FIELDS)
    if not number or (number.isdigit() and len(number) < 13):
        raise CardProblemError("incomplete_number", "number", _("Your card number is incomplete."))
    if not number.isdigit() or len(number) > 19 or not _luhn_ok(number):
        raise CardProblemError("invalid_number", "number", _("Your card number is invalid."))
    if not month or not year:
        field = "exp_month" if not month else "exp_year"
        raise CardProblemError("incomplete_expiry", field, _("Your card's expiration date is incomplete."))
    if not month.isdigit() or not 1 <= int(month) <= 12:
        raise CardProblemError(
            "invalid_expiry_month", "exp_month", _("Your card's expiration month is invalid.")
        )
    if not year.isdigit() or len(year) not in (2, 4):
        raise CardProblemError(
            "invalid_expiry_year", "exp_year", _("Your card's expiration year is invalid.")
        )
    if not cvc:
        raise CardProblemError("incomplete_cvc", "cvc", _("Your card's security code is incomplete."))
    if not cvc.isdigit() or len(cvc) not in (3, 4):
        raise CardProblemError("invalid_cvc", "cvc", _("Your card's security code is invalid."))
    return {"number": number, "exp_month": int(month), "exp_year": full_year(year), "cvc": cvc}


def _error(status: int, *, type_: str, code: str, message: str, field: str | None = None) -> JsonResponse:
    error = {"type": type_, "code": code, "message": message}
    if field:
        error["field"] = field
    return JsonResponse({"error": error}, status=status)


@csrf_protect
@require_POST
def _create_payment_method(request: HttpRequest) -> HttpResponse:
    try:
        card = clean_card(json.loads(request.body or b"null"))
    except (ValueError, UnicodeDecodeError):
        return _error(
            400,
            type_="invalid_request_error",
            code="invalid_request",
            field="body",
            message=_("Send the card as a JSON object."),
        )
    except CardProblemError as problem:
        return _error(
            400, type_="validation_error", code=problem.code, field=problem.field, message=problem.message
        )
    try:
        created = gateway.create_card_payment_method_offline(**card)
    except gateway.CardError as exc:
        return _error(402, type_="card_error", code=exc.code, message=str(exc))
    except gateway.GatewayError:
        return _error(
            502,
            type_="api_error",
            code="processing_error",
            message=_("The card could not be processed. Please try again."),
        )
    details = created.card
    payment_method = {
        "id": created.id,
        "object": "payment_method",
        "type": "card",
        "card": {
            "brand": details.brand,
            "last4": details.last4,
            "exp_month": details.exp_month,
            "exp_year": details.exp_year,
        },
    }
    return JsonResponse({"paymentMethod": payment_method})


@csrf_exempt
def payment_methods(request: HttpRequest) -> HttpResponse:
    """`POST` the typed card; 404 (before CSRF or method checks) unless the shim is on."""
    if not shim_enabled():
        raise Http404("The offline Stripe shim is off.")
    return _create_payment_method(request)
