"""Run localstripe (the offline Stripe) on 127.0.0.1 with a private state file.

The stock `localstripe` command listens on every interface and shares /tmp/localstripe.pickle
between runs; this starter binds loopback only and keeps its state in a directory of its own
(or in memory with --no-state), so parallel test runs never see each other's data.
localstripe is GPL-3.0: it runs as a separate process and none of its code is imported by the product.
"""

import argparse
import logging
import pickle
import tempfile
from pathlib import Path

from aiohttp import web
from localstripe.resources import Store, store
from localstripe.server import app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8420)
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
    logging.basicConfig(level=logging.WARNING)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
