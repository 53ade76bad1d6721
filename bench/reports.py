"""`make bench-reports`: the revenue reports on a million contributions, beside hand-written SQL.

Creates a fresh rr_bench_* PostgreSQL database, migrates it, seeds it with `seed_demo` (100,000
members, 1,000,000 contributions over 36 months by default; the seeding time is printed), then, with
production settings, times every report warm (the page or endpoint through Django's full request
path, signed in as a finance user) and counts its queries, times the hand-written SQL aggregate over
the base tables that computes the same figures (bench/reports_raw.py), prints both with the ratio
and checks the two agree to the minor unit. Drops the database at the end (also on Ctrl-C), unless
--keep. Results: bench/results/reports.json; see bench/README.md.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import bench_env as production_env  # noqa: E402
from bench.stack import VENV_BIN, create_database, drop_database, drop_stale_databases  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TARGET_MS = 100.0
TARGET_RATIO = 5.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--contributions", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per report, after 3 warm-ups")
    parser.add_argument("--raw-repeat", type=int, default=3, help="timed runs of each raw SQL baseline")
    parser.add_argument("--database", default="", help="use this seeded database instead of a fresh one")
    parser.add_argument("--keep", action="store_true", help="keep the fresh database at the end")
    parser.add_argument("--time-zone", default="Europe/Kyiv", help="the newsroom's REPORTING_TIME_ZONE")
    parser.add_argument("--output", type=Path, default=RESULTS / "reports.json")
    return parser.parse_args(argv)


def bench_env(*, database: str, time_zone: str) -> dict[str, str]:
    """The webhook bench's production settings (DEBUG off, every secret set) on this bench's database."""
    env = production_env(database, "config.settings")
    env.update(
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",  # the test client's host
        REPORTING_TIME_ZONE=time_zone,
        REPORTING_CURRENCY="USD",
        DJANGO_STATIC_ROOT=str(Path(tempfile.gettempdir()) / "rr-bench-reports-static"),
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(VENV_BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(args: argparse.Namespace) -> tuple[str, float | None]:
    """A migrated, seeded database: the one given, or a fresh one (seeding timed)."""
    if args.database:
        return args.database, None
    dropped = drop_stale_databases()
    if dropped:
        print(f"dropped databases of killed runs: {', '.join(dropped)}", flush=True)
    database = f"rr_bench_{os.getpid()}_{int(time.time())}"
    create_database(database)
    env = bench_env(database=database, time_zone=args.time_zone)
    manage(env, "migrate", "--noinput", "-v0")
    started = time.perf_counter()
    manage(
        env,
        "seed_demo",
        f"--members={args.members}",
        f"--contributions={args.contributions}",
        f"--months={args.months}",
    )
    return database, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database, seed_seconds = prepare(args)
    try:
        env = bench_env(database=database, time_zone=args.time_zone)
        manage(env, "collectstatic", "--noinput", "-v0")
        args.output.parent.mkdir(parents=True, exist_ok=True)
        measure = ["bench/reports_measure.py", f"--repeat={args.repeat}", f"--raw-repeat={args.raw_repeat}"]
        subprocess.run(
            [str(VENV_BIN / "python"), *measure, f"--output={args.output}"], cwd=ROOT, env=env, check=True
        )
    finally:
        if not args.database and not args.keep:
            drop_database(database)
    results = json.loads(args.output.read_text())
    results.update(
        measured_at=datetime.now(UTC).isoformat(timespec="seconds"),
        commit=subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        seed={
            "members": args.members,
            "contributions": args.contributions,
            "months": args.months,
            "seconds": None if seed_seconds is None else round(seed_seconds, 1),
        },
        cpus=os.cpu_count(),
        load_average=[round(x, 2) for x in os.getloadavg()],
    )
    args.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(table(results))
    print(f"\nwritten: {args.output}")
    return 0 if results["all_met"] else 1


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def table(results: dict) -> str:
    """The Markdown table bench/README.md shows."""
    lines = [
        "| report (warm, median) | ms | p95 ms | queries | raw SQL ms | raw / report | equal | met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in results["rows"]:
        ratio = "-" if row["ratio"] is None else f"{row['ratio']:,.1f}x"
        equal = "yes" if row["equal"] else f"NO ({len(row['differences'])})"
        lines.append(
            f"| {row['report']} `{row['path']}` | {_ms(row['ms'])} | {_ms(row['p95_ms'])} | {row['queries']} "
            f"| {_ms(row['raw_ms'])} | {ratio} | {equal} | {'yes' if row['met'] else 'NO'} |"
        )
    for row in results["rows"]:
        for difference in row["differences"][:10]:
            lines.append(f"- {row['report']}: {difference}")
    seed = results.get("seed", {})
    if seed.get("seconds") is not None:
        lines.append(
            f"\nseed_demo: {seed['contributions']:,} contributions, {seed['members']:,} members, "
            f"{seed['months']} months in {seed['seconds']} s"
        )
    lines.append(f"rows: {results['counts']}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
