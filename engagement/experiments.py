"""The statistics of banner experiments: intervals, the fixed-split z-test and Thompson sampling.

Pure functions on counts (standard library only, no Django), so every answer can be checked by hand and
the admin, the hourly bandit task and the tests share one implementation.

- A fixed split is judged with a two-proportion z-test (pooled standard error), Bonferroni-corrected when
  several variants are compared, and only once every variant has the sample size fixed in advance:
  looking at the p-value every day and stopping when it dips below 0.05 ("peeking") would find false
  winners far more often than 5% of the time.
- A bandit draws, many times, each variant's conversion rate from its Beta posterior and multiplies it by
  its average gift; a variant's weight is the share of draws in which it earns the most per view.

Money is in integer minor units of one currency (the caller converts first); rates are fractions.
Every sentence shown to staff is in `SENTENCES`, with named %-placeholders, so the caller can translate
them in one place.
"""

import math
import random
from dataclasses import dataclass
from statistics import NormalDist

Z95 = 1.959963984540054  # the 97.5% quantile of the standard normal: two-sided 95%

SENTENCES: dict[str, str] = {
    "no_arms": "No variants yet: there is nothing to judge.",
    "collecting": (
        "Collecting: %(views)s of %(needed)s views per variant; significance is not judged before then, "
        "so peeking cannot pick a false winner."
    ),
    "single": "Only one variant: there is nothing to compare it with.",
    "winner": (
        "Variant %(best)s converts better than %(other)s (%(best_rate)s vs %(other_rate)s, z = %(z)s, "
        "p %(p)s < %(alpha)s): %(best)s wins."
    ),
    "no_difference": (
        "No significant difference at %(views)s views per variant: the best, %(best)s (%(best_rate)s), "
        "is not clearly better than %(other)s (%(other_rate)s, z = %(z)s, p %(p)s, not below %(alpha)s); "
        "keep the control or test a bolder change."
    ),
    "bonferroni": "%(corrected)s, that is %(alpha)s shared by %(comparisons)s comparisons",
    "bandit_no_data": "No views yet: every variant gets an equal share.",
    "bandit_best": (
        "Chosen in %(share)s of %(draws)s simulated draws: its revenue per thousand views is likely the "
        "highest (expected %(rpm)s, in minor units)."
    ),
    "bandit_other": (
        "Chosen in %(share)s of %(draws)s simulated draws: its revenue per thousand views is likely lower "
        "(expected %(rpm)s, in minor units)."
    ),
    "bandit_floor": " It keeps the floor of %(floor)s of views, so the bandit can still change its mind.",
}


@dataclass(frozen=True)
class ArmCounts:
    """One variant's totals: views are impressions, conversions are gifts attributed to it."""

    key: str
    views: int
    conversions: int
    revenue_minor: int
    revenue_sq_minor: int = 0  # the sum of each gift's amount squared: the variance of revenue per view

    @property
    def rate(self) -> float:
        return self.conversions / self.views if self.views > 0 else 0.0


def wilson_interval(*, successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion.

    Wilson rather than the normal interval because banner conversion rates sit near 0, where the normal
    interval goes negative and is far too narrow. No trials give (0, 0): nothing observed, nothing shown.
    """
    if trials <= 0:
        return (0.0, 0.0)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def revenue_per_thousand(*, arm: ArmCounts, z: float = Z95) -> tuple[float, float, float]:
    """Revenue per 1,000 views and its normal-approximation 95% interval, as (rpm, low, high).

    Revenue per view is a mean over views (most of them 0), so with thousands of views the central limit
    theorem makes the normal interval fair; its variance is the population one, sum(x²)/n - mean². The low
    end is clamped at 0 because revenue cannot be negative. No views give zeros.
    """
    if arm.views <= 0:
        return (0.0, 0.0, 0.0)
    mean = arm.revenue_minor / arm.views
    variance = max(0.0, arm.revenue_sq_minor / arm.views - mean * mean)  # max: float error near 0
    half = z * math.sqrt(variance / arm.views)
    return (mean * 1000, max(0.0, mean - half) * 1000, (mean + half) * 1000)


@dataclass(frozen=True)
class ZTest:
    z: float
    p_value: float  # two-sided
    difference: float  # treatment rate minus control rate


def two_proportion_z_test(*, control: ArmCounts, treatment: ArmCounts) -> ZTest:
    """Two-sided two-proportion z-test with the pooled standard error.

    Pooled, because under the null hypothesis both arms share one rate. Without views, or with a pooled
    rate of 0 or 1 (no variance), there is no evidence either way: z = 0, p = 1.
    """
    if control.views <= 0 or treatment.views <= 0:
        return ZTest(z=0.0, p_value=1.0, difference=0.0)
    difference = treatment.rate - control.rate
    pooled = (control.conversions + treatment.conversions) / (control.views + treatment.views)
    se = math.sqrt(pooled * (1 - pooled) * (1 / control.views + 1 / treatment.views))
    if se <= 0:
        return ZTest(z=0.0, p_value=1.0, difference=difference)
    z = difference / se
    return ZTest(z=z, p_value=math.erfc(abs(z) / math.sqrt(2)), difference=difference)


def sample_size_per_arm(
    *, baseline_rate: float, minimum_detectable_effect: float, alpha: float = 0.05, power: float = 0.8
) -> int:
    """Views each variant needs before the z-test may be read.

    The classic fixed-horizon size for a two-sided two-proportion test, with the effect relative
    (0.2 = a 20% lift over the baseline): fixing it in advance is what makes the test's 5% false-positive
    rate true, since the verdict is read once, at that size.
    """
    if not 0 < baseline_rate < 1:
        raise ValueError(f"The baseline conversion rate must be between 0 and 1, not {baseline_rate}.")
    if not minimum_detectable_effect > 0:
        raise ValueError(
            "The minimum detectable effect must be a positive relative lift (0.2 = +20%), "
            f"not {minimum_detectable_effect}."
        )
    if not baseline_rate * (1 + minimum_detectable_effect) < 1:
        raise ValueError("The baseline raised by the minimum detectable effect must stay below 1.")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha}.")
    if not 0 < power < 1:
        raise ValueError(f"power must be between 0 and 1, not {power}.")
    p1 = baseline_rate
    p2 = baseline_rate * (1 + minimum_detectable_effect)
    pbar = (p1 + p2) / 2
    z_alpha = NormalDist().inv_cdf(1 - alpha / 2)
    z_power = NormalDist().inv_cdf(power)
    root = z_alpha * math.sqrt(2 * pbar * (1 - pbar)) + z_power * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil(root**2 / (p2 - p1) ** 2)


@dataclass(frozen=True)
class Comparison:
    """One arm against the control (the control's own row has z = 0, p = 1)."""

    key: str
    rate: float
    interval: tuple[float, float]  # Wilson 95%
    rpm: tuple[float, float, float]  # revenue per 1,000 views, low, high (minor units)
    z: float
    p_value: float
    significant: bool  # never True before the sample size is reached


@dataclass(frozen=True)
class Verdict:
    state: str  # "collecting", "winner" or "no_difference"
    winner: str | None
    progress: float  # fewest views of any arm / sample size, at most 1
    comparisons: list[Comparison]
    explanation: str


def _p_text(p_value: float) -> str:
    return "< 0.0001" if p_value < 0.0001 else f"= {p_value:.4f}"


def _alpha_text(alpha: float, comparisons: int) -> str:
    if comparisons <= 1:
        return f"{alpha:g}"
    return SENTENCES["bonferroni"] % {
        "corrected": f"{alpha / comparisons:.4g}",
        "alpha": f"{alpha:g}",
        "comparisons": comparisons,
    }


def _comparisons(arms: list[ArmCounts], corrected: float, judged: bool) -> list[Comparison]:
    control = arms[0]
    rows = []
    for arm in arms:
        test = two_proportion_z_test(control=control, treatment=arm)
        rows.append(
            Comparison(
                key=arm.key,
                rate=arm.rate,
                interval=wilson_interval(successes=arm.conversions, trials=arm.views),
                rpm=revenue_per_thousand(arm=arm),
                z=test.z,
                p_value=test.p_value,
                significant=judged and arm is not control and test.p_value < corrected,
            )
        )
    return rows


def _judge(arms: list[ArmCounts], alpha: float) -> tuple[str | None, str]:
    """The winner (or None) and the sentence, once the sample size is reached and there are 2+ arms."""
    comparisons = len(arms) - 1
    corrected = alpha / comparisons
    best = max(arms, key=lambda arm: arm.rate)  # the first on a tie, which then cannot be significant
    tests = [
        (other, two_proportion_z_test(control=other, treatment=best)) for other in arms if other is not best
    ]
    other, weakest = max(tests, key=lambda pair: pair[1].p_value)  # the arm best is least clearly ahead of
    values = {
        "best": best.key,
        "other": other.key,
        "best_rate": f"{best.rate:.2%}",
        "other_rate": f"{other.rate:.2%}",
        "z": f"{weakest.z:.2f}",
        "p": _p_text(weakest.p_value),
        "alpha": _alpha_text(alpha, comparisons),
        "views": f"{min(arm.views for arm in arms):,}",
    }
    if weakest.p_value < corrected:
        return best.key, SENTENCES["winner"] % values
    return None, SENTENCES["no_difference"] % values


def fixed_split_verdict(*, arms: list[ArmCounts], sample_size: int, alpha: float = 0.05) -> Verdict:
    """The fixed split's answer, read only once every arm has `sample_size` views.

    Before that the state is "collecting" and nothing is significant, however small the p-value: that is
    the guard against peeking. Then the arm with the highest conversion rate wins if it is significantly
    better than every other arm, at alpha / (number of arms - 1) (Bonferroni, so that several variants do
    not give several chances of a false winner); otherwise "no_difference". The comparisons are each arm
    against the control, arms[0], at the same corrected alpha.
    """
    if sample_size < 1:
        raise ValueError(f"The sample size must be at least 1, not {sample_size}.")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha}.")
    if not arms:
        return Verdict("collecting", None, 0.0, [], SENTENCES["no_arms"])
    fewest = min(arm.views for arm in arms)
    progress = min(1.0, max(0, fewest) / sample_size)
    judged = fewest >= sample_size
    comparisons = _comparisons(arms, alpha / max(1, len(arms) - 1), judged)
    if not judged:
        explanation = SENTENCES["collecting"] % {"views": f"{fewest:,}", "needed": f"{sample_size:,}"}
        return Verdict("collecting", None, progress, comparisons, explanation)
    if len(arms) < 2:
        return Verdict("no_difference", None, progress, comparisons, SENTENCES["single"])
    winner, explanation = _judge(arms, alpha)
    return Verdict("winner" if winner else "no_difference", winner, progress, comparisons, explanation)


@dataclass(frozen=True)
class BanditWeight:
    key: str
    weight: float  # share of traffic, after the floor; the weights sum to 1
    wins: int  # draws in which this arm earned the most per view
    expected_rpm: float  # posterior mean rate x mean gift x 1000, minor units
    explanation: str


def _gifts(arms: list[ArmCounts]) -> list[float]:
    """Each arm's mean gift; the pooled mean for an arm without gifts; 1 when no arm has revenue.

    A fixed mean rather than a sampled one: for a banner the uncertainty is in the rare conversions, far
    more than in the size of the gifts, and a normal around a mean of one or two gifts (standard error 0
    from a single gift) would be noise, not information. With no revenue anywhere the gifts are all 1, so
    the arms are compared on conversion alone.
    """
    conversions = sum(arm.conversions for arm in arms)
    revenue = sum(arm.revenue_minor for arm in arms)
    if conversions <= 0 or revenue <= 0:
        return [1.0] * len(arms)
    pooled = revenue / conversions
    return [arm.revenue_minor / arm.conversions if arm.conversions > 0 else pooled for arm in arms]


def _apply_floor(shares: list[float], floor: float) -> list[float]:
    """Raise every share below `floor` to it and scale the others down to keep the sum at 1.

    Arms above the floor keep their proportions to one another. Scaling down may push another arm below
    the floor, so it repeats (at most once per arm). A floor too high for every arm to have gives equal
    shares.
    """
    count = len(shares)
    if floor <= 0:
        return list(shares)
    if floor * count >= 1:
        return [1 / count] * count
    floored: set[int] = set()
    while True:
        free = [i for i in range(count) if i not in floored]
        rest = 1 - floor * len(floored)
        mass = sum(shares[i] for i in free)
        scaled = {i: shares[i] * rest / mass if mass > 0 else rest / len(free) for i in free}
        low = {i for i, value in scaled.items() if value < floor}
        if not low:
            return [floor if i in floored else scaled[i] for i in range(count)]
        floored |= low


def thompson_weights(
    *, arms: list[ArmCounts], draws: int = 10_000, seed: int | None = None, floor: float = 0.0
) -> list[BanditWeight]:
    """Each arm's share of `draws` Thompson samples it wins on revenue per view, floored at `floor`.

    In each draw every arm's conversion rate is sampled from Beta(1 + conversions, 1 + views -
    conversions) (a uniform prior) and multiplied by its mean gift (see `_gifts`); the arm with the highest
    revenue per view wins the draw. The weight is the share of draws won: the probability that the arm is
    the best, so traffic follows the evidence while uncertain arms are still explored. The floor keeps
    every arm some traffic so the bandit can change its mind. Deterministic for a given seed. With no
    views at all, the weights are equal.
    """
    if draws < 1:
        raise ValueError(f"draws must be at least 1, not {draws}.")
    if not 0 <= floor <= 1:
        raise ValueError(f"The floor must be between 0 and 1, not {floor}.")
    if not arms:
        return []
    if all(arm.views <= 0 for arm in arms):
        share = 1 / len(arms)
        return [BanditWeight(arm.key, share, 0, 0.0, SENTENCES["bandit_no_data"]) for arm in arms]
    gifts = _gifts(arms)
    shapes = [(1 + max(0, arm.conversions), 1 + max(0, arm.views - arm.conversions)) for arm in arms]
    rng = random.Random(seed)
    wins = [0] * len(arms)
    for _ in range(draws):
        samples = [rng.betavariate(a, b) * gift for (a, b), gift in zip(shapes, gifts, strict=True)]
        wins[samples.index(max(samples))] += 1
    weights = _apply_floor([count / draws for count in wins], floor)
    leader = wins.index(max(wins))
    lowest = min(floor, 1 / len(arms))  # the floor actually applied
    result = []
    for index, arm in enumerate(arms):
        a, b = shapes[index]
        expected = a / (a + b) * gifts[index] * 1000
        values = {"share": f"{wins[index] / draws:.1%}", "draws": f"{draws:,}", "rpm": f"{expected:,.2f}"}
        explanation = SENTENCES["bandit_best" if index == leader else "bandit_other"] % values
        if floor > 0 and weights[index] <= lowest + 1e-12:
            explanation += SENTENCES["bandit_floor"] % {"floor": f"{lowest:.1%}"}
        result.append(BanditWeight(arm.key, weights[index], wins[index], expected, explanation))
    return result


def weights_to_integers(*, weights: list[float], total: int = 1000) -> list[int]:
    """Weights as whole numbers summing exactly to `total`, by largest remainder.

    The decision code stores integer weights per variant, and plain rounding can sum to 999 or 1001.
    Each gets the floor of its exact share; the units left over go to the largest remainders (the earlier
    arm on a tie), so a larger weight never gets fewer than a smaller one. All-zero weights split equally.
    """
    if total < 0:
        raise ValueError(f"The total must not be negative, not {total}.")
    if any(not math.isfinite(weight) or weight < 0 for weight in weights):
        raise ValueError("Weights must be finite and not negative.")
    if not weights:
        return []
    whole = sum(weights)
    exact = [w * total / whole for w in weights] if whole > 0 else [total / len(weights)] * len(weights)
    result = [math.floor(value) for value in exact]
    order = sorted(range(len(exact)), key=lambda i: exact[i] - result[i], reverse=True)
    for index in order[: total - sum(result)]:
        result[index] += 1
    return result
