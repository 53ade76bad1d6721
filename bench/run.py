"""`make bench`: Stripe webhook ingest on PostgreSQL under gunicorn, loaded by wrk, against two baselines.

Creates and migrates a fresh rr_bench_* database, serves the project with production settings
(bench.settings = config.settings + the baseline URLs), measures the bare view, the minimal
signed insert and /stripe/webhook in interleaved rounds, drains the queued events with a real
Celery worker, sends a 10,000-event burst with re-sent duplicates, and checks that every accepted
event was processed exactly once. Everything it started is stopped and its database dropped on exit,
Ctrl-C included. Results: bench/results/webhooks.json; see bench/README.md.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import redis  # noqa: E402

from bench import banner_bench, events, membership_bench, report  # noqa: E402
from bench.baseline_views import TABLE_SQL  # noqa: E402
from bench.measure import event_counts, run_wrk, stored_ids, wait_until_drained  # noqa: E402
from bench.stack import (  # noqa: E402
    DB_PREFIX,
    QUEUE,
    REDIS_DB,
    Stack,
    broker,
    create_database,
    drop_database,
    drop_stale_databases,
)

RESULTS = ROOT / "bench" / "results"
WEBHOOK_SECRET = "whsec_bench_" + "b" * 24
CACHE_DB = 5  # the membership check's cache (sessions, statuses), emptied before and after
CACHE_URL = f"redis://127.0.0.1:6379/{CACHE_DB}"
PATHS = {"bare": "/bench/bare", "insert": "/bench/insert", "webhook": "/stripe/webhook"}
SCENARIOS = ("bare", "insert", "webhook")
MAX_RATE = 3500  # events per second we size each data file for; the Lua reports if it wrapped
# Chosen with `bench/run.py --tune` on the 2-core machines (bench/README.md: "Gunicorn configuration").
DEFAULT_WORKERS = 2
DEFAULT_WORKER_CLASS = "gthread"
DEFAULT_THREADS = 4
TUNE_CONFIGS = [
    ("sync", 5, 1),
    ("gthread", 2, 2),
    ("gthread", 2, 4),
    ("gthread", 2, 8),
    ("gthread", 3, 4),
    ("gthread", 4, 4),
]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per scenario and round")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds per scenario")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds (bare, insert, webhook)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="gunicorn workers")
    parser.add_argument("--worker-class", default=DEFAULT_WORKER_CLASS, choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="gunicorn threads per worker")
    parser.add_argument("--burst", type=int, default=10_000, help="requests in the burst (0: skip)")
    parser.add_argument("--duplicates", type=float, default=0.10, help="share of burst requests re-sent")
    parser.add_argument("--celery-concurrency", type=int, default=4)
    parser.add_argument("--celery-pool", default="prefork", choices=["prefork", "threads", "solo"])
    parser.add_argument("--no-beat", action="store_true", help="run the worker without the beat sweep")
    parser.add_argument("--drain-timeout", type=float, default=400, help="at most this long, and ...")
    parser.add_argument(
        "--budget", type=float, default=480, help="... within this many seconds for the whole run"
    )
    parser.add_argument(
        "--event-type", default=events.DEFAULT_EVENT_TYPE, help="type of the ~2 KB payment_intent events sent"
    )
    parser.add_argument("--settings", default="bench.settings", help="DJANGO_SETTINGS_MODULE to serve")
    parser.add_argument(
        "--skip-processing", action="store_true", help="measure ingest only: no worker, no burst"
    )
    parser.add_argument("--tune", action="store_true", help="compare gunicorn configurations instead")
    parser.add_argument(
        "--membership",
        action="store_true",
        help="the membership check instead: GET /api/v1/membership/status beside the bare view, token verify",
    )
    parser.add_argument(
        "--banner",
        action="store_true",
        help="the banner's decision instead: GET /api/v1/banner beside a static file, banner.js gzipped",
    )
    parser.add_argument("--output", type=Path, default=None, help="default: bench/results/<mode>.json")
    args = parser.parse_args(argv)
    if args.membership and args.banner:
        parser.error("choose --membership or --banner")
    if args.output is None:
        mode = "membership" if args.membership else "banner" if args.banner else "webhooks"
        args.output = RESULTS / f"{mode}.json"
    return args


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("wrk is missing: installing it with apt-get", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)


def bench_env(database: str, settings_module: str, *, cache_url: str = "") -> dict[str, str]:
    """Production settings (DEBUG off, every secret set) on the bench database, queue and Redis db."""
    inherited = {"REDIS_CACHE_URL", "STRIPE_API_BASE"}  # teammates' cache db; no Stripe calls expected
    env = {key: value for key, value in os.environ.items() if key not in inherited}
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-" + secrets.token_hex(24),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        STRIPE_SECRET_KEY="sk_test_bench",
        STAGING_SITE="true",  # test keys with DEBUG off
        STRIPE_PUBLISHABLE_KEY="pk_test_bench",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        MEMBER_TOKEN_SECRET="bench-member-" + secrets.token_hex(24),
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
        CELERY_BROKER_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        CELERY_TASK_DEFAULT_QUEUE=QUEUE,
        PYTHONDONTWRITEBYTECODE="1",
        # Production serves collected static files (the WSGI start refuses to run without them).
        DJANGO_STATIC_ROOT=str(Path(tempfile.gettempdir()) / "rr-bench-static"),
    )
    if cache_url:  # the membership check: sessions and statuses in Redis, as in production
        env["REDIS_CACHE_URL"] = cache_url
    return env


def _raise_interrupt(signum, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


class Bench:
    def __init__(
        self, args: argparse.Namespace, stack: Stack, work: Path, database_url: str, started: float
    ) -> None:
        self.started = started
        self.args = args
        self.stack = stack
        self.work = work
        self.database_url = database_url
        self.base = ""
        self.warmups: dict = {}

    def data_for(self, scenario: str, prefix: str, seconds: int) -> Path:
        count = 5_000 if scenario == "bare" else MAX_RATE * (seconds + 2)
        return events.write_wrk_data(
            directory=self.work,
            name=prefix,
            prefix=prefix,
            count=count,
            secret=WEBHOOK_SECRET,
            event_type=self.args.event_type,
        )

    def wrk(self, scenario: str, prefix: str, seconds: int):
        data = self.data_for(scenario, prefix, seconds)
        result = run_wrk(
            scenario=scenario,
            base=self.base,
            path=PATHS[scenario],
            data=data,
            seconds=seconds,
            connections=self.args.connections,
            threads=self.args.wrk_threads,
            cpu_probe=lambda: self.stack.cpu_by_pid(self.database_url),
        )
        data.unlink()
        print(report.wrk_line(result, prefix), flush=True)
        return result

    def serve(self, worker_class: str, workers: int, threads: int) -> None:
        print(f"gunicorn config.wsgi: {workers} {worker_class} workers x {threads} threads", flush=True)
        self.base = self.stack.start_gunicorn(workers=workers, worker_class=worker_class, threads=threads)

    def webhook_available(self) -> bool:
        """One signed event to the real endpoint: 404 means the view has not landed yet."""
        body = events.body_for(events.template(self.args.event_type), "probex0000000")
        request = urllib.request.Request(
            f"{self.base}{PATHS['webhook']}",
            data=body,
            headers={
                "Content-Type": "application/json",
                "Stripe-Signature": events.sign(secret=WEBHOOK_SECRET, body=body, timestamp=int(time.time())),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        print(f"probe POST {PATHS['webhook']} -> {status}", flush=True)
        return 200 <= status < 300

    def rounds(
        self, scenarios: tuple[str, ...], *, seconds: int, rounds: int, warmup: int
    ) -> dict[str, list]:
        """Warm every scenario first, then measure them interleaved, so each runs on a warm stack."""
        for scenario in scenarios:
            self.warmups[scenario] = self.wrk(scenario, f"{scenario[0]}u", warmup)
        runs: dict[str, list] = {scenario: [] for scenario in scenarios}
        for number in range(1, rounds + 1):
            for scenario in scenarios:
                runs[scenario].append(self.wrk(scenario, f"{scenario[0]}{number}", seconds))
        return runs

    def tune(self) -> dict:
        table = []
        for worker_class, workers, threads in TUNE_CONFIGS:
            self.serve(worker_class, workers, threads)
            scenarios = SCENARIOS if self.webhook_available() else SCENARIOS[:2]
            runs = self.rounds(scenarios, seconds=self.args.seconds, rounds=1, warmup=self.args.warmup)
            table.append(
                {"worker_class": worker_class, "workers": workers, "threads": threads}
                | {name: [run.as_dict() for run in scenario_runs] for name, scenario_runs in runs.items()}
            )
        return {"tuning": table}

    def full(self) -> dict:
        args = self.args
        self.serve(args.worker_class, args.workers, args.threads)
        real = self.webhook_available()
        runs = self.rounds(
            SCENARIOS if real else SCENARIOS[:2], seconds=args.seconds, rounds=args.rounds, warmup=args.warmup
        )
        outcome: dict = {"runs": runs, "real_endpoint": real}
        if not real or args.skip_processing:
            return outcome
        accepted = sum(run.ok for run in runs["webhook"]) + self.warmups["webhook"].ok
        before = event_counts(self.database_url, prefix="w")
        print(f"sustained: {accepted} accepted, {before['stored']} stored; starting the worker", flush=True)
        worker_started = time.monotonic()
        self.stack.start_worker(
            concurrency=args.celery_concurrency, pool=args.celery_pool, beat=not args.no_beat
        )
        burst = self.send_burst() if args.burst else None
        waiting_from = time.monotonic()
        drain = wait_until_drained(self.database_url, timeout=self.drain_timeout())
        drain["since_worker_start_s"] = round(waiting_from - worker_started + drain["seconds"], 1)
        sustained = event_counts(self.database_url, prefix="w")
        outcome["sustained"] = report.sustained_accounting(accepted=accepted, counts=sustained, drain=drain)
        print(report.accounting_line("sustained", outcome["sustained"]), flush=True)
        if burst is not None:
            plan, sent = burst
            stored = stored_ids(self.database_url, prefix="bx")
            counts = event_counts(self.database_url, prefix="bx")
            outcome["burst"] = report.burst_accounting(
                plan=plan, sent=sent, stored=stored, counts=counts, drain=drain
            )
            print(report.accounting_line("burst", outcome["burst"]), flush=True)
        return outcome

    def membership(self) -> dict:
        """The membership check: status endpoint and bare view in the same run, plus token verification."""
        args = self.args
        load = membership_bench.others_running()
        seeded = membership_bench.seed(self.stack.env)  # timed before gunicorn starts beside it
        print(f"member seeded; verify one token: {seeded['verify_us']} us", flush=True)
        self.serve(args.worker_class, args.workers, args.threads)
        runs = membership_bench.measure(self, seeded)
        return membership_bench.build(args=args, runs=runs, seeded=seeded, load=load)

    def banner(self) -> dict:
        """The banner's decision and a static file in the same run, plus queries and banner.js's size."""
        args = self.args
        load = membership_bench.others_running()
        seeded = banner_bench.seed(self.stack.env)
        print(f"banners seeded; {seeded['queries_per_warm_decision']} queries per warm decision", flush=True)
        self.serve(args.worker_class, args.workers, args.threads)
        runs = banner_bench.measure(self, seeded)
        return banner_bench.build(args=args, runs=runs, seeded=seeded, load=load)

    def drain_timeout(self) -> float:
        """Wait for the worker no longer than the run's time budget allows (cleanup needs ~20 s)."""
        remaining = self.args.budget - (time.monotonic() - self.started) - 20
        return max(10.0, min(self.args.drain_timeout, remaining))

    def send_burst(self):
        """The burst, sent while the worker drains the sustained phases' backlog (both are checked)."""
        args = self.args
        plan = events.plan_burst(
            prefix="bx",
            total=args.burst,
            duplicate_share=args.duplicates,
            secret=WEBHOOK_SECRET,
            event_type=args.event_type,
        )
        print(f"burst: {len(plan.sends)} requests, {len(plan.distinct)} distinct events", flush=True)
        sent = events.send_burst(
            plan=plan, port=self.stack.port, path=PATHS["webhook"], connections=args.connections
        )
        print(f"burst: sent in {sent.seconds:.1f} s, statuses {dict(sent.statuses)}; draining", flush=True)
        return plan, sent


def _table(args: argparse.Namespace, results: dict) -> str:
    if args.membership:
        return membership_bench.table(results)
    if args.banner:
        return banner_bench.table(results)
    return report.table(results)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ensure_wrk()
    database = f"{DB_PREFIX}_{os.getpid()}_{int(time.time())}"
    cache = redis.Redis(host="127.0.0.1", port=6379, db=CACHE_DB)
    uses_cache = args.membership or args.banner  # production's Redis cache (sessions, rate limits, figures)
    env = bench_env(database, args.settings, cache_url=CACHE_URL if uses_cache else "")
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="rr_bench_"))
    stack = Stack(env=env, log_dir=RESULTS)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_interrupt)
    created = False
    started = time.monotonic()
    try:
        for name in drop_stale_databases():
            print(f"dropped {name}, left by a run that was killed", flush=True)
        create_database(database)
        created = True
        stack.manage("migrate", "--noinput")
        stack.manage("collectstatic", "--noinput")
        database_url = env["DATABASE_URL"]
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(TABLE_SQL)
        broker().flushdb()
        if uses_cache:
            cache.flushdb()
        bench = Bench(args, stack, work, database_url, started)
        if args.membership:
            results = bench.membership()
            stack.stop_all()
        elif args.banner:
            results = bench.banner()
            stack.stop_all()
        else:
            outcome = bench.tune() if args.tune else bench.full()
            stack.stop_all()
            results = report.build(args=args, outcome=outcome, database_url=database_url, started=started)
    except KeyboardInterrupt:
        print("\ninterrupted: cleaning up", file=sys.stderr)
        return 130
    finally:
        stack.close()
        if created:
            drop_database(database)
        broker().flushdb()
        if uses_cache:
            cache.flushdb()
        shutil.rmtree(work, ignore_errors=True)
    output = args.output if not args.tune else RESULTS / "tuning.json"
    output.write_text(json.dumps(results, indent=2) + "\n")
    print(_table(args, results))
    elapsed = time.monotonic() - started
    print(f"wrote {output}; database {database} dropped; {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
