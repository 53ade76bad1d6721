"""Fixed-window counters in the Django cache (Redis in production), for card-testing protection."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE_PATTERN = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    def divided(self, divisor: int) -> Rate:
        return Rate(count=max(self.count // max(divisor, 1), 1), seconds=self.seconds)


def parse_rate(text: str) -> Rate:
    """`20/h`, `5/m`, `100/d`, or with a period multiplier such as `10/15m`."""
    match = RATE_PATTERN.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a rate such as 20/h")
    count, multiplier, unit = match.groups()
    return Rate(count=int(count), seconds=int(multiplier or 1) * UNIT_SECONDS[unit])


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, unless settings say how many trusted proxies append to X-Forwarded-For.

    Never trust the header by default: a client can write anything in it.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _key(scope: str, value: str, rate: Rate) -> tuple[str, int]:
    window = int(time.time() // rate.seconds)
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    retry_after = rate.seconds - int(time.time() % rate.seconds)
    return f"ratelimit:{scope}:{rate.seconds}:{digest}:{window}", retry_after


def hit(*, scope: str, value: str, rate: Rate) -> int | None:
    """Count one event; the seconds to wait when this one is over the limit, else None."""
    key, retry_after = _key(scope, value, rate)
    cache.add(key, 0, timeout=rate.seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=rate.seconds)
        count = 1
    return retry_after if count > rate.count else None


def exceeded(*, scope: str, value: str, rate: Rate) -> int | None:
    """Whether earlier events already reached the limit (without counting one more)."""
    key, retry_after = _key(scope, value, rate)
    return retry_after if (cache.get(key) or 0) >= rate.count else None
