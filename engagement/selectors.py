"""Reads for the admin and the bandit: each variant's views and the gifts that followed it.

A conversion is a gift started from the variant's link: a one-off gift, or a membership's first
payment (its renewals carry the same attribution but are not new decisions). Revenue is that first
payment, in the reporting currency (today's rates where Stripe did not settle in it).
"""

from django.db.models import Min

from engagement.experiments import ArmCounts
from engagement.models import BannerMessage, BannerVariant, VariantCounts
from payments.models import Contribution, Frequency
from reporting.conversion import Converter, reporting_currency
from reporting.periods import today

PAID = (
    Contribution.Status.SUCCEEDED,
    Contribution.Status.PARTIALLY_REFUNDED,
    Contribution.Status.REFUNDED,
    Contribution.Status.DISPUTED,
)


def _first_payments(codes: list[str]):
    paid = Contribution.objects.filter(variant__in=codes, status__in=PAID)
    firsts = (
        paid.exclude(frequency=Frequency.ONE_OFF)
        .exclude(membership=None)
        .values("membership")
        .annotate(first=Min("pk"))
        .values_list("first", flat=True)
    )
    one_off = paid.filter(frequency=Frequency.ONE_OFF).values_list("pk", flat=True)
    return Contribution.objects.filter(pk__in=list(firsts) + list(one_off)).values_list(
        "variant", "amount_minor", "currency"
    )


def variant_arms(*, message: BannerMessage) -> list[ArmCounts]:
    """One arm per variant, in the variants' order (the first is the control)."""
    variants = list(BannerVariant.objects.filter(message=message).order_by("pk"))
    codes = [f"{message.slug}:{variant.key}" for variant in variants]
    views = dict(VariantCounts.objects.filter(variant__in=variants).values_list("variant_id", "impressions"))
    day = today()
    converter = Converter(until=day, target=reporting_currency())
    sums: dict[str, list[int]] = {code: [0, 0, 0] for code in codes}
    for code, amount, currency in _first_payments(codes):
        converted = converter.convert(amount, currency, day)
        if converted is None:
            continue
        sums[code][0] += 1
        sums[code][1] += converted
        sums[code][2] += converted * converted
    return [
        ArmCounts(
            key=variant.key,
            views=views.get(variant.pk, 0),
            conversions=sums[code][0],
            revenue_minor=sums[code][1],
            revenue_sq_minor=sums[code][2],
        )
        for variant, code in zip(variants, codes, strict=True)
    ]


def variant_counts(*, message: BannerMessage) -> dict[str, VariantCounts]:
    return {
        counts.variant.key: counts
        for counts in VariantCounts.objects.filter(variant__message=message).select_related("variant")
    }
