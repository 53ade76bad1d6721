"""Today's Stripe shapes (tests/fixtures/stripe/*.json), copied so tests can change fields freely."""

import copy
import json
from functools import cache
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "stripe"


@cache
def _load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def stripe_object(name: str, **overrides) -> dict:
    data = copy.deepcopy(_load(name))
    data.update(overrides)
    return data
