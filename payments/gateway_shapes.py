"""Parsers for the Stripe objects the webhooks, the ledger and reconciliation read.

Pure functions (no `stripe` import): `payments.gateway` re-exports them and makes the calls.
Each accepts localstripe's 2017-08-15 shapes and today's shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


def object_id(value) -> str | None:
    """The id of a field that is either an id string or an expanded object."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return value.get("id")
    return getattr(value, "id", None)


@dataclass(frozen=True)
class Event:
    """A verified Stripe event; `data_object` is the raw object, read only through the parsers."""

    id: str
    type: str
    created: int
    livemode: bool
    api_version: str
    data_object: dict = field(default_factory=dict)

    @property
    def object_id(self) -> str:
        return str(self.data_object.get("id") or "")


def parse_event(data: Mapping) -> Event:
    """Raise ValueError when the body is not a Stripe event (no id, type or data.object)."""
    if not isinstance(data, Mapping):
        raise ValueError("the body is not a JSON object")
    event_id, event_type = data.get("id"), data.get("type")
    data_object = (data.get("data") or {}).get("object") if isinstance(data.get("data"), Mapping) else None
    if not isinstance(event_id, str) or not event_id or not isinstance(event_type, str) or not event_type:
        raise ValueError("the body has no event id or type")
    if not isinstance(data_object, Mapping):
        raise ValueError("the body has no data.object")
    return Event(
        id=event_id,
        type=event_type,
        created=int(data.get("created") or 0),
        livemode=bool(data.get("livemode")),
        api_version=str(data.get("api_version") or ""),
        data_object=dict(data_object),
    )
