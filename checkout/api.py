"""The checkout JSON API (mounted at /api/v1/ by config/api.py): parse, call one service, answer."""

import contextlib
import logging
import uuid
from collections.abc import Iterator
from typing import Annotated

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.utils import check_csrf

from checkout import fees, selectors, services
from checkout.errors import ForbiddenError, PaymentUnavailableError
from checkout.ratelimit import client_ip
from checkout.schemas import (
    CURRENCY_HELP,
    ContributionIn,
    ContributionOut,
    CurrencyCode,
    ErrorOut,
    FeeOut,
    OptionsOut,
    Text,
    UpgradeIn,
    contribution_body,
    contribution_status_code,
)
from payments import gateway
from payments.models import Attribution

logger = logging.getLogger(__name__)
router = Router(tags=["checkout"])
SESSION_CONTRIBUTIONS = "checkout_contributions"
IDEMPOTENCY_KEY_MAX_LENGTH = 255  # Contribution.idempotency_key
# What each error status means; every one has the body {"error": {"code", "message", "field"}}.
ERRORS = {
    400: "Invalid input: `error.field` names the field, header or path parameter.",
    403: "The CSRF token is missing or wrong (`csrf_failed`): reload the page.",
    404: "No such contribution for this session or account.",
    409: "This Idempotency-Key was used for another request (`idempotency_key_reused`).",
    429: "Too many attempts (`rate_limited`); the Retry-After header says when to try again.",
    502: "Stripe could not be reached (`payment_unavailable`); the contribution stays pending.",
}


def _answers(*statuses: int, contribution: bool = False) -> dict:
    """The `response` map of an operation: the contribution's answers and the error statuses it has."""
    answers: dict = {200: ContributionOut, 201: ContributionOut, 402: ContributionOut} if contribution else {}
    return {**answers, frozenset(statuses): ErrorOut}


CONTRIBUTION_ANSWERS = {
    200: "The same request again (same Idempotency-Key and body): the contribution as it is now.",
    201: "Recorded: `status` says whether it succeeded, waits for 3-D Secure or is pending.",
    402: "The card was declined: `error` says why; nothing was charged.",
}


def _described(*statuses: int, contribution: bool = False) -> dict:
    """`openapi_extra` giving each status its meaning, and the Retry-After header of a 429."""
    meanings = {**CONTRIBUTION_ANSWERS, **ERRORS} if contribution else ERRORS
    chosen = [*CONTRIBUTION_ANSWERS, *statuses] if contribution else statuses
    responses: dict = {status: {"description": meanings[status]} for status in chosen}
    if 429 in statuses:
        responses[429]["headers"] = {
            "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
        }
    return {"responses": responses}


class FeeQuery(Schema):
    currency: CurrencyCode = Field(..., max_length=3, description=CURRENCY_HELP)
    amount: int = Field(..., gt=0, le=10**12, description="Minor units.")


def _requester(request: HttpRequest, *, idempotency_key: str | None = None) -> services.Requester:
    """Who is asking; POSTs need the CSRF token, as every form on the site does.

    The Idempotency-Key was checked by the schema (at most 255 characters, no control characters),
    so two keys are never cut to the same one.
    """
    if check_csrf(request) is not None:
        raise ForbiddenError(_("Please reload the page and try again."), code="csrf_failed")
    if request.session.session_key is None:
        request.session[SESSION_CONTRIBUTIONS] = []  # a new session, so the answer carries its cookie
        request.session.save()
    user = request.user
    return services.Requester(
        ip=client_ip(request),
        session_key=request.session.session_key or "",
        user_id=user.pk if user.is_authenticated else None,
        idempotency_key=(idempotency_key or "").strip() or None,
    )


@contextlib.contextmanager
def _stripe_bounded() -> Iterator[None]:
    """A reader's request waits for Stripe STRIPE_READER_BUDGET_SECONDS at most, in all its calls.

    Stripe failing inside answers 502 `payment_unavailable`, saying whether anything may have been charged.
    """
    with gateway.stripe_budget(seconds=settings.STRIPE_READER_BUDGET_SECONDS) as budget:
        try:
            yield
        except gateway.GatewayError as exc:
            logger.error(
                "Checkout could not reach Stripe (charging call sent: %s): %s", budget.charge_sent, exc
            )
            raise PaymentUnavailableError(charge_sent=budget.charge_sent) from exc


def _answer(request: HttpRequest, outcome: services.Outcome):
    remembered = request.session.get(SESSION_CONTRIBUTIONS, [])
    public_id = str(outcome.contribution.public_id)
    if public_id not in remembered:
        request.session[SESSION_CONTRIBUTIONS] = [*remembered, public_id][-20:]
    return Status(contribution_status_code(outcome), contribution_body(outcome))


@router.get(
    "/checkout/options",
    url_name="checkout_options",
    response={200: OptionsOut, **_answers(400)},
    openapi_extra=_described(400),
)
def checkout_options(
    request: HttpRequest, currency: Annotated[CurrencyCode, Query(description=CURRENCY_HELP)]
):
    """Preset amounts per frequency with the default one, limits, and the fee formula."""
    return selectors.checkout_options(currency=currency)


@router.get(
    "/checkout/fee",
    url_name="checkout_fee",
    response={200: FeeOut, **_answers(400)},
    openapi_extra=_described(400),
)
def checkout_fee(request: HttpRequest, query: Query[FeeQuery]):
    """The fee a reader may cover for an amount, and the total that would be charged."""
    currency = selectors.enabled_currency(query.currency)
    fee = fees.fee_for(amount_minor=query.amount, currency=currency)
    return {"currency": currency, "amount": query.amount, "fee": fee, "total": query.amount + fee}


@router.post(
    "/contributions",
    url_name="contribution_create",
    response=_answers(400, 403, 409, 429, 502, contribution=True),
    openapi_extra=_described(400, 403, 409, 429, 502, contribution=True),
)
def contribution_create(
    request: HttpRequest,
    payload: ContributionIn,
    idempotency_key: Annotated[
        Text | None,
        Header(
            alias="Idempotency-Key",
            max_length=IDEMPOTENCY_KEY_MAX_LENGTH,
            description="One per payment attempt: the same key and body again answer the same contribution.",
        ),
    ] = None,
):
    """Record, then charge once (gift) or start the membership; answers the payment's state."""
    requester = _requester(request, idempotency_key=idempotency_key)
    user = request.user
    email = user.email if user.is_authenticated else (payload.email or "")
    attribution = payload.dict(include=set(Attribution.ATTRIBUTION_FIELDS))
    with _stripe_bounded():
        outcome = services.contribution_checkout(
            checkout=services.CheckoutRequest(
                amount_minor=payload.amount,
                currency=payload.currency,
                frequency=payload.frequency,
                email=email,
                payment_method_id=payload.payment_method,
                name=payload.name,
                cover_fee=payload.cover_fee,
                attribution=attribution,
                dedication=payload.dedication,
                anonymous=payload.anonymous,
                language=translation.get_language() or "",
            ),
            requester=requester,
        )
    return _answer(request, outcome)


@router.get(
    "/contributions/{public_id}",
    url_name="contribution_detail",
    response={200: ContributionOut, **_answers(400, 404)},
    openapi_extra=_described(400, 404),
)
def contribution_detail(request: HttpRequest, public_id: uuid.UUID):
    """The state we have recorded, for the session or account that made it (404 for anyone else).

    A pure read: Stripe is not asked and nothing is written (`POST …/refresh` does that).
    """
    contribution = selectors.contribution_for_reader(public_id=public_id, request=request)
    return contribution_body(services.Outcome(contribution))


@router.post(
    "/contributions/{public_id}/refresh",
    url_name="contribution_refresh",
    response={200: ContributionOut, **_answers(400, 403, 404)},
    openapi_extra=_described(400, 403, 404),
)
def contribution_refresh(request: HttpRequest, public_id: uuid.UUID):
    """While undecided, ask Stripe for the payment's state and record it (after 3-D Secure, or polling).

    Same owner rule as the GET; answers 200 with the current state, failed ones included.
    """
    _requester(request)
    contribution = selectors.contribution_for_reader(public_id=public_id, request=request)
    with _stripe_bounded():
        outcome = services.contribution_refresh(contribution=contribution)
    return contribution_body(outcome)


@router.post(
    "/contributions/{public_id}/upgrade",
    url_name="contribution_upgrade",
    response=_answers(400, 403, 404, 429, 502, contribution=True),
    openapi_extra=_described(400, 403, 404, 429, 502, contribution=True),
)
def contribution_upgrade(request: HttpRequest, public_id: uuid.UUID, payload: UpgradeIn | None = None):
    """One click on the thank-you page: the gift's saved card starts a monthly membership."""
    requester = _requester(request)
    gift = selectors.contribution_for_reader(public_id=public_id, request=request)
    with _stripe_bounded():
        outcome = services.contribution_upgrade(
            gift=gift, amount_minor=payload.amount if payload else None, requester=requester
        )
    return _answer(request, outcome)
