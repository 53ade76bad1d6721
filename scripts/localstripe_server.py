"""Run localstripe (the offline Stripe) on 127.0.0.1 with a private state file.

The stock `localstripe` command listens on every interface and shares /tmp/localstripe.pickle
between runs; this starter binds loopback only and keeps its state in a directory of its own
(or in memory with --no-state), so parallel test runs never see each other's data.
`make run` (scripts/dev_server.py) binds the port itself and hands the listening socket over (--fd),
and sets LOCALSTRIPE_INSTANCE_TOKEN, which this server answers at GET /_config/instance: so the
supervisor knows the server on that port is the one it started before registering a webhook with it.
localstripe is GPL-3.0: it runs as a separate process and none of its code is imported by the product.
"""

import argparse
import errno
import logging
import os
import pickle
import socket
import sys
import tempfile
from pathlib import Path

from aiohttp import web
from localstripe.resources import Store, store
from localstripe.server import app

# Exit status when the port is taken (EADDRINUSE), so a supervisor can say so in its own words.
EXIT_PORT_IN_USE = 98
TOKEN_VARIABLE = "LOCALSTRIPE_INSTANCE_TOKEN"


class KnownLimitationFilter(logging.Filter):
    """One line instead of a traceback for localstripe's known 500: a list filtered by `created`.

    Its refunds list has no `created` filter and answers 500 (TypeError) to `created[gte]`; the gateway
    then lists without the filter (payments/gateway/events.py list_objects), so nothing is lost.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, TypeError) and "unexpected keyword argument 'created'" in str(error):
            record.msg, record.args, record.exc_info, record.exc_text = (
                "localstripe cannot filter this list by created (known limitation): answered 500",
                (),
                None,
                None,
            )
        return True


def add_instance_route(token: str) -> None:
    async def instance(_request: web.Request) -> web.Response:
        return web.json_response({"token": token})

    app.router.add_get("/_config/instance", instance)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument(
        "--fd", type=int, default=None, help="an inherited listening socket (instead of --port)"
    )
    parser.add_argument("--state-dir", type=Path, default=None, help="default: a new temporary dir")
    parser.add_argument("--no-state", action="store_true", help="keep state in memory only")
    args = parser.parse_args()

    if args.no_state:
        Store.dump_to_disk = lambda self: None
    else:
        state_dir = args.state_dir or Path(tempfile.mkdtemp(prefix="localstripe-"))
        state_dir.mkdir(parents=True, exist_ok=True)
        state_file = state_dir / "localstripe.pickle"
        if state_file.exists():
            with open(state_file, "rb") as handle:
                dict.update(store, pickle.load(handle))  # noqa: S301 - our own file

        def dump_to_disk(self) -> None:
            with open(state_file, "wb") as handle:
                pickle.dump(dict(self), handle, protocol=pickle.HIGHEST_PROTOCOL)

        Store.dump_to_disk = dump_to_disk
    token = os.environ.pop(TOKEN_VARIABLE, "")
    if token:
        add_instance_route(token)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("aiohttp.server").addFilter(KnownLimitationFilter())
    if args.fd is not None:
        listening = socket.socket(fileno=args.fd)
        web.run_app(app, sock=listening, access_log=None, print=None)
        return
    try:
        web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        print(f"localstripe: 127.0.0.1:{args.port} is already in use", file=sys.stderr)
        raise SystemExit(EXIT_PORT_IN_USE) from None


if __name__ == "__main__":
    main()
