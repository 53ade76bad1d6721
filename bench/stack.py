"""What the benchmark starts (a database, gunicorn, a Celery worker) and stops again, whatever happens."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_DB = 4
QUEUE = "bench"
DB_PREFIX = "rr_bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def drop_stale_databases() -> list[str]:
    """Drop rr_bench_<pid>_* databases left by a run that was killed (its pid is gone)."""
    dropped = []
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'rr_bench_%'")
        names = [row[0] for row in rows]
        for name in names:
            parts = name.split("_")
            if len(parts) >= 3 and parts[2].isdigit() and not _pid_alive(int(parts[2])):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                dropped.append(name)
    return dropped


def create_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def broker() -> redis.Redis:
    return redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)


def queue_depth() -> int:
    """Messages waiting in the bench queue plus those a worker holds unacknowledged (acks_late)."""
    client = broker()
    return int(client.llen(QUEUE)) + int(client.hlen("unacked"))


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process (all its threads), or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(entry.name))
    return found


class Stack:
    """Child processes in their own sessions, so Ctrl-C reaches us first and we stop them in order."""

    def __init__(self, *, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen] = {}
        self.port = 0
        self._beat_dir = Path(tempfile.mkdtemp(prefix="rr_bench_beat_"))

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.processes[name] = process
        return process

    def stop(self, name: str, *, timeout: float = 15) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
        except ProcessLookupError:
            pass

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def close(self) -> None:
        self.stop_all()
        shutil.rmtree(self._beat_dir, ignore_errors=True)

    def manage(self, *args: str) -> None:
        command = [str(VENV_BIN / "python"), "manage.py", *args]
        subprocess.run(command, cwd=ROOT, env=self.env, check=True, capture_output=True)

    def start_gunicorn(self, *, workers: int, worker_class: str, threads: int) -> str:
        """Serve config.wsgi on a free loopback port; returns the base URL once it answers."""
        self.stop("gunicorn")
        self.port = free_port()
        command = [
            str(VENV_BIN / "gunicorn"),
            "--config=config/gunicorn.conf.py",  # the production configuration; the flags below win
            "config.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={workers}",
            f"--worker-class={worker_class}",
            f"--threads={threads}",
            "--backlog=2048",
            "--keep-alive=5",
            "--log-level=warning",
        ]
        self._start("gunicorn", command)
        base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.processes["gunicorn"].poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_dir / 'gunicorn.log'}")
            try:
                with urllib.request.urlopen(f"{base}/bench/bare", timeout=2) as response:
                    if response.status == 200:
                        return base
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def cpu_by_pid(self, database_url: str) -> dict[str, dict[int, float]]:
        """CPU seconds so far of gunicorn (master and workers), this database's backends and Redis.

        Redis is the machine's shared server: its figure includes whatever teammates send it.
        """
        result: dict[str, dict[int, float]] = {"gunicorn": {}, "postgres": {}, "redis": {}}
        redis_pid = int(broker().info("server").get("process_id", 0))
        if redis_pid and (cpu := _process_cpu(redis_pid)) is not None:
            result["redis"][redis_pid] = cpu
        master = self.processes.get("gunicorn")
        if master is not None:
            for pid in [master.pid, *_children(master.pid)]:
                if (cpu := _process_cpu(pid)) is not None:
                    result["gunicorn"][pid] = cpu
        database = database_url.rsplit("/", 1)[1]
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database]).fetchall()
        for (pid,) in rows:
            if (cpu := _process_cpu(pid)) is not None:
                result["postgres"][pid] = cpu
        return result

    def start_worker(self, *, concurrency: int, pool: str, beat: bool) -> None:
        command = [
            str(VENV_BIN / "celery"),
            "-A",
            "config",
            "worker",
            "-Q",
            QUEUE,
            f"--concurrency={concurrency}",
            f"--pool={pool}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=bench-{os.getpid()}@%h",
        ]
        if beat:
            command += ["--beat", f"--schedule={self._beat_dir / 'beat-schedule'}"]
        self._start("worker", command)
