"""Start and stop a private localstripe for the test session (127.0.0.1, a free port, no state file)."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalStripe:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "LocalStripe":
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "scripts" / "localstripe_server.py"),
                "--port",
                str(self.port),
                "--no-state",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/js.stripe.com/v3/", timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("localstripe exited during start-up") from None
                time.sleep(0.1)
        raise RuntimeError("localstripe did not start within 30 s")

    def flush(self) -> None:
        request = urllib.request.Request(f"{self.url}/_config/data", method="DELETE")
        urllib.request.urlopen(request, timeout=5).close()

    def register_webhook(self, url: str, secret: str, name: str = "tests") -> None:
        request = urllib.request.Request(
            f"{self.url}/_config/webhooks/{name}",
            data=json.dumps({"url": url, "secret": secret}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=5).close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
