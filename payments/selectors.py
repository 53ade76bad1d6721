"""Reads of contributions for operations: the payments that failed lately, by Stripe's reason."""

from collections import Counter
from datetime import datetime

from django.db.models import Count

from payments.models import Contribution

UNKNOWN_REASON = "unknown"


def contribution_failures_by_code(*, since: datetime) -> dict[str, int]:
    """Failed contributions started since then, by decline or error code (`failure_code`, blank counted
    as unknown): one grouped query over the `created_at` index, whatever the size of the table."""
    rows = (
        Contribution.objects.filter(created_at__gte=since, status=Contribution.Status.FAILED)
        .values("failure_code")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: Counter[str] = Counter()
    for row in rows:
        counts[row["failure_code"] or UNKNOWN_REASON] += row["count"]
    return dict(counts)
