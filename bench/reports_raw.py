"""The baselines of `make bench-reports`: each report's figures by hand-written SQL over the base tables.

No rollup is read here: the ledger, the contributions, the memberships, their events and the rate
table only, with the same definitions as `reporting/` (docs/reporting.md): days in the newsroom's
time zone; the reporting currency's own amounts, else Stripe's settlement amount in it, else the
day's rate (rounded half away from zero per day, currency, kind and frequency); MRR after the latest
event before a moment, nothing once paused or ended until a start, reactivation or resume.
"""

from collections import defaultdict
from datetime import date, datetime

from django.db import connection

from payments.money import minor_unit_exponent

SWITCHES = "('started', 'reactivated', 'resumed', 'paused', 'ended')"
STARTS = "('started', 'reactivated', 'resumed')"


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _exponents(target: str) -> dict:
    """Each currency's minor-unit shift into the target's, as a VALUES list the SQL joins on."""
    codes = [row[0] for row in _rows("SELECT DISTINCT currency FROM payments_ledgerentry", {})]
    return {
        "codes": codes,
        "shifts": [minor_unit_exponent(target) - minor_unit_exponent(code) for code in codes],
    }


# Ledger entries of [since, before) with their local day, bucket and the gift's frequency.
_ENTRIES = """
    SELECT {bucket} AS bucket, (le.occurred_at AT TIME ZONE %(zone)s)::date AS day, le.currency, le.kind,
           COALESCE(c.frequency, '') AS frequency, le.amount_minor, le.settlement_currency,
           le.settlement_amount_minor,
           (le.settlement_amount_minor IS NOT NULL AND le.settlement_currency <> '') AS settled
    FROM payments_ledgerentry le LEFT JOIN payments_contribution c ON c.id = le.contribution_id
    WHERE le.occurred_at >= %(since)s AND le.occurred_at < %(before)s
"""

# The same entries in the target currency: own amount, settled amount, else the day's rate.
_IN_TARGET = """
    WITH entries AS ({entries}),
    shifts(code, shift) AS (SELECT * FROM unnest(%(codes)s::text[], %(shifts)s::int[])),
    direct AS (
        SELECT bucket, kind, frequency,
               SUM(CASE WHEN currency = %(target)s THEN amount_minor
                        ELSE settlement_amount_minor END) AS amount,
               COUNT(*) AS n
        FROM entries WHERE currency = %(target)s OR (settled AND settlement_currency = %(target)s)
        GROUP BY 1, 2, 3
    ),
    unsettled AS (
        SELECT bucket, day, currency, kind, frequency, SUM(amount_minor) AS amount, COUNT(*) AS n
        FROM entries WHERE currency <> %(target)s AND NOT (settled AND settlement_currency = %(target)s)
        GROUP BY 1, 2, 3, 4, 5
    ),
    converted AS (
        SELECT u.bucket, u.kind, u.frequency,
               round(u.amount * r.rate * power(10::numeric, s.shift)) AS amount, u.n
        FROM unsettled u
        JOIN shifts s ON s.code = u.currency
        JOIN LATERAL (
            SELECT x.rate FROM reporting_exchangerate x
            WHERE x.currency = u.currency AND x.quote_currency = %(target)s AND x.day <= u.day
            ORDER BY x.day DESC LIMIT 1
        ) r ON true
    )
    SELECT bucket, kind, frequency, SUM(amount)::bigint, SUM(n)::bigint
    FROM (SELECT * FROM direct UNION ALL SELECT * FROM converted) both_kinds
    GROUP BY 1, 2, 3
"""

_BY_CURRENCY = """
    WITH entries AS ({entries})
    SELECT bucket, currency,
           COALESCE(SUM(amount_minor) FILTER (WHERE kind = 'charge'), 0),
           -COALESCE(SUM(amount_minor) FILTER (WHERE kind = 'refund'), 0),
           -COALESCE(SUM(amount_minor) FILTER (WHERE kind IN ('dispute', 'dispute_reversal')), 0),
           -COALESCE(SUM(amount_minor) FILTER (WHERE kind = 'fee'), 0),
           COUNT(*) FILTER (WHERE kind = 'charge' AND frequency = 'one_off'),
           COUNT(*) FILTER (WHERE kind = 'charge' AND frequency <> 'one_off'),
           percentile_disc(0.5) WITHIN GROUP (ORDER BY amount_minor)
               FILTER (WHERE kind = 'charge' AND frequency = 'one_off')
    FROM entries GROUP BY 1, 2
"""


def _fold(rows) -> dict:
    """(kind, frequency, amount, entries) rows into the headline figures."""
    figures = defaultdict(int)
    for kind, frequency, amount, entries in rows:
        if kind == "charge":
            figures["gross_minor"] += amount
            figures["gifts"] += entries
            if frequency == "one_off":
                figures["one_off_minor"] += amount
                figures["one_off_gifts"] += entries
            else:
                figures["recurring_minor"] += amount
                figures["recurring_payments"] += entries
        elif kind == "refund":
            figures["refunds_minor"] -= amount
        elif kind in ("dispute", "dispute_reversal"):
            figures["disputes_minor"] -= amount
        elif kind == "fee":
            figures["fees_minor"] -= amount
    figures["net_minor"] = (
        figures["gross_minor"] - figures["refunds_minor"] - figures["disputes_minor"] - figures["fees_minor"]
    )
    return dict(figures)


# Where every membership stands at each cut: its latest event's amount, unless a pause or an end
# came after its latest start; a contributor is a member while one of theirs counts.
_COUNTED_AT_CUTS = """
    WITH cuts(label, cut) AS (SELECT * FROM unnest(%(labels)s::text[], %(cuts)s::timestamptz[])),
    last_event AS (
        SELECT DISTINCT ON (c.label, e.membership_id) c.label, e.membership_id, e.currency,
               e.monthly_amount_minor AS amount
        FROM cuts c JOIN membership_membershipevent e ON e.occurred_at < c.cut
        ORDER BY c.label, e.membership_id, e.occurred_at DESC, e.id DESC
    ),
    last_switch AS (
        SELECT DISTINCT ON (c.label, e.membership_id) c.label, e.membership_id, e.kind
        FROM cuts c JOIN membership_membershipevent e ON e.occurred_at < c.cut AND e.kind IN {switches}
        ORDER BY c.label, e.membership_id, e.occurred_at DESC, e.id DESC
    ),
    counted AS (
        SELECT le.label, le.currency, le.amount, m.contributor_id
        FROM last_event le
        LEFT JOIN last_switch ls ON ls.label = le.label AND ls.membership_id = le.membership_id
        JOIN membership_membership m ON m.id = le.membership_id
        WHERE le.amount > 0 AND (ls.kind IS NULL OR ls.kind NOT IN ('paused', 'ended'))
    )
"""


def _cuts_params(cuts: dict[str, datetime]) -> dict:
    return {"labels": list(cuts), "cuts": list(cuts.values())}


def summary(*, target: str, zone: str, current: tuple, previous: tuple, standing_cuts: dict) -> dict:
    """The summary endpoint's figures, for the range and the one before it, and MRR at both ends."""
    since, before = previous[0], current[1]
    bucket = "CASE WHEN le.occurred_at >= %(current_since)s THEN 'current' ELSE 'previous' END"
    params = {"zone": zone, "since": since, "before": before, "current_since": current[0], "target": target}
    entries = _ENTRIES.format(bucket=bucket)
    totals = _rows(_IN_TARGET.format(entries=entries), {**params, **_exponents(target)})
    per_currency = _rows(_BY_CURRENCY.format(entries=entries), params)
    out: dict = {}
    for name in ("current", "previous"):
        out[name] = _fold(row[1:] for row in totals if row[0] == name)
        out[f"{name}_by_currency"] = {
            code: dict(zip(_CURRENCY_FIGURES, figures, strict=True))
            for bucket_name, code, *figures in per_currency
            if bucket_name == name
        }
    for label, (mrr, members) in standing(cuts=standing_cuts).items():
        out[f"{label}_mrr"] = mrr
        out[f"{label}_members"] = members
    return out


_CURRENCY_FIGURES = (
    "gross_minor",
    "refunds_minor",
    "disputes_minor",
    "fees_minor",
    "one_off_gifts",
    "recurring_payments",
    "median_one_off_minor",
)


def standing(*, cuts: dict[str, datetime]) -> dict[str, tuple[dict[str, int], int]]:
    """MRR per currency and the member count at each cut."""
    sql = (
        _COUNTED_AT_CUTS.format(switches=SWITCHES)
        + """
        SELECT label, currency, SUM(amount)::bigint, COUNT(DISTINCT contributor_id)
        FROM counted GROUP BY GROUPING SETS ((label, currency), (label))
    """
    )
    out: dict[str, tuple[dict[str, int], int]] = {label: ({}, 0) for label in cuts}
    for label, currency, amount, members in _rows(sql, _cuts_params(cuts)):
        if currency is None:
            out[label] = (out[label][0], members)
        else:
            out[label][0][currency] = amount
    return out


def cohorts(*, zone: str, first: date, last: date, cuts: dict[str, datetime]) -> dict:
    """Members by the month they first became members, and how many count at each later month's end."""
    params = {"zone": zone, "first": first, "last": last, **_cuts_params(cuts)}
    first_month = f"""
        SELECT m.contributor_id,
               date_trunc('month', min(e.occurred_at) AT TIME ZONE %(zone)s)::date AS cohort_month
        FROM membership_membershipevent e JOIN membership_membership m ON m.id = e.membership_id
        WHERE e.kind IN {STARTS} AND e.monthly_amount_minor > 0
        GROUP BY 1
    """
    sizes = _rows(
        f"SELECT cohort_month, COUNT(*) FROM ({first_month}) f "
        "WHERE cohort_month BETWEEN %(first)s AND %(last)s GROUP BY 1",
        params,
    )
    retained_sql = (
        _COUNTED_AT_CUTS.format(switches=SWITCHES)
        + f""", cohort AS ({first_month})
        SELECT counted.label, cohort.cohort_month, COUNT(DISTINCT counted.contributor_id)
        FROM counted JOIN cohort USING (contributor_id)
        WHERE cohort.cohort_month BETWEEN %(first)s AND %(last)s
        GROUP BY 1, 2
    """
    )
    retained = {(label, month): n for label, month, n in _rows(retained_sql, params)}
    return {"sizes": dict(sizes), "retained": retained}


def attribution(
    *, target: str, zone: str, since: datetime, before: datetime, rate_day: date, known_until: date
) -> dict:
    """Gifts, revenue and new members with 3-month retention per campaign (rates of the range's end)."""
    params = {"target": target, "since": since, "before": before, "rate_day": rate_day, **_exponents(target)}
    payments = _rows(
        """
        WITH charges AS (
            SELECT le.campaign, le.currency, COALESCE(c.frequency, '') AS frequency, le.amount_minor,
                   CASE WHEN le.settlement_amount_minor IS NOT NULL AND le.settlement_currency <> ''
                        THEN le.settlement_currency ELSE '' END AS settled_in,
                   COALESCE(le.settlement_amount_minor, 0) AS settled
            FROM payments_ledgerentry le LEFT JOIN payments_contribution c ON c.id = le.contribution_id
            WHERE le.kind = 'charge' AND le.occurred_at >= %(since)s AND le.occurred_at < %(before)s
        ),
        shifts(code, shift) AS (SELECT * FROM unnest(%(codes)s::text[], %(shifts)s::int[])),
        groups AS (
            SELECT campaign, currency, settled_in, frequency, COUNT(*) AS gifts,
                   SUM(amount_minor) AS amount, SUM(settled) AS settled
            FROM charges GROUP BY 1, 2, 3, 4
        )
        SELECT g.campaign, SUM(g.gifts)::bigint,
               SUM(g.gifts) FILTER (WHERE g.frequency = 'one_off')::bigint,
               SUM(CASE WHEN g.currency = %(target)s THEN g.amount
                        WHEN g.settled_in = %(target)s THEN g.settled
                        ELSE COALESCE(round(g.amount * (
                            SELECT x.rate FROM reporting_exchangerate x
                            WHERE x.currency = g.currency AND x.quote_currency = %(target)s
                              AND x.day <= %(rate_day)s ORDER BY x.day DESC LIMIT 1
                        ) * power(10::numeric, s.shift)), 0) END)::bigint
        FROM groups g JOIN shifts s ON s.code = g.currency
        GROUP BY 1
        """,
        params,
    )
    # A membership's start is its first event; it is retained unless it ended within 90 days of it.
    members = _rows(
        """
        WITH firsts AS (
            SELECT DISTINCT ON (membership_id) membership_id, id AS first_id, occurred_at AS started_at
            FROM membership_membershipevent ORDER BY membership_id, id
        ),
        early AS (
            SELECT DISTINCT e.membership_id
            FROM membership_membershipevent e JOIN firsts f USING (membership_id)
            WHERE e.kind = 'ended' AND e.id <> f.first_id
              AND e.occurred_at < f.started_at + interval '90 days'
        )
        SELECT m.campaign, COUNT(*),
               COUNT(*) FILTER (WHERE (f.started_at AT TIME ZONE %(zone)s)::date <= %(known_until)s),
               COUNT(*) FILTER (WHERE (f.started_at AT TIME ZONE %(zone)s)::date <= %(known_until)s
                                  AND early.membership_id IS NULL)
        FROM firsts f JOIN membership_membership m ON m.id = f.membership_id
        LEFT JOIN early USING (membership_id)
        WHERE f.started_at >= %(since)s AND f.started_at < %(before)s
        GROUP BY 1
        """,
        {**params, "known_until": known_until, "zone": zone},
    )
    out: dict = defaultdict(lambda: dict.fromkeys(_ATTRIBUTION_FIGURES, 0))
    for campaign, gifts, one_off, revenue in payments:
        out[campaign].update(gifts=gifts, one_off_gifts=one_off or 0, revenue_minor=revenue)
    for campaign, new, known, kept in members:
        out[campaign].update(
            new_members=new, members_started_90_days_ago_or_more=known, members_retained_3_months=kept
        )
    return dict(out)


_ATTRIBUTION_FIGURES = (
    "gifts",
    "one_off_gifts",
    "revenue_minor",
    "new_members",
    "members_started_90_days_ago_or_more",
    "members_retained_3_months",
)


def reader_revenue_by_month(*, target: str, zone: str, since: datetime, before: datetime) -> dict[str, int]:
    """Gross less refunds and disputes per month in the target currency (the reader share's numerator)."""
    bucket = "to_char(le.occurred_at AT TIME ZONE %(zone)s, 'YYYY-MM')"
    params = {"zone": zone, "since": since, "before": before, "target": target, **_exponents(target)}
    rows = _rows(_IN_TARGET.format(entries=_ENTRIES.format(bucket=bucket)), params)
    months: dict[str, list] = defaultdict(list)
    for month, *rest in rows:
        months[month].append(rest)
    return {
        month: (f := _fold(items))["gross_minor"] - f["refunds_minor"] - f["disputes_minor"]
        for month, items in months.items()
    }
