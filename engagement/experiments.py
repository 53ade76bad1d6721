"""The statistics of banner experiments: intervals, the fixed-split z-test and Thompson sampling.

Pure functions on counts (standard library only), so each answer can be checked by hand.

- A fixed split is judged with a two-proportion z-test (pooled standard error), Bonferroni-corrected when
  several variants face the control, and only once every variant has the sample size fixed in advance:
  looking at the p-value every day and stopping when it dips below 0.05 ("peeking") would find false
  winners far more often than 5% of the time.
- A bandit draws, many times, each variant's conversion rate from its Beta posterior and multiplies it by
  its average gift; a variant's weight is the share of draws in which it earns the most per view.
"""

import math
import random
from dataclasses import dataclass
from statistics import NormalDist

Z95 = 1.959963984540054


@dataclass(frozen=True)
class ArmCounts:
    key: str
    views: int
    conversions: int
    revenue_minor: int
    revenue_sq_minor: int = 0  # the sum of each gift's amount squared: the variance of revenue per view

    @property
    def rate(self) -> float:
        return self.conversions / self.views if self.views else 0.0


def wilson_interval(*, successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion (sound near 0, unlike the normal one)."""
    if trials <= 0:
        return (0.0, 0.0)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def revenue_per_thousand(*, arm: ArmCounts, z: float = Z95) -> tuple[float, float, float]:
    """Revenue per 1,000 views and its normal-approximation 95% interval (low clamped at 0)."""
    if arm.views <= 0:
        return (0.0, 0.0, 0.0)
    mean = arm.revenue_minor / arm.views
    variance = max(0.0, arm.revenue_sq_minor / arm.views - mean * mean)
    half = z * math.sqrt(variance / arm.views)
    return (mean * 1000, max(0.0, mean - half) * 1000, (mean + half) * 1000)


@dataclass(frozen=True)
class ZTest:
    z: float
    p_value: float
    difference: float  # treatment rate minus control rate


def two_proportion_z_test(*, control: ArmCounts, treatment: ArmCounts) -> ZTest:
    """Two-sided two-proportion z-test with the pooled standard error."""
    if control.views <= 0 or treatment.views <= 0:
        return ZTest(z=0.0, p_value=1.0, difference=0.0)
    difference = treatment.rate - control.rate
    pooled = (control.conversions + treatment.conversions) / (control.views + treatment.views)
    se = math.sqrt(pooled * (1 - pooled) * (1 / control.views + 1 / treatment.views))
    if se == 0:
        return ZTest(z=0.0, p_value=1.0, difference=difference)
    z = difference / se
    return ZTest(z=z, p_value=math.erfc(abs(z) / math.sqrt(2)), difference=difference)


def sample_size_per_arm(
    *, baseline_rate: float, minimum_detectable_effect: float, alpha: float = 0.05, power: float = 0.8
) -> int:
    """Views each variant needs before the z-test may be read, for a relative lift (0.2 = +20%)."""
    if not 0 < baseline_rate < 1:
        raise ValueError("The baseline conversion rate must be between 0 and 1.")
    if minimum_detectable_effect <= 0 or baseline_rate * (1 + minimum_detectable_effect) >= 1:
        raise ValueError("The lift must be positive and keep the rate below 1.")
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError("alpha and power must be between 0 and 1.")
    p1 = baseline_rate
    p2 = baseline_rate * (1 + minimum_detectable_effect)
    mean = (p1 + p2) / 2
    z_alpha = NormalDist().inv_cdf(1 - alpha / 2)
    z_power = NormalDist().inv_cdf(power)
    numerator = z_alpha * math.sqrt(2 * mean * (1 - mean)) + z_power * math.sqrt(
        p1 * (1 - p1) + p2 * (1 - p2)
    )
    return math.ceil(numerator**2 / (p2 - p1) ** 2)


@dataclass(frozen=True)
class Comparison:
    key: str
    rate: float
    interval: tuple[float, float]
    rpm: tuple[float, float, float]
    z: float
    p_value: float
    significant: bool


@dataclass(frozen=True)
class Verdict:
    state: str  # "collecting", "winner" or "no_difference"
    winner: str | None
    progress: float
    comparisons: list[Comparison]
    explanation: str


def fixed_split_verdict(*, arms: list[ArmCounts], sample_size: int, alpha: float = 0.05) -> Verdict:
    """The fixed split's answer: no verdict before every arm has `sample_size` views; then the arm with
    the best rate wins if it differs significantly from every other arm (Bonferroni over the pairs)."""
    if not arms:
        return Verdict("no_difference", None, 0.0, [], "No variants yet.")
    control = arms[0]
    corrected = alpha / max(1, len(arms) - 1)
    comparisons = []
    for arm in arms:
        test = two_proportion_z_test(control=control, treatment=arm)
        comparisons.append(
            Comparison(
                key=arm.key,
                rate=arm.rate,
                interval=wilson_interval(successes=arm.conversions, trials=arm.views),
                rpm=revenue_per_thousand(arm=arm),
                z=test.z,
                p_value=test.p_value,
                significant=arm is not control and test.p_value < corrected,
            )
        )
    fewest = min(arm.views for arm in arms)
    progress = min(1.0, fewest / sample_size) if sample_size > 0 else 1.0
    if fewest < sample_size:
        return Verdict(
            "collecting",
            None,
            progress,
            comparisons,
            f"Collecting: {fewest:,} of {sample_size:,} views per variant; significance is not judged "
            "before then, so peeking cannot pick a false winner.",
        )
    if len(arms) < 2:
        return Verdict("no_difference", None, progress, comparisons, "Only one variant: nothing to compare.")
    best = max(arms, key=lambda arm: arm.rate)
    tests = [two_proportion_z_test(control=other, treatment=best) for other in arms if other is not best]
    if all(test.p_value < corrected for test in tests):
        weakest = max(tests, key=lambda test: test.p_value)
        runner_up = max((arm for arm in arms if arm is not best), key=lambda arm: arm.rate)
        return Verdict(
            "winner",
            best.key,
            progress,
            comparisons,
            f"Variant {best.key} converts better than {runner_up.key} "
            f"({best.rate:.2%} vs {runner_up.rate:.2%}, z = {abs(weakest.z):.2f}, "
            f"p = {weakest.p_value:.4f} < {corrected:.4g}): {best.key} wins.",
        )
    return Verdict(
        "no_difference",
        None,
        progress,
        comparisons,
        f"No significant difference at {sample_size:,} views per variant (alpha {corrected:.4g}): "
        "keep the control or test a bolder change.",
    )


@dataclass(frozen=True)
class BanditWeight:
    key: str
    weight: float
    wins: int
    expected_rpm: float
    explanation: str


def _mean_gift(arm: ArmCounts, pooled: float) -> float:
    return arm.revenue_minor / arm.conversions if arm.conversions else pooled


def thompson_weights(
    *, arms: list[ArmCounts], draws: int = 10_000, seed: int | None = None, floor: float = 0.0
) -> list[BanditWeight]:
    """Each arm's share of `draws` Thompson samples it wins on revenue per view, floored at `floor`.

    The conversion rate is drawn from Beta(1 + conversions, 1 + views - conversions); the gift is the
    arm's observed mean gift (the pooled mean for an arm without gifts yet): the uncertainty that matters
    for a banner is in the rare conversions, far more than in the size of the gifts.
    """
    if not arms:
        return []
    total_conversions = sum(arm.conversions for arm in arms)
    pooled = sum(arm.revenue_minor for arm in arms) / total_conversions if total_conversions else 1.0
    gifts = [_mean_gift(arm, pooled) or 1.0 for arm in arms]
    if all(arm.views == 0 for arm in arms):
        share = 1 / len(arms)
        return [
            BanditWeight(arm.key, share, 0, 0.0, "No views yet: every variant gets an equal share.")
            for arm in arms
        ]
    rng = random.Random(seed)
    wins = [0] * len(arms)
    for _ in range(draws):
        samples = [
            rng.betavariate(1 + arm.conversions, 1 + max(0, arm.views - arm.conversions)) * gift
            for arm, gift in zip(arms, gifts, strict=True)
        ]
        wins[samples.index(max(samples))] += 1
    raw = [count / draws for count in wins]
    if floor > 0:
        floor = min(floor, 1 / len(arms))
        spare = 1 - floor * len(arms)
        weights = [floor + spare * value for value in raw]
    else:
        weights = raw
    result = []
    for arm, gift, count, weight in zip(arms, gifts, wins, weights, strict=True):
        expected = (1 + arm.conversions) / (2 + arm.views) * gift * 1000
        result.append(
            BanditWeight(
                arm.key,
                weight,
                count,
                expected,
                f"Best in {count / draws:.1%} of {draws:,} simulated draws "
                f"(expected revenue per 1,000 views: {expected:,.0f} in minor units); weight {weight:.1%}.",
            )
        )
    return result


def weights_to_integers(*, weights: list[float], total: int = 1000) -> list[int]:
    """Weights as whole numbers summing exactly to `total` (largest remainder)."""
    if not weights:
        return []
    whole = sum(weights)
    exact = [w * total / whole for w in weights] if whole > 0 else [total / len(weights)] * len(weights)
    result = [int(value) for value in exact]
    order = sorted(range(len(exact)), key=lambda i: exact[i] - result[i], reverse=True)
    for index in order[: total - sum(result)]:
        result[index] += 1
    return result
