"""`bench/run.py --membership`: the membership check under gunicorn beside the bare view, same run.

Scenarios, all GET, interleaved over the rounds so the shared machine's noise hits them alike:
- `bare`: `/bench/bare` with no cookie, the ceiling for any view on this stack (as in the webhook bench);
- `bare_member`: the same view with the member's session and member cookies: what the session,
  the user and the member-cookie middleware cost on any page a signed-in reader opens;
- `status`: `GET /api/v1/membership/status` for that member (cache warm after the warm-up).
Plus the time to verify one token in Python (bench/membership_seed.py). Writes bench/results/membership.json.
"""

import json
import platform
import statistics
import subprocess
from datetime import UTC, datetime
from importlib.metadata import version

from bench.measure import WrkRun, run_wrk_get
from bench.report import wrk_line
from bench.stack import ROOT, VENV_BIN

PATHS = {"bare": "/bench/bare", "bare_member": "/bench/bare", "status": "/api/v1/membership/status"}
SCENARIOS = ("bare", "bare_member", "status")
TARGET_RATIO = 0.5
TARGET_VERIFY_US = 50.0


def seed(env: dict[str, str]) -> dict:
    """The member, their session and token, and the verification timings, from the bench's own settings."""
    completed = subprocess.run(
        [str(VENV_BIN / "python"), "bench/membership_seed.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    line = next(ln for ln in completed.stdout.splitlines() if ln.startswith("SEED_JSON "))
    return json.loads(line.removeprefix("SEED_JSON "))


def others_running() -> list[str]:
    """The busiest processes at the start: the machine is shared."""
    completed = subprocess.run(
        ["ps", "-eo", "pcpu,etime,comm", "--sort=-pcpu"], capture_output=True, text=True, check=False
    )
    return [line.strip() for line in completed.stdout.splitlines()[1:9]]


def measure(bench, seeded: dict) -> dict[str, list[WrkRun]]:
    args = bench.args
    signed_in = {"Cookie": seeded["cookie"]}
    headers = {"bare": {}, "bare_member": signed_in, "status": signed_in}

    def one(scenario: str, label: str, seconds: int) -> WrkRun:
        run = run_wrk_get(
            scenario=scenario,
            base=bench.base,
            path=PATHS[scenario],
            headers=headers[scenario],
            seconds=seconds,
            connections=args.connections,
            threads=args.wrk_threads,
            cpu_probe=lambda: bench.stack.cpu_by_pid(bench.database_url),
        )
        print(wrk_line(run, label), flush=True)
        return run

    for scenario in SCENARIOS:
        one(scenario, "w", args.warmup)
    runs: dict[str, list[WrkRun]] = {scenario: [] for scenario in SCENARIOS}
    for number in range(1, args.rounds + 1):
        for scenario in SCENARIOS:
            runs[scenario].append(one(scenario, str(number), args.seconds))
    return runs


def build(*, args, runs: dict[str, list[WrkRun]], seeded: dict, load: list[str]) -> dict:
    def median(scenario: str, attribute: str) -> float:
        return round(statistics.median(getattr(run, attribute) for run in runs[scenario]), 2)

    status_rate, bare_rate = median("status", "ok_per_s"), median("bare", "ok_per_s")
    member_rate = median("bare_member", "ok_per_s")
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip(),
        "machine": {
            "python": platform.python_version(),
            "gunicorn": version("gunicorn"),
            "django": version("django"),
            "pyjwt": seeded["pyjwt"],
            "cache": seeded["cache"],
            "session_engine": seeded["session_engine"],
            "busiest_processes_at_start": load,
        },
        "config": {
            "seconds": args.seconds,
            "warmup": args.warmup,
            "rounds": args.rounds,
            "connections": args.connections,
            "gunicorn": f"{args.workers} {args.worker_class} x {args.threads}",
        },
        "runs": {name: [run.as_dict() for run in scenario_runs] for name, scenario_runs in runs.items()},
        "summary": {
            "bare_ok_per_s": bare_rate,
            "bare_member_ok_per_s": member_rate,
            "status_ok_per_s": status_rate,
            "status_p50_ms": median("status", "p50_ms"),
            "status_p99_ms": median("status", "p99_ms"),
            "status_over_bare": round(status_rate / bare_rate, 3) if bare_rate else None,
            "status_over_bare_member": round(status_rate / member_rate, 3) if member_rate else None,
            "target_status_over_bare": TARGET_RATIO,
            "status_non_2xx": sum(run.rejected for run in runs["status"]),
            "token_verify_us": seeded["verify_us"],
            "pyjwt_decode_us": seeded["pyjwt_decode_us"],
            "target_verify_us": TARGET_VERIFY_US,
            "token_bytes": seeded["token_bytes"],
        },
        "timeit": seeded["timeit"],
    }


def table(results: dict) -> str:
    summary = results["summary"]
    ratio = summary["status_over_bare"]
    met = "met" if ratio is not None and ratio >= TARGET_RATIO else "NOT met"
    verify_met = "met" if summary["token_verify_us"] < TARGET_VERIFY_US else "NOT met"
    return "\n".join(
        [
            "| figure | value | target |",
            "| --- | ---: | --- |",
            f"| bare view 2xx/s | {summary['bare_ok_per_s']:,.1f} | |",
            f"| bare view, signed-in member's cookies, 2xx/s | {summary['bare_member_ok_per_s']:,.1f} | |",
            f"| GET /api/v1/membership/status 2xx/s | {summary['status_ok_per_s']:,.1f} | |",
            f"| status p50 / p99 ms | {summary['status_p50_ms']} / {summary['status_p99_ms']} | |",
            f"| status / bare | {ratio}x | >= {TARGET_RATIO}x: {met} |",
            f"| status / bare with the member's cookies | {summary['status_over_bare_member']}x | |",
            f"| verify one token (member_token_verify) | {summary['token_verify_us']} us | "
            f"< {TARGET_VERIFY_US:.0f} us: {verify_met} |",
            f"| verify one token (the docs' PyJWT call) | {summary['pyjwt_decode_us']} us | |",
        ]
    )
