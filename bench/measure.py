"""One wrk run, and the database counts that say whether every accepted event was processed once."""

import json
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg

from bench.stack import queue_depth

LUA = Path(__file__).resolve().parent / "signed_events.lua"
GET_LUA = Path(__file__).resolve().parent / "get.lua"
DONE_STATUSES = ("processed", "ignored")


@dataclass
class WrkRun:
    scenario: str
    seconds: float
    requests: int
    ok: int
    rejected: int
    socket_errors: int
    wrapped: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    load_before: float
    cpu_ms_per_req: dict

    @property
    def server_cpu_ms_per_req(self) -> float:
        return round(sum(self.cpu_ms_per_req.values()), 3)

    @property
    def ok_per_s(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "ok_per_s": round(self.ok_per_s, 1),
            "server_cpu_ms_per_req": self.server_cpu_ms_per_req,
        }


def run_wrk(
    *,
    scenario: str,
    base: str,
    path: str,
    data: Path,
    seconds: int,
    connections: int,
    threads: int,
    cpu_probe,
) -> WrkRun:
    """Run wrk for `seconds` with the signed-events script; counts come from the script's done()."""
    template = data.with_suffix(".tmpl")
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout=10s",
        "-s",
        str(LUA),
        f"{base}{path}",
        "--",
        path,
        str(template),
        str(data),
        str(threads),
    ]
    return _measured(scenario=scenario, command=command, seconds=seconds, cpu_probe=cpu_probe)


def run_wrk_get(
    *,
    scenario: str,
    base: str,
    path: str,
    headers: dict[str, str],
    seconds: int,
    connections: int,
    threads: int,
    cpu_probe,
) -> WrkRun:
    """Run wrk for `seconds` with GET requests carrying `headers` (the membership check's scenarios)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout=10s"]
    command += ["-s", str(GET_LUA)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"{base}{path}")
    return _measured(scenario=scenario, command=command, seconds=seconds, cpu_probe=cpu_probe)


def _measured(*, scenario: str, command: list[str], seconds: int, cpu_probe) -> WrkRun:
    load_before = round(_loadavg(), 2)
    cpu_before = cpu_probe()
    completed = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    cpu_after = cpu_probe()
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    line = next((ln for ln in completed.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result line:\n{completed.stdout}\n{completed.stderr}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    return WrkRun(
        scenario=scenario,
        seconds=raw["duration_us"] / 1e6,
        requests=raw["requests"],
        ok=raw["ok"],
        rejected=raw["rejected"],
        socket_errors=raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"],
        wrapped=raw["wrapped"],
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        load_before=load_before,
        cpu_ms_per_req=_cpu_per_request(cpu_before, cpu_after, raw["requests"]),
    )


def _cpu_per_request(before: dict, after: dict, requests: int) -> dict[str, float]:
    """CPU milliseconds per response, by component: robust to other load on a shared machine."""
    per_request = {}
    for component, pids in after.items():
        spent = sum(cpu - before.get(component, {}).get(pid, 0.0) for pid, cpu in pids.items())
        per_request[component] = round(spent * 1000 / requests, 3) if requests else 0.0
    return per_request


def _loadavg() -> float:
    with open("/proc/loadavg") as handle:
        return float(handle.read().split()[0])


def median_of(runs: list[WrkRun], attribute: str) -> float:
    values = [getattr(run, attribute) for run in runs]
    return round(statistics.median(values), 3) if values else 0.0


def spread_of(runs: list[WrkRun], attribute: str) -> list[float]:
    return [round(getattr(run, attribute), 2) for run in runs]


def _has_table(conn: psycopg.Connection, table: str) -> bool:
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", [table]).fetchone()[0]


def event_counts(database_url: str, *, prefix: str) -> dict:
    """Stored events whose id starts with `evt_<prefix>`, by status, and how often each was handled."""
    like = f"evt_{prefix}%"
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT status, count(*) FROM payments_webhookevent "
            "WHERE stripe_event_id LIKE %s GROUP BY status",
            [like],
        ).fetchall()
        by_status = {status: count for status, count in rows}
        attempts_over_one = conn.execute(
            "SELECT count(*) FROM payments_webhookevent WHERE stripe_event_id LIKE %s AND attempts > 1",
            [like],
        ).fetchone()[0]
        handled_twice = None
        attempt_rows = None
        if _has_table(conn, "payments_webhookeventattempt"):
            attempt_rows = conn.execute(
                "SELECT count(*) FROM payments_webhookeventattempt a JOIN payments_webhookevent e "
                "ON e.id = a.event_id WHERE e.stripe_event_id LIKE %s",
                [like],
            ).fetchone()[0]
            handled_twice = conn.execute(
                "SELECT count(*) FROM (SELECT a.event_id FROM payments_webhookeventattempt a "
                "JOIN payments_webhookevent e ON e.id = a.event_id "
                "WHERE e.stripe_event_id LIKE %s AND a.outcome = ANY(%s) "
                "GROUP BY a.event_id HAVING count(*) > 1) AS twice",
                [like, list(DONE_STATUSES)],
            ).fetchone()[0]
    stored = sum(by_status.values())
    done = sum(by_status.get(status, 0) for status in DONE_STATUSES)
    return {
        "stored": stored,
        "by_status": by_status,
        "done": done,
        "attempts_over_one": attempts_over_one,
        "attempt_rows": attempt_rows,
        "handled_twice": handled_twice,
    }


def stored_ids(database_url: str, *, prefix: str) -> dict[str, str]:
    """Event id -> status for every stored event of this phase."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT stripe_event_id, status FROM payments_webhookevent WHERE stripe_event_id LIKE %s",
            [f"evt_{prefix}%"],
        ).fetchall()
    return dict(rows)


def wait_until_drained(database_url: str, *, timeout: float, settle: float = 2.0) -> dict:
    """Wait until no event is `received`/`processing` and the queue is empty; report how long it took."""
    started = time.monotonic()
    calm_since = None
    pending = -1
    while time.monotonic() - started < timeout:
        with psycopg.connect(database_url) as conn:
            pending = conn.execute(
                "SELECT count(*) FROM payments_webhookevent "
                "WHERE status NOT IN ('processed', 'ignored', 'failed')"
            ).fetchone()[0]
        depth = queue_depth()
        if pending == 0 and depth == 0:
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since >= settle:
                return {"drained": True, "seconds": round(calm_since - started, 1), "pending": 0}
        else:
            calm_since = None
        time.sleep(0.5)
    return {"drained": False, "seconds": round(time.monotonic() - started, 1), "pending": pending}
