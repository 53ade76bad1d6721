"""Run by bench/reports.py with the bench's settings: time each report and its raw SQL, compare them.

Each report is requested through Django's whole request path (middleware, session, view, template or
JSON) with the test client, signed in as a finance user: 3 warm-up requests, then `--repeat` timed
ones (the warm figure is their median). Each baseline (bench/reports_raw.py) runs `--raw-repeat`
times, or once when a run takes longer than 10 s. Writes the results as JSON to `--output`.
"""

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import reports_raw  # noqa: E402
from reporting.access import FINANCE  # noqa: E402
from reporting.periods import add_months, day_bounds, month_end, period_for, today  # noqa: E402

MONTHS = 12
SLOW_BASELINE_SECONDS = 10.0


def _timed(call: Callable[[], object], repeat: int) -> tuple[list[float], object]:
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - started)
        if seconds[-1] > SLOW_BASELINE_SECONDS:
            break
    return seconds, result


def _client() -> Client:
    user, _created = get_user_model().objects.get_or_create(
        email="bench-finance@example.org", defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name=FINANCE))
    client = Client()
    client.force_login(user)
    return client


def _request(client: Client, path: str, *, repeat: int) -> dict:
    def get():
        response = client.get(path, secure=True)
        assert response.status_code == 200, (path, response.status_code)
        return response

    for _ in range(3):
        get()
    with CaptureQueriesContext(connection) as queries:
        get()
    query_count = len(queries.captured_queries)  # now: the next request empties the log
    seconds, response = _timed(get, repeat)
    body = json.loads(response.content) if response["Content-Type"].startswith("application/json") else None
    return {
        "path": path,
        "ms": round(statistics.median(seconds) * 1000, 2),
        "p95_ms": round(sorted(seconds)[int(0.95 * (len(seconds) - 1))] * 1000, 2),
        "queries": query_count,
        "body": body,
    }


def _differences(expected: dict, actual: dict, *, prefix: str = "") -> list[str]:
    """Every key whose values differ (missing counts as 0), as `key: raw != report`."""
    found = []
    for key in sorted(set(expected) | set(actual), key=str):
        want, got = expected.get(key, 0), actual.get(key, 0)
        if isinstance(want, dict) or isinstance(got, dict):
            found += _differences(want or {}, got or {}, prefix=f"{prefix}{key}.")
        elif (want or 0) != (got or 0):
            found.append(f"{prefix}{key}: raw {want} != report {got}")
    return found


def _cut(day) -> object:
    """The first moment after `day` in the newsroom's time zone: MRR 'at a day' is at its end."""
    return day_bounds(day, day)[1]


def summary_case() -> tuple[str, Callable, Callable]:
    period = period_for(preset="last_12_months")
    previous = period.previous()

    def raw():
        return reports_raw.summary(
            target=settings.REPORTING_CURRENCY,
            zone=settings.REPORTING_TIME_ZONE,
            current=day_bounds(period.start, period.end),
            previous=day_bounds(previous.start, previous.end),
            standing_cuts={"current": _cut(period.end), "previous": _cut(previous.end)},
        )

    def compare(body: dict, figures: dict) -> list[str]:
        report, expected = {}, {}
        for name, part in (("current", "figures"), ("previous", "previous")):
            expected[name] = {**figures[name], "members": figures[f"{name}_members"]}
            report[name] = {key: body[part][key] for key in expected[name]}
        expected["by_currency"] = {
            code: {**values, "mrr_minor": figures["current_mrr"].get(code, 0)}
            for code, values in figures["current_by_currency"].items()
        }
        for code, mrr in figures["current_mrr"].items():
            expected["by_currency"].setdefault(code, {"mrr_minor": mrr})
        report["by_currency"] = {
            row["currency"]: {key: row.get(key) for key in expected["by_currency"].get(row["currency"], {})}
            for row in body["by_currency"]
        }
        return _differences(expected, report)

    return "/api/v1/reports/summary?preset=last_12_months", raw, compare


def mrr_case() -> tuple[str, Callable, Callable]:
    now = today()
    first = add_months(now, -(MONTHS - 1))
    months = [add_months(first, index) for index in range(MONTHS)]
    cuts = {"opening": _cut(first - timedelta(days=1))}
    cuts.update({month.strftime("%Y-%m"): _cut(month_end(month)) for month in months})

    def raw():
        return reports_raw.standing(cuts=cuts)

    def compare(body: dict, standing: dict) -> list[str]:
        expected = {label: {"mrr": mrr, "members": members} for label, (mrr, members) in standing.items()}
        report = {"opening": {"mrr": {}, "members": body["months"][0]["members_start"]}}
        for row in body["months"][0]["by_currency"]:
            report["opening"]["mrr"][row["currency"]] = row["mrr_start_minor"]
        for month in body["months"]:
            report[month["month"]] = {
                "mrr": {row["currency"]: row["mrr_end_minor"] for row in month["by_currency"]},
                "members": month["members_end"],
            }
        return _differences(expected, report)

    return f"/api/v1/reports/mrr?months={MONTHS}", raw, compare


def cohorts_case() -> tuple[str, Callable, Callable]:
    now = today()
    first, last = add_months(now, -(MONTHS - 1)), add_months(now, 0)
    later = [add_months(first, index) for index in range(1, MONTHS)]
    cuts = {month.strftime("%Y-%m"): _cut(month_end(month)) for month in later}

    def raw():
        return reports_raw.cohorts(zone=settings.REPORTING_TIME_ZONE, first=first, last=last, cuts=cuts)

    def compare(body: dict, figures: dict) -> list[str]:
        expected, report = {}, {}
        for index in range(MONTHS):
            month = add_months(first, index)
            label = month.strftime("%Y-%m")
            retained = []
            for offset in range(1, 13):
                at = add_months(month, offset)
                retained.append(
                    None if at > last else figures["retained"].get((at.strftime("%Y-%m"), month), 0)
                )
            expected[label] = {"members": figures["sizes"].get(month, 0), "retained": str(retained)}
        for cohort in body["cohorts"]:
            report[cohort["cohort"]] = {"members": cohort["members"], "retained": str(cohort["retained"])}
        return _differences(expected, report)

    return f"/api/v1/reports/cohorts?months={MONTHS}", raw, compare


def attribution_case() -> tuple[str, Callable, Callable]:
    period = period_for(preset="last_12_months")
    since, before = day_bounds(period.start, period.end)

    def raw():
        return reports_raw.attribution(
            target=settings.REPORTING_CURRENCY,
            since=since,
            before=before,
            rate_day=period.end,
            zone=settings.REPORTING_TIME_ZONE,
            known_until=today() - timedelta(days=91),
        )

    def compare(body: dict, figures: dict) -> list[str]:
        report = {
            row["value"]: {key: row[key] for key in reports_raw._ATTRIBUTION_FIGURES} for row in body["rows"]
        }
        expected = {value: figures[value] for value in report}
        missing = [f"{value}: not in the report" for value in figures if value not in report]
        if len(report) < 50:  # the report shows the 50 campaigns that raised most; fewer means all
            return missing + _differences(expected, report)
        return _differences(expected, report)

    return "/api/v1/reports/attribution?by=campaign&preset=last_12_months", raw, compare


def reader_share_case() -> tuple[str, Callable, Callable]:
    now = today()
    first = add_months(now, -(MONTHS - 1))
    since, before = day_bounds(first, month_end(now))

    def raw():
        return reports_raw.reader_revenue_by_month(
            target=settings.REPORTING_CURRENCY, zone=settings.REPORTING_TIME_ZONE, since=since, before=before
        )

    def compare(body: dict, figures: dict) -> list[str]:
        report = {row["period"]: row["reader_minor"] for row in body["months"]}
        return _differences(figures, report)

    return f"/api/v1/reports/reader-share?months={MONTHS}", raw, compare


CASES = {
    "summary": summary_case,
    "mrr": mrr_case,
    "cohorts": cohorts_case,
    "attribution": attribution_case,
    "reader_share": reader_share_case,
}
PAGES = {
    "dashboard": "/staff/?preset=last_12_months",
    "drill-down page": "/staff/reports/ledger?preset=last_30_days",
    "drill-down API": "/api/v1/reports/ledger?preset=last_30_days",
    "drill-down events": "/staff/reports/events?preset=last_30_days",
}


def run(*, repeat: int, raw_repeat: int) -> dict:
    client = _client()
    rows, raw_total_ms = [], 0.0
    for name, case in CASES.items():
        path, raw, compare = case()
        measured = _request(client, path, repeat=repeat)
        seconds, figures = _timed(raw, raw_repeat)
        raw_ms = round(statistics.median(seconds) * 1000, 2)
        raw_total_ms += raw_ms
        differences = compare(measured.pop("body"), figures)
        rows.append(
            {
                "report": name,
                **measured,
                "raw_ms": raw_ms,
                "raw_runs": len(seconds),
                "differences": differences,
            }
        )
        print(f"{name}: {measured['ms']} ms, raw {raw_ms} ms, {len(differences)} differences", flush=True)
    for name, path in PAGES.items():
        measured = _request(client, path, repeat=repeat)
        measured.pop("body")
        baseline = round(raw_total_ms, 2) if name == "dashboard" else None
        rows.append({"report": name, **measured, "raw_ms": baseline, "raw_runs": None, "differences": []})
        print(f"{name}: {measured['ms']} ms", flush=True)
    for row in rows:
        row["ratio"] = round(row["raw_ms"] / row["ms"], 1) if row["raw_ms"] else None
        row["equal"] = not row["differences"]
        row["met"] = row["ms"] < 100 and row["equal"] and (row["ratio"] is None or row["ratio"] >= 5)
    return {
        "rows": rows,
        "all_met": all(row["met"] for row in rows),
        "counts": _counts(),
        "time_zone": settings.REPORTING_TIME_ZONE,
        "currency": settings.REPORTING_CURRENCY,
        "postgresql": connection.cursor().connection.info.server_version,
    }


def _counts() -> dict[str, int]:
    tables = {
        "contributions": "payments_contribution",
        "ledger_entries": "payments_ledgerentry",
        "memberships": "membership_membership",
        "membership_events": "membership_membershipevent",
        "ledger_rollup_rows": "reporting_dailyledgerrollup",
    }
    with connection.cursor() as cursor:
        counts = {}
        for name, table in tables.items():
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[name] = cursor.fetchone()[0]
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--raw-repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()
    results = run(repeat=args.repeat, raw_repeat=args.raw_repeat)
    args.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
