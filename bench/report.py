"""Turns the runs and database counts into bench/results/webhooks.json and the printed table."""

import os
import platform
import statistics
import subprocess
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import psycopg

from bench.measure import DONE_STATUSES, WrkRun, median_of, spread_of
from bench.stack import broker

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO_TO_INSERT = 0.8
TARGET_P99_MS = 50.0


def wrk_line(run: WrkRun, label: str) -> str:
    extra = f", {run.rejected} non-2xx" if run.rejected else ""
    extra += f", {run.socket_errors} socket errors" if run.socket_errors else ""
    extra += f", data wrapped {run.wrapped}x" if run.wrapped and run.scenario != "bare" else ""
    cpu = " + ".join(f"{name} {ms:.2f}" for name, ms in run.cpu_ms_per_req.items())
    return (
        f"  {run.scenario:<8} {label:<3} {run.seconds:5.1f} s  {run.ok_per_s:8.1f} 2xx/s  "
        f"p50 {run.p50_ms:6.2f} ms  p99 {run.p99_ms:7.2f} ms  cpu/req {cpu} ms  "
        f"(load {run.load_before}){extra}"
    )


def _duplicated(counts: dict) -> int:
    """Events handled to completion more than once (attempt log), else the attempts counter."""
    if counts["handled_twice"] is not None:
        return counts["handled_twice"]
    return counts["attempts_over_one"]


def _pending(by_status: dict) -> int:
    return sum(n for status, n in by_status.items() if status not in (*DONE_STATUSES, "failed"))


def sustained_accounting(*, accepted: int, counts: dict, drain: dict) -> dict:
    """wrk can't say which ids got a 2xx, so lost (accepted, not stored) is a lower bound here.

    `pending` events were stored but still unprocessed when the time budget ran out: neither lost
    nor shown processed; `failed` ones were processed and failed (counted as lost).
    """
    done = counts["done"]
    failed = counts["by_status"].get("failed", 0)
    return {
        "accepted": accepted,
        "stored": counts["stored"],
        "processed": done,
        "by_status": counts["by_status"],
        "lost": max(0, accepted - counts["stored"]) + failed,
        "pending": _pending(counts["by_status"]),
        "duplicated": _duplicated(counts),
        "stored_without_2xx_seen": max(0, counts["stored"] - accepted),
        "attempt_rows": counts["attempt_rows"],
        "drained": drain["drained"],
        "drain_s": drain["since_worker_start_s"],
    }


def burst_accounting(*, plan, sent, stored: dict[str, str], counts: dict, drain: dict) -> dict:
    """Exact per event: the client knows which ids got a 2xx, the database which were processed."""
    accepted_requests = sum(n for status, n in sent.statuses.items() if 200 <= status < 300)
    not_stored = [t for t in sent.accepted_tokens if f"evt_{t}" not in stored]
    failed = [t for t in sent.accepted_tokens if stored.get(f"evt_{t}") == "failed"]
    pending = [
        t
        for t in sent.accepted_tokens
        if f"evt_{t}" in stored and stored[f"evt_{t}"] not in (*DONE_STATUSES, "failed")
    ]
    latencies = sorted(sent.latencies_ms)
    return {
        "requests": len(plan.sends),
        "resent_duplicates": plan.duplicates,
        "distinct_generated": len(plan.distinct),
        "accepted_requests": accepted_requests,
        "accepted": len(sent.accepted_tokens),
        "statuses": {str(status): n for status, n in sorted(sent.statuses.items())},
        "stored": len(stored),
        "stored_not_generated": len(set(stored) - {f"evt_{t}" for t in plan.distinct}),
        "processed": sum(1 for status in stored.values() if status in DONE_STATUSES),
        "by_status": counts["by_status"],
        "lost": len(not_stored) + len(failed),
        "lost_not_stored": len(not_stored),
        "pending": len(pending),
        "duplicated": _duplicated(counts),
        "attempt_rows": counts["attempt_rows"],
        "send_s": round(sent.seconds, 2),
        "accepted_per_s": round(accepted_requests / sent.seconds, 1) if sent.seconds else None,
        "client_p50_ms": round(latencies[len(latencies) // 2], 2) if latencies else None,
        "client_p99_ms": round(latencies[int(len(latencies) * 0.99)], 2) if latencies else None,
        "drained": drain["drained"],
    }


def accounting_line(name: str, acc: dict) -> str:
    return (
        f"{name}: accepted {acc['accepted']}, stored {acc['stored']}, processed {acc['processed']}, "
        f"lost {acc['lost']}, pending {acc['pending']}, duplicated {acc['duplicated']}, "
        f"by status {acc['by_status']}"
    )


def _command(*command: str) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return ""
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr).strip() else ""


def _command_lines(*command: str) -> list[str]:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return []
    return [line for line in out.stdout.splitlines() if line.strip()]


def machine(database_url: str) -> dict:
    with open("/proc/meminfo") as handle:
        mem_kb = int(next(line for line in handle if line.startswith("MemTotal")).split()[1])
    with open("/proc/cpuinfo") as handle:
        cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "")
    with psycopg.connect(database_url) as conn:
        postgres = conn.execute("SHOW server_version").fetchone()[0]
        sync_commit = conn.execute("SHOW synchronous_commit").fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu_model": cpu,
        "python": platform.python_version(),
        "postgres": postgres,
        "postgres_synchronous_commit": sync_commit,
        "redis": broker().info("server").get("redis_version"),
        "wrk": _command("wrk", "-v").split(" [")[0],
        "django": version("django"),
        "gunicorn": version("gunicorn"),
        "celery": version("celery"),
        "stripe": version("stripe"),
        "git_commit": _command("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"),
        "git_dirty_paths": len(_command_lines("git", "-C", str(ROOT), "status", "--porcelain")),
        "load_average_at_start": os.getloadavg()[0],
    }


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def build(*, args, outcome: dict, database_url: str, started: float) -> dict:
    results: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(database_url),
        "load": {
            "tool": "wrk",
            "connections": args.connections,
            "threads": args.wrk_threads,
            "seconds": args.seconds,
            "warmup_seconds": args.warmup,
            "rounds": args.rounds,
        },
    }
    if "tuning" in outcome:
        return results | outcome
    runs = outcome["runs"]
    bare = median_of(runs["bare"], "ok_per_s")
    insert = median_of(runs["insert"], "ok_per_s")
    results["gunicorn"] = {
        "workers": args.workers,
        "worker_class": args.worker_class,
        "threads": args.threads,
    }
    results["event_type"] = args.event_type
    results["celery"] = {
        "pool": args.celery_pool,
        "concurrency": args.celery_concurrency,
        "beat": not args.no_beat,
    }
    results["baseline_bare_per_s"] = bare
    results["baseline_insert_per_s"] = insert
    results["baseline_insert_p99_ms"] = median_of(runs["insert"], "p99_ms")
    # Server CPU per response (gunicorn + this database's backends + Redis): unlike req/s, it
    # hardly moves when teammates load the shared machine, so its ratio is the steadier estimate.
    cpu = {name: median_of(scenario_runs, "server_cpu_ms_per_req") for name, scenario_runs in runs.items()}
    results["server_cpu_ms_per_request"] = cpu
    if cpu.get("webhook"):
        results["cpu_ratio_insert_to_webhook"] = _ratio(cpu["insert"], cpu["webhook"])
    results["spread"] = {
        f"{name}_{attr}": spread_of(scenario_runs, attr)
        for name, scenario_runs in runs.items()
        for attr in ("ok_per_s", "p50_ms", "p99_ms")
    }
    results["runs"] = {name: [run.as_dict() for run in scenario_runs] for name, scenario_runs in runs.items()}
    if not outcome["real_endpoint"]:
        results["events_per_s"] = None
        results["note"] = "/stripe/webhook did not answer 2xx to a signed event: only the baselines ran"
        return results
    events = median_of(runs["webhook"], "ok_per_s")
    p99 = median_of(runs["webhook"], "p99_ms")
    results |= {
        "events_per_s": events,
        "p50_ms": median_of(runs["webhook"], "p50_ms"),
        "p99_ms": p99,
        "ratio_to_insert": _ratio(events, insert),
        "ratio_to_bare": _ratio(events, bare),
    }
    if "sustained" not in outcome:
        results["note"] = "ingest only (--skip-processing): no worker, no burst"
        return results
    sustained = outcome["sustained"]
    burst = outcome.get("burst")
    parts = [sustained] + ([burst] if burst else [])
    results |= {
        "accepted": sum(part["accepted"] for part in parts),
        "processed": sum(part["processed"] for part in parts),
        "lost": sum(part["lost"] for part in parts),
        "duplicated": sum(part["duplicated"] for part in parts),
        "pending": sum(part["pending"] for part in parts),
        "drained": sustained["drained"],
        "processing_per_s": round(sum(part["processed"] for part in parts) / sustained["drain_s"], 1)
        if sustained["drain_s"]
        else None,
        "sustained": sustained,
        "burst": burst,
    }
    results["targets"] = {
        "ratio_to_insert_at_least_0_8": (results["ratio_to_insert"] or 0) >= TARGET_RATIO_TO_INSERT,
        "p99_under_50_ms_at_32_clients": p99 < TARGET_P99_MS,
        "burst_zero_lost_and_duplicated": bool(burst)
        and burst["lost"] == 0
        and burst["duplicated"] == 0
        and burst["pending"] == 0,
    }
    return results


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def table(results: dict) -> str:
    if "tuning" in results:
        return tuning_table(results["tuning"])
    spread = results["spread"]
    cpu = results.get("server_cpu_ms_per_request", {})
    lines = [
        "",
        "| scenario | 2xx/s (median) | p50 ms | p99 ms | server CPU ms/req | 2xx/s per round |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    labels = (("bare", "bare view"), ("insert", "minimal signed insert"), ("webhook", "/stripe/webhook"))
    for name, label in labels:
        if f"{name}_ok_per_s" not in spread:
            continue
        lines.append(
            f"| {label} | {_fmt(statistics.median(spread[f'{name}_ok_per_s']))} "
            f"| {_fmt(statistics.median(spread[f'{name}_p50_ms']), 2)} "
            f"| {_fmt(statistics.median(spread[f'{name}_p99_ms']), 2)} "
            f"| {_fmt(cpu.get(name), 2)} "
            f"| {' / '.join(_fmt(v) for v in spread[f'{name}_ok_per_s'])} |"
        )
    if results.get("events_per_s") is None or "targets" not in results:
        ratios = ""
        if results.get("ratio_to_insert") is not None:
            ratios = (
                f"real / insert {results['ratio_to_insert']:.2f}x, "
                f"real / bare {results['ratio_to_bare']:.2f}x"
            )
        return "\n".join([*lines, "", ratios, results.get("note", "")])
    targets = results["targets"]
    sustained, burst = results["sustained"], results["burst"] or {}

    def met(flag: bool) -> str:
        return "met" if flag else "NOT met"

    lines += [
        "",
        "| figure | value | target |",
        "| --- | ---: | --- |",
        f"| real / minimal insert | {_fmt(results['ratio_to_insert'], 2)}x "
        f"| >= 0.8x: {met(targets['ratio_to_insert_at_least_0_8'])} |",
        f"| real / bare | {_fmt(results['ratio_to_bare'], 2)}x | |",
        f"| CPU per request, insert / real (load-independent estimate of the ratio) "
        f"| {_fmt(results.get('cpu_ratio_insert_to_webhook'), 2)}x | >= 0.8x |",
        f"| p99 at 32 connections | {_fmt(results['p99_ms'], 2)} ms "
        f"| < 50 ms: {met(targets['p99_under_50_ms_at_32_clients'])} |",
        f"| sustained: accepted / stored / processed | {sustained['accepted']:,} / {sustained['stored']:,} "
        f"/ {sustained['processed']:,} | |",
        f"| sustained: lost / pending / duplicated | {sustained['lost']} / {sustained['pending']} "
        f"/ {sustained['duplicated']} | 0 / 0 / 0 |",
        f"| worker: processed per s (sustained + burst backlog) | {_fmt(results['processing_per_s'])} "
        f"({sustained['drain_s']} s, drained: {sustained['drained']}) | |",
    ]
    if burst:
        lines += [
            f"| burst: requests (re-sent duplicates) | {burst['requests']:,} "
            f"({burst['resent_duplicates']:,}) | |",
            f"| burst: distinct generated / accepted / stored / processed | {burst['distinct_generated']:,} "
            f"/ {burst['accepted']:,} / {burst['stored']:,} / {burst['processed']:,} | |",
            f"| burst: lost / pending / duplicated | {burst['lost']} / {burst['pending']} "
            f"/ {burst['duplicated']} | 0 / 0 / 0: {met(targets['burst_zero_lost_and_duplicated'])} |",
            f"| burst: client-side 2xx/s, p50 / p99 (worker running) | {_fmt(burst['accepted_per_s'])}, "
            f"{_fmt(burst['client_p50_ms'], 2)} / {_fmt(burst['client_p99_ms'], 2)} ms | |",
        ]
    return "\n".join(lines)


def tuning_table(rows: list[dict]) -> str:
    lines = [
        "",
        "| gunicorn | bare 2xx/s | insert 2xx/s | webhook 2xx/s | webhook p50 / p99 ms |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for row in rows:

        def first(name: str, key: str, row: dict = row):
            return row[name][0][key] if row.get(name) else None

        lines.append(
            f"| {row['workers']} {row['worker_class']} x {row['threads']} "
            f"| {_fmt(first('bare', 'ok_per_s'))} "
            f"| {_fmt(first('insert', 'ok_per_s'))} | {_fmt(first('webhook', 'ok_per_s'))} "
            f"| {_fmt(first('webhook', 'p50_ms'), 2)} / {_fmt(first('webhook', 'p99_ms'), 2)} |"
        )
    return "\n".join(lines)
