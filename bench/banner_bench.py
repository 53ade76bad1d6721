"""`bench/run.py --banner`: the banner's decision under gunicorn beside a static file, same run.

Scenarios, all GET with no cookie (as a news site's reader's browser asks), interleaved over the rounds
so the shared machine's noise hits them alike:
- `static`: the site's stylesheet at its hashed URL, served by WhiteNoise in the same gunicorn: the
  ceiling for anything this stack answers;
- `decision`: `GET /api/v1/banner?…` for an English reader on their fifth article (bench/banner_seed.py),
  which shows the demo's A/B-tested message.
Plus the database queries per warm decision and the size of banner.js gzipped. Writes
bench/results/banner.json.
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

SCENARIOS = ("static", "decision")
TARGET_RATIO = 0.5
TARGET_P99_MS = 20.0
TARGET_GZIP_BYTES = 15 * 1024


def seed(env: dict[str, str]) -> dict:
    completed = subprocess.run(
        [str(VENV_BIN / "python"), "bench/banner_seed.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    line = next(ln for ln in completed.stdout.splitlines() if ln.startswith("SEED_JSON "))
    return json.loads(line.removeprefix("SEED_JSON "))


def measure(bench, seeded: dict) -> dict[str, list[WrkRun]]:
    args = bench.args
    paths = {"static": seeded["static_path"], "decision": seeded["decision_path"]}

    def one(scenario: str, label: str, seconds: int) -> WrkRun:
        run = run_wrk_get(
            scenario=scenario,
            base=bench.base,
            path=paths[scenario],
            headers={},
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

    decision_rate, static_rate = median("decision", "ok_per_s"), median("static", "ok_per_s")
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip(),
        "machine": {
            "python": platform.python_version(),
            "gunicorn": version("gunicorn"),
            "django": version("django"),
            "whitenoise": version("whitenoise"),
            "busiest_processes_at_start": load,
        },
        "config": {
            "seconds": args.seconds,
            "warmup": args.warmup,
            "rounds": args.rounds,
            "connections": args.connections,
            "gunicorn": f"{args.workers} {args.worker_class} x {args.threads}",
            "decision_path": seeded["decision_path"],
            "static_path": seeded["static_path"],
        },
        "runs": {name: [run.as_dict() for run in scenario_runs] for name, scenario_runs in runs.items()},
        "summary": {
            "static_ok_per_s": static_rate,
            "decision_ok_per_s": decision_rate,
            "static_p99_ms": median("static", "p99_ms"),
            "decision_p50_ms": median("decision", "p50_ms"),
            "decision_p99_ms": median("decision", "p99_ms"),
            "decision_over_static": round(decision_rate / static_rate, 3) if static_rate else None,
            "target_decision_over_static": TARGET_RATIO,
            "target_decision_p99_ms": TARGET_P99_MS,
            "decision_non_2xx": sum(run.rejected for run in runs["decision"]),
            "queries_per_warm_decision": seeded["queries_per_warm_decision"],
            "banner_js_bytes": seeded["banner_js_bytes"],
            "banner_js_gzip_bytes": seeded["banner_js_gzip_bytes"],
            "target_banner_js_gzip_bytes": TARGET_GZIP_BYTES,
        },
    }


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def table(results: dict) -> str:
    summary = results["summary"]
    ratio, p99 = summary["decision_over_static"], summary["decision_p99_ms"]
    gzip_bytes = summary["banner_js_gzip_bytes"]
    return "\n".join(
        [
            "| figure | value | target |",
            "| --- | ---: | --- |",
            f"| static file (WhiteNoise) 2xx/s | {summary['static_ok_per_s']:,.1f} | |",
            f"| GET /api/v1/banner 2xx/s | {summary['decision_ok_per_s']:,.1f} | |",
            f"| decision p50 / p99 ms | {summary['decision_p50_ms']} / {p99} | p99 < {TARGET_P99_MS:.0f} ms: "
            f"{_met(p99 < TARGET_P99_MS)} |",
            f"| static file p99 ms | {summary['static_p99_ms']} | |",
            f"| decision / static | {ratio}x | >= {TARGET_RATIO}x: "
            f"{_met(ratio is not None and ratio >= TARGET_RATIO)} |",
            f"| database queries per warm decision | {summary['queries_per_warm_decision']} | 0: "
            f"{_met(summary['queries_per_warm_decision'] == 0)} |",
            f"| banner.js gzipped | {gzip_bytes:,} bytes ({summary['banner_js_bytes']:,} raw) | < 15 KB: "
            f"{_met(gzip_bytes < TARGET_GZIP_BYTES)} |",
        ]
    )
