"""Demo data for checkout: the standard preset amounts and membership tiers, editable by staff.

Loading twice changes nothing.
"""

from django.db import transaction

from checkout.models import AmountPreset
from checkout.presets import STANDARD_PRESETS
from membership import tiers
from membership.models import Benefit, Tier, TierMinimum


@transaction.atomic
def load_demo_presets() -> int:
    """Create the standard presets that are missing; returns how many were created."""
    created = 0
    for currency, frequencies in STANDARD_PRESETS.items():
        for frequency, (amounts, default) in frequencies.items():
            has_default = AmountPreset.objects.filter(
                currency=currency, frequency=frequency, is_default=True
            ).exists()
            for position, amount in enumerate(amounts):
                _preset, was_created = AmountPreset.objects.get_or_create(
                    currency=currency,
                    frequency=frequency,
                    amount_minor=amount,
                    defaults={"position": position, "is_default": amount == default and not has_default},
                )
                created += was_created
    return created


# code → (name, description); what the news site reads is the code.
DEMO_BENEFITS: dict[str, tuple[str, str]] = {
    "no_appeals": ("No support appeals", "Articles without the banners asking you to give."),
    "members_newsletter": ("Members' newsletter", "A weekly letter from the editors to members."),
    "event_invitations": ("Event invitations", "Invitations to our public events and newsroom visits."),
    "annual_report_name": ("Name in the annual report", "Thanked by name in our annual report."),
}
# (position, name, description, benefit codes, monthly minimum in minor units per currency). The
# minimums sit on the preset ladders (checkout/presets.py): the monthly presets reach each tier in turn,
# and so do the annual ones, as an annual amount counts as amount / 12 rounded down (100.00 a year is
# 8.33 a month, which reaches Member's 8.00).
DEMO_TIERS: list[tuple[int, str, str, list[str], dict[str, int]]] = [
    (
        1,
        "Supporter",
        "You keep our reporting free for everyone.",
        ["no_appeals"],
        {"USD": 400, "EUR": 400, "GBP": 400, "UAH": 8000, "JPY": 400},
    ),
    (
        2,
        "Member",
        "Closer to the newsroom: our letter and our events.",
        ["no_appeals", "members_newsletter", "event_invitations"],
        {"USD": 800, "EUR": 800, "GBP": 800, "UAH": 16000, "JPY": 800},
    ),
    (
        3,
        "Patron",
        "You make the reporting possible, and we say so.",
        ["no_appeals", "members_newsletter", "event_invitations", "annual_report_name"],
        {"USD": 2000, "EUR": 2000, "GBP": 2000, "UAH": 40000, "JPY": 2000},
    ),
]


@transaction.atomic
def load_demo_tiers() -> int:
    """Create the demo tiers, benefits and minimums that are missing (staff edits are kept); returns how
    many tiers were created. Memberships then take the tier their amount reaches."""
    benefits = {}
    for position, (code, (name, description)) in enumerate(DEMO_BENEFITS.items()):
        benefits[code], _created = Benefit.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "position": position}
        )
    created = 0
    for position, name, description, codes, minimums in DEMO_TIERS:
        tier, was_created = Tier.objects.get_or_create(
            position=position, defaults={"name": name, "description": description}
        )
        if was_created:
            tier.benefits.set([benefits[code] for code in codes])
            created += 1
        for currency, minimum in minimums.items():
            TierMinimum.objects.get_or_create(
                tier=tier, currency=currency, defaults={"monthly_minimum_minor": minimum}
            )
    tiers.tiers_reassign()
    return created
