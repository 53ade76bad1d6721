"""Run the stock localstripe starter with its object lists indexed by type (for the renewal storm).

Run as a separate process (`python tests/membership/storm_localstripe.py --port N --no-state`);
the tests never import it. localstripe keeps every object in one dict and answers each list by
scanning all of it, and a charge's export lists its refunds that way several times: with the 5,000
intents of the renewal storm (~25,000 objects) one intent retrieve took ~75 ms and creating the
5,000 took ~400 s (measured on the 2-core CI machine). Keeping one dict per object type beside
the store, in the same insertion order, gives the same answers without the scan.
"""

import runpy
import sys
from collections import defaultdict
from pathlib import Path

from localstripe.resources import List, Store, StripeObject, UserError

STARTER = Path(__file__).resolve().parents[2] / "scripts" / "localstripe_server.py"

_by_type: defaultdict[str, dict] = defaultdict(dict)


def _type_of(key: str) -> str:
    return key.split(":", 1)[0]


def _set(self, key, value) -> None:
    dict.__setitem__(self, key, value)
    _by_type[_type_of(key)][key] = value
    self.dump_to_disk()


def _delete(self, key) -> None:
    dict.__delitem__(self, key)
    _by_type[_type_of(key)].pop(key, None)
    self.dump_to_disk()


def _clear(self) -> None:
    dict.clear(self)
    _by_type.clear()


def _list_all(cls, url, limit=None, starting_after=None, **kwargs):
    """StripeObject._api_list_all (localstripe 1.15.10), reading the type's own dict."""
    if kwargs:
        raise UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
    listed = List(url, limit=limit, starting_after=starting_after)
    listed._list = list(_by_type[cls.object].values())
    return listed


Store.__setitem__ = _set
Store.__delitem__ = _delete
Store.clear = _clear
StripeObject._api_list_all = classmethod(_list_all)

if __name__ == "__main__":
    sys.argv[0] = str(STARTER)
    runpy.run_path(str(STARTER), run_name="__main__")
