"""`make run`: start localstripe, register the webhook, start a worker if a broker is set, serve.

Ctrl-C stops everything this script started.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def wait_for(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310 - loopback URL
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds:.0f}s")


def register_webhook(api_base: str, site_url: str, secret: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - loopback URL
        f"{api_base}/_config/webhooks/site",
        data=json.dumps({"url": f"{site_url}/stripe/webhook", "secret": secret}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=5).close()  # noqa: S310


def main() -> None:
    port = os.environ.get("PORT", "8000")
    api_base = os.environ["STRIPE_API_BASE"]
    site_url = os.environ["SITE_URL"]
    secret = os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_demo_offline")
    os.environ["STRIPE_WEBHOOK_SECRET"] = secret
    ls_port = api_base.rsplit(":", 1)[1].split("/")[0]
    children: list[subprocess.Popen] = []

    def stop(*_args) -> None:
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C even when started in background
    try:
        state_dir = ROOT / "var" / "localstripe"
        children.append(
            subprocess.Popen(
                [
                    PYTHON,
                    "scripts/localstripe_server.py",
                    "--port",
                    ls_port,
                    "--state-dir",
                    str(state_dir),
                ],
                cwd=ROOT,
            )
        )
        wait_for(f"{api_base}/js.stripe.com/v3/")
        register_webhook(api_base, site_url, secret)
        print(f"localstripe on {api_base}, sending webhooks to {site_url}/stripe/webhook")
        if os.environ.get("CELERY_BROKER_URL"):
            children.append(
                subprocess.Popen(
                    [
                        PYTHON,
                        "-m",
                        "celery",
                        "-A",
                        "config",
                        "worker",
                        "--beat",
                        "-l",
                        "info",
                        "-c",
                        "2",
                    ],
                    cwd=ROOT,
                )
            )
        else:
            print("CELERY_BROKER_URL is not set: Celery tasks run in-process (eagerly).")
        print(f"Serving {site_url} (Ctrl-C stops everything)")
        print(f"Outgoing emails are written to {ROOT / 'var' / 'outbox'}/")
        server = subprocess.Popen([PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}"], cwd=ROOT)
        children.append(server)
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        with contextlib.suppress(SystemExit):
            stop()


if __name__ == "__main__":
    main()
