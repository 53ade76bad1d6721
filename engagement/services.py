"""Writes of engagement outside the event counts: the bandit's weights."""

from django.db import transaction
from django.utils import timezone

from engagement.experiments import thompson_weights, weights_to_integers
from engagement.models import BannerMessage, BannerVariant
from engagement.selectors import variant_arms

BANDIT_DRAWS = 10_000
BANDIT_FLOOR = 0.05  # every variant keeps some traffic, so the bandit can change its mind


def bandit_weights_update(*, message: BannerMessage, seed: int | None = None) -> list[BannerVariant]:
    """New weights for a bandit message's variants from their counts (safe to run any time)."""
    arms = variant_arms(message=message)
    if not arms:
        return []
    weights = thompson_weights(arms=arms, draws=BANDIT_DRAWS, seed=seed, floor=BANDIT_FLOOR)
    permille = weights_to_integers(weights=[weight.weight for weight in weights], total=1000)
    now = timezone.now()
    variants = list(BannerVariant.objects.filter(message=message).order_by("pk"))
    with transaction.atomic():
        for variant, weight, share in zip(variants, weights, permille, strict=True):
            variant.bandit_weight_permille = share
            variant.bandit_explanation = weight.explanation
            variant.bandit_updated_at = now
        BannerVariant.objects.bulk_update(
            variants, ["bandit_weight_permille", "bandit_explanation", "bandit_updated_at"]
        )
    return variants
