"""Checkout test helpers: cards made server-side (standing in for Stripe.js), API calls, localstripe reads."""

import json
import urllib.parse
import urllib.request
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.celery import app as celery_app
from payments import gateway
from payments.models import Contribution

OK_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"
ATTACH_DECLINED_CARD = "4000000000000002"
THREE_D_SECURE_CARD = "4000002760003184"
API = "/api/v1"


@pytest.fixture
def eager_tasks():
    """Run queued tasks in-process even when a broker is configured (CI), so emails can be read."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def payment_method(number: str = OK_CARD) -> str:
    card = {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    return gateway.client().v1.payment_methods.create({"type": "card", "card": card}).id


def gift(**overrides) -> dict:
    body = {
        "amount": 2500,
        "currency": "USD",
        "frequency": "one_off",
        "email": "reader@example.org",
        "name": "Ada Reader",
    }
    body.update(overrides)
    if "payment_method" not in body:
        body["payment_method"] = payment_method()
    return body


def post(client, body: dict, *, key: str | None = None, path: str = "/contributions", **headers):
    headers = {"HTTP_IDEMPOTENCY_KEY": key or str(uuid.uuid4()), **headers}
    return client.post(f"{API}{path}", data=json.dumps(body), content_type="application/json", **headers)


def refresh(client, public_id: str, **headers):
    """POST /contributions/{id}/refresh: the server asks Stripe and records what it says."""
    return client.post(f"{API}/contributions/{public_id}/refresh", content_type="application/json", **headers)


class WritesCaptured(CaptureQueriesContext):
    """The SQL run inside the block that writes (INSERT, UPDATE, DELETE, REPLACE)."""

    def __init__(self) -> None:
        super().__init__(connection)

    @property
    def writes(self) -> list[str]:
        verbs = ("INSERT", "UPDATE", "DELETE", "REPLACE")
        return [q["sql"] for q in self.captured_queries if q["sql"].lstrip().upper().startswith(verbs)]


def settled_at_stripe_only(client, localstripe) -> Contribution:
    """A 3-D Secure gift the reader authenticated at localstripe, which our rows do not know yet."""
    body = post(client, gift(payment_method=payment_method(THREE_D_SECURE_CARD))).json()
    contribution = Contribution.objects.get(public_id=body["id"])
    assert contribution.status == "requires_action"
    authenticate(
        localstripe,
        payment_intent_id=contribution.stripe_payment_intent_id,
        client_secret=body["client_secret"],
    )
    assert gateway.retrieve_payment_intent(contribution.stripe_payment_intent_id).status == "succeeded"
    return contribution


def charges() -> list[dict]:
    return gateway.client().v1.charges.list({"limit": 100}).to_dict()["data"]


def payment_intents() -> list[dict]:
    return gateway.client().v1.payment_intents.list({"limit": 100}).to_dict()["data"]


def authenticate(localstripe, *, payment_intent_id: str, client_secret: str, success: bool = True) -> dict:
    """What localstripe's Stripe.js does when the reader clicks "Complete authentication"."""
    data = urllib.parse.urlencode(
        {"key": "pk_test_suite", "client_secret": client_secret, "success": "true" if success else "false"}
    ).encode()
    url = f"{localstripe.url}/v1/payment_intents/{payment_intent_id}/_authenticate"
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=5) as response:
        return json.load(response)


def stripe_js_card_id(localstripe, number: str = OK_CARD) -> str:
    """What localstripe's Stripe.js `createToken` gives the page: a `card_…` id (publishable key only)."""
    data = urllib.parse.urlencode(
        {
            "key": "pk_test_suite",
            "card[number]": number,
            "card[exp_month]": "12",
            "card[exp_year]": "30",
            "card[cvc]": "123",
        }
    ).encode()
    with urllib.request.urlopen(
        urllib.request.Request(f"{localstripe.url}/v1/tokens", data=data), timeout=5
    ) as response:
        return json.load(response)["card"]["id"]
