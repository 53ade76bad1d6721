"""The OpenAPI schema says what the API answers: generated requests never get a 5xx or an undocumented status.

Schemathesis reads /api/v1/openapi.json from the WSGI application and sends requests made from it,
valid ones and ones the schema says are invalid, to the same application; payments go to localstripe.
Bounded and deterministic: a fixed seed, EXAMPLES per operation and mode.
"""

import time
from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.checkout.checkout_support import payment_method

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

EXAMPLES = 25  # per operation and mode: 6 operations x 2 modes x 25 = 300 requests at most
SEED = 20261201
CSRF_SECRET = "schemathesis0csrf0secret00000000"  # 32 characters: Django accepts the unmasked secret
BROWSER = {"X-CSRFToken": CSRF_SECRET}
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]


@pytest.fixture
def roomy_limits(settings):
    """Limits high enough that generated requests reach validation and Stripe, not only the 429."""
    settings.CHECKOUT_RATE_LIMIT = "100000/h"
    settings.CHECKOUT_EMAIL_RATE_LIMIT = "100000/h"
    settings.CHECKOUT_CARD_FAILURE_LIMIT = "100000/h"


def _charged(card: str):
    """Half the valid contribution bodies are made chargeable (a card localstripe knows, an email Django
    accepts, an amount within every enabled currency's limits), so that they reach Stripe."""

    def swap(drawn):
        case, chargeable = drawn
        if chargeable and isinstance(case.body, dict):
            case.body["payment_method"] = card
            case.body["email"] = "reader@example.org"
            # int(): JSON Schema counts 2500.0 as an integer, our API does not
            case.body["amount"] = 2_000 + int(case.body["amount"]) % 98_000
        return case

    return swap


def test_generated_requests_get_no_server_error_and_only_documented_statuses(localstripe, roomy_limits):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    card = payment_method()
    answered: Counter = Counter()
    started = time.monotonic()

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if mode is GenerationMode.NEGATIVE and not (operation.body or list(operation.iter_parameters())):
                continue  # nothing to send wrong (GET /membership/status takes no input)
            strategy = operation.as_strategy(generation_mode=mode)
            if mode is GenerationMode.POSITIVE and operation.label == "POST /api/v1/contributions":
                strategy = st.tuples(strategy, st.booleans()).map(_charged(card))

            @seed(SEED)
            @settings(
                max_examples=EXAMPLES,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate, Phase.shrink],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def send(case):
                response = case.call(headers=BROWSER, cookies={"csrftoken": CSRF_SECRET})
                answered[(case.operation.label, response.status_code)] += 1
                case.validate_response(response, checks=CHECKS, headers=BROWSER)

            send()

    elapsed = time.monotonic() - started
    server_errors = {key: count for key, count in answered.items() if key[1] >= 500 and key[1] != 502}
    documented = {
        operation.label: {int(code) for code in operation.responses.status_codes}
        for operation in (result.ok() for result in schema.get_all_operations())
    }
    undocumented = {key: count for key, count in answered.items() if key[1] not in documented[key[0]]}
    print(f"\n{sum(answered.values())} requests in {elapsed:.1f} s: {sorted(answered.items())}")
    assert server_errors == {}
    assert undocumented == {}
    assert {label for label, _status in answered} == set(documented)  # every operation was exercised
