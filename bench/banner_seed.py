"""Run by `bench/run.py --banner` in the bench's environment: the demo's banners, and what to measure.

Loads the demo's banner messages and live figures, finds the hashed URL of the site's stylesheet (the
static file WhiteNoise serves, the baseline), checks that the decision URL shows a banner, counts the
database queries of warm decisions, and measures banner.js gzipped. Prints one JSON line for the bench.
"""

import gzip
import json
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.templatetags.static import static  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from engagement.demo import load_demo_banners  # noqa: E402
from engagement.live_figures import live_figures_refresh  # noqa: E402

WARM_DECISIONS = 200
# An English reader on their fifth article of the news section, with a random id's bucket.
DECISION_QUERY = {
    "site": "bench",
    "url": "https://news.example/2026/12/07/article",
    "section": "news",
    "tags": "ukraine,politics",
    "views": 5,
    "lang": "en",
    "country": "UA",
    "bucket": 417,
}


def main() -> None:
    load_demo_banners()
    live_figures_refresh()
    decision_path = "/api/v1/banner?" + urlencode(DECISION_QUERY)
    client = Client(HTTP_HOST="127.0.0.1")
    answer = client.get(decision_path)
    assert answer.status_code == 200, answer.content
    assert answer.json()["show"] is True, answer.json()
    with CaptureQueriesContext(connection) as queries:
        for bucket in range(WARM_DECISIONS):
            client.get(decision_path.replace("bucket=417", f"bucket={bucket}"))
    script = (settings.WHITENOISE_ROOT / "banner.js").read_bytes()
    result = {
        "decision_path": decision_path,
        "static_path": static("css/site.css"),
        "headline": answer.json()["banner"]["headline"],
        "queries_per_warm_decision": len(queries) / WARM_DECISIONS,
        "banner_js_bytes": len(script),
        "banner_js_gzip_bytes": len(gzip.compress(script, compresslevel=9)),
    }
    print("SEED_JSON " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
