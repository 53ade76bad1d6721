"""Demo data for checkout: the standard preset amounts, editable by staff. Loading twice changes nothing."""

from django.db import transaction

from checkout.models import AmountPreset
from checkout.presets import STANDARD_PRESETS


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
