"""The demo's newsletters (what a Ukrainian newsroom might send); loading twice changes nothing."""

from newsletters.models import Newsletter

DEMO_NEWSLETTERS = [
    {
        "slug": "ukraine-daily",
        "name": "Ukraine Daily",
        "description": "The day's most important news from Ukraine, with context, every weekday morning.",
        "frequency": "Every weekday",
        "is_default": True,
        "position": 1,
    },
    {
        "slug": "investigations",
        "name": "Investigations",
        "description": "Our War Crimes Investigations Unit's reporting, as it is published.",
        "frequency": "About twice a month",
        "is_default": False,
        "position": 2,
    },
]


def load_demo_newsletters() -> int:
    created = 0
    for values in DEMO_NEWSLETTERS:
        _, was_created = Newsletter.objects.get_or_create(slug=values["slug"], defaults=values)
        created += was_created
    return created
