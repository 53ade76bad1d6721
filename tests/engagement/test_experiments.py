"""The experiments' statistics against answers computed by hand (no database)."""

import itertools
import math
import random

import pytest

from engagement.experiments import (
    ArmCounts,
    fixed_split_verdict,
    revenue_per_thousand,
    sample_size_per_arm,
    thompson_weights,
    two_proportion_z_test,
    weights_to_integers,
    wilson_interval,
)


def arm(key: str, views: int, conversions: int, gift: int = 2500) -> ArmCounts:
    """An arm whose gifts are all `gift` minor units."""
    return ArmCounts(key, views, conversions, conversions * gift, conversions * gift * gift)


def beta_b_beats_a(a_a: int, b_a: int, a_b: int, b_b: int) -> float:
    """P(X_B > X_A) for X ~ Beta with integer shapes, exactly (Evan Miller's sum), independent of the
    sampling in the implementation: sum over i < a_b of B(a_a + i, b_a + b_b) / ((b_b + i) B(1 + i, b_b)
    B(a_a, b_a))."""

    def log_beta(x: float, y: float) -> float:
        return math.lgamma(x) + math.lgamma(y) - math.lgamma(x + y)

    return sum(
        math.exp(log_beta(a_a + i, b_a + b_b) - math.log(b_b + i) - log_beta(1 + i, b_b) - log_beta(a_a, b_a))
        for i in range(a_b)
    )


# Two-proportion z-test


def test_z_test_of_10_in_1000_against_30_in_1000():
    # pooled p = 40 / 2000 = 0.02; se = sqrt(0.02 * 0.98 * (1/1000 + 1/1000)) = sqrt(0.0000392) = 0.0062610;
    # z = (0.03 - 0.01) / 0.0062610 = 3.19438; p = erfc(3.19438 / sqrt 2) = erfc(2.25877) = 0.0014013.
    test = two_proportion_z_test(control=arm("a", 1000, 10), treatment=arm("b", 1000, 30))
    assert test.z == pytest.approx(3.19438, abs=1e-5)
    assert test.p_value == pytest.approx(0.0014013, abs=1e-6)
    assert test.difference == pytest.approx(0.02)


def test_z_is_negative_when_the_treatment_converts_worse():
    test = two_proportion_z_test(control=arm("a", 1000, 30), treatment=arm("b", 1000, 10))
    assert test.z == pytest.approx(-3.19438, abs=1e-5)
    assert test.p_value == pytest.approx(0.0014013, abs=1e-6)


def test_an_arm_without_views_gives_no_evidence():
    test = two_proportion_z_test(control=arm("a", 0, 0), treatment=arm("b", 10, 1))
    assert (test.z, test.p_value) == (0.0, 1.0)


def test_no_conversions_anywhere_is_zero_variance_and_no_evidence():
    test = two_proportion_z_test(control=arm("a", 1000, 0), treatment=arm("b", 1000, 0))
    assert (test.z, test.p_value) == (0.0, 1.0)


# Wilson interval


def test_wilson_interval_of_10_in_100():
    # z^2 = 3.841459; denominator 1 + 3.841459 / 100 = 1.0384146;
    # centre (0.1 + 3.841459 / 200) / 1.0384146 = 0.1192073 / 1.0384146 = 0.114797;
    # half 1.959964 * sqrt(0.1 * 0.9 / 100 + 3.841459 / 40000) / 1.0384146 = 0.0618565 / 1.0384146
    # = 0.059568; so (0.055229, 0.174366).
    low, high = wilson_interval(successes=10, trials=100)
    assert low == pytest.approx(0.055229, abs=1e-6)
    assert high == pytest.approx(0.174366, abs=1e-6)


def test_wilson_interval_without_trials_is_zero():
    assert wilson_interval(successes=0, trials=0) == (0.0, 0.0)


def test_wilson_interval_of_no_successes_starts_at_zero_and_is_not_empty():
    low, high = wilson_interval(successes=0, trials=100)
    assert low == pytest.approx(0.0, abs=1e-12)
    # z^2 / (n + z^2) = 3.841459 / 103.841459 = 0.036993
    assert high == pytest.approx(0.036993, abs=1e-6)


# Revenue per thousand views


def test_revenue_per_thousand_views_and_its_interval():
    # 100 views, 20 gifts of 500: mean 10,000 / 100 = 100 per view;
    # variance 20 * 500^2 / 100 - 100^2 = 40,000; se = sqrt(40,000 / 100) = 20;
    # half 1.959964 * 20 = 39.19928; so 100 +- 39.19928 per view, x1000.
    rpm, low, high = revenue_per_thousand(arm=ArmCounts("a", 100, 20, 10_000, 20 * 500 * 500))
    assert rpm == pytest.approx(100_000)
    assert low == pytest.approx(60_800.72, abs=0.01)
    assert high == pytest.approx(139_199.28, abs=0.01)


def test_revenue_per_thousand_clamps_the_low_end_at_zero():
    # 4 views, one gift of 1000: mean 250; variance 1000^2 / 4 - 250^2 = 187,500; se = sqrt(187,500 / 4)
    # = 216.5064; half 424.3447; so (250 - 424.34 < 0 -> 0, 674.3447) per view, x1000.
    rpm, low, high = revenue_per_thousand(arm=ArmCounts("a", 4, 1, 1000, 1_000_000))
    assert rpm == pytest.approx(250_000)
    assert low == 0.0
    assert high == pytest.approx(674_344.65, abs=0.01)


def test_revenue_per_thousand_without_views_is_zero():
    assert revenue_per_thousand(arm=ArmCounts("a", 0, 0, 0)) == (0.0, 0.0, 0.0)


# Sample size


def test_sample_size_for_a_20_percent_lift_on_2_percent():
    # p1 = 0.02, p2 = 0.024, pbar = 0.022; z(0.975) = 1.959964, z(0.8) = 0.841621;
    # 1.959964 * sqrt(2 * 0.022 * 0.978) = 0.406578; 0.841621 * sqrt(0.02 * 0.98 + 0.024 * 0.976) = 0.174571;
    # (0.406578 + 0.174571)^2 / 0.004^2 = 0.337734 / 0.000016 = 21,108.38, rounded up to 21,109.
    assert sample_size_per_arm(baseline_rate=0.02, minimum_detectable_effect=0.2) == 21_109


def test_a_smaller_alpha_needs_a_larger_sample():
    default = sample_size_per_arm(baseline_rate=0.02, minimum_detectable_effect=0.2)
    assert sample_size_per_arm(baseline_rate=0.02, minimum_detectable_effect=0.2, alpha=0.01) > default


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"baseline_rate": 0, "minimum_detectable_effect": 0.2}, "baseline conversion rate"),
        ({"baseline_rate": 1.5, "minimum_detectable_effect": 0.2}, "baseline conversion rate"),
        ({"baseline_rate": 0.02, "minimum_detectable_effect": 0}, "minimum detectable effect"),
        ({"baseline_rate": 0.6, "minimum_detectable_effect": 1}, "stay below 1"),
        ({"baseline_rate": 0.02, "minimum_detectable_effect": 0.2, "alpha": 0}, "alpha"),
        ({"baseline_rate": 0.02, "minimum_detectable_effect": 0.2, "power": 1}, "power"),
    ],
)
def test_a_sample_size_rejects_impossible_inputs(arguments, message):
    with pytest.raises(ValueError, match=message):
        sample_size_per_arm(**arguments)


# The fixed split's verdict


def test_no_verdict_before_the_sample_size_however_small_the_p_value():
    arms = [arm("a", 5000, 10), arm("b", 5000, 60)]
    assert two_proportion_z_test(control=arms[0], treatment=arms[1]).p_value < 0.001
    verdict = fixed_split_verdict(arms=arms, sample_size=20_000)
    assert (verdict.state, verdict.winner) == ("collecting", None)
    assert not any(comparison.significant for comparison in verdict.comparisons)
    assert verdict.progress == 0.25
    assert verdict.explanation == (
        "Collecting: 5,000 of 20,000 views per variant; significance is not judged before then, "
        "so peeking cannot pick a false winner."
    )


def test_progress_follows_the_arm_with_fewest_views():
    verdict = fixed_split_verdict(arms=[arm("a", 3000, 10), arm("b", 1000, 10)], sample_size=4000)
    assert verdict.progress == 0.25


def test_the_winner_is_named_once_the_sample_size_is_reached():
    verdict = fixed_split_verdict(arms=[arm("a", 1000, 10), arm("b", 1000, 30)], sample_size=1000)
    assert (verdict.state, verdict.winner, verdict.progress) == ("winner", "b", 1.0)
    assert verdict.explanation == (
        "Variant b converts better than a (3.00% vs 1.00%, z = 3.19, p = 0.0014 < 0.05): b wins."
    )


def test_the_comparisons_are_each_arm_against_the_control():
    verdict = fixed_split_verdict(arms=[arm("a", 1000, 10), arm("b", 1000, 30)], sample_size=1000)
    control, treatment = verdict.comparisons
    assert (control.key, control.z, control.p_value, control.significant) == ("a", 0.0, 1.0, False)
    assert (treatment.key, treatment.rate, treatment.significant) == ("b", 0.03, True)
    assert treatment.p_value == pytest.approx(0.0014013, abs=1e-6)
    assert treatment.interval == wilson_interval(successes=30, trials=1000)
    assert treatment.rpm == revenue_per_thousand(arm=arm("b", 1000, 30))


def test_no_difference_when_the_best_arm_is_not_significant():
    verdict = fixed_split_verdict(arms=[arm("a", 1000, 10), arm("b", 1000, 14)], sample_size=1000)
    assert (verdict.state, verdict.winner) == ("no_difference", None)
    assert verdict.explanation.startswith("No significant difference at 1,000 views per variant")


def test_bonferroni_withholds_a_winner_that_is_significant_only_uncorrected():
    # b (22/1000) against a or c (10/1000): p = 0.0325, below 0.05 but not below 0.05 / 2 = 0.025.
    arms = [arm("a", 1000, 10), arm("b", 1000, 22), arm("c", 1000, 10)]
    assert 0.025 < two_proportion_z_test(control=arms[0], treatment=arms[1]).p_value < 0.05
    assert fixed_split_verdict(arms=arms[:2], sample_size=1000).winner == "b"
    verdict = fixed_split_verdict(arms=arms, sample_size=1000)
    assert (verdict.state, verdict.winner) == ("no_difference", None)
    assert not verdict.comparisons[1].significant
    assert "0.025, that is 0.05 shared by 2 comparisons" in verdict.explanation


def test_bonferroni_still_names_a_winner_significant_after_correction():
    # b (30/1000) against a or c (10/1000): p = 0.0014 < 0.025.
    verdict = fixed_split_verdict(
        arms=[arm("a", 1000, 10), arm("b", 1000, 30), arm("c", 1000, 10)], sample_size=1000
    )
    assert (verdict.state, verdict.winner) == ("winner", "b")


def test_the_best_must_beat_every_other_arm_not_only_the_control():
    # c (30) beats a (10) clearly, but not b (26): p(26 vs 30) = 0.59.
    verdict = fixed_split_verdict(
        arms=[arm("a", 1000, 10), arm("b", 1000, 26), arm("c", 1000, 30)], sample_size=1000
    )
    assert verdict.winner is None
    assert "is not clearly better than b" in verdict.explanation


def test_the_control_wins_when_it_beats_every_variant():
    verdict = fixed_split_verdict(
        arms=[arm("a", 1000, 30), arm("b", 1000, 10), arm("c", 1000, 10)], sample_size=1000
    )
    assert (verdict.state, verdict.winner) == ("winner", "a")


def test_a_verdict_without_arms_is_still_collecting():
    verdict = fixed_split_verdict(arms=[], sample_size=1000)
    assert (verdict.state, verdict.winner, verdict.comparisons) == ("collecting", None, [])


def test_a_verdict_needs_a_positive_sample_size():
    with pytest.raises(ValueError, match="sample size"):
        fixed_split_verdict(arms=[arm("a", 10, 1)], sample_size=0)


# Thompson sampling


def test_thompson_weight_is_the_probability_of_being_best():
    # Equal gifts, so revenue per view ranks as the rate: B's weight estimates P(Beta(31, 971) >
    # Beta(11, 991)) = 0.99935 (exact sum); 20,000 draws have a standard error of 0.00018.
    exact = beta_b_beats_a(11, 991, 31, 971)
    assert exact == pytest.approx(0.99935, abs=1e-5)
    weights = thompson_weights(arms=[arm("a", 1000, 10), arm("b", 1000, 30)], draws=20_000, seed=1)
    assert weights[1].weight == pytest.approx(exact, abs=0.001)
    assert weights[0].weight < 0.01
    assert weights[0].wins + weights[1].wins == 20_000


def test_thompson_splits_evenly_between_equal_arms():
    weights = thompson_weights(arms=[arm("a", 1000, 20), arm("b", 1000, 20)], draws=20_000, seed=2)
    assert weights[0].weight == pytest.approx(0.5, abs=0.02)
    assert weights[1].weight == pytest.approx(0.5, abs=0.02)


def test_thompson_prefers_the_bigger_gifts_at_the_same_conversion():
    weights = thompson_weights(arms=[arm("a", 2000, 40, gift=1000), arm("b", 2000, 40, gift=5000)], seed=3)
    assert weights[1].weight > 0.99


def test_thompson_ranks_on_revenue_per_view_not_on_conversion():
    # a converts more (2.0% vs 1.5%), but b earns more per 1,000 views: 20 gifts x 1,000 = 20,000
    # against 15 gifts x 2,000 = 30,000.
    weights = thompson_weights(arms=[arm("a", 2000, 40, gift=1000), arm("b", 2000, 30, gift=2000)], seed=3)
    assert weights[1].weight > 0.9


def test_an_arm_without_gifts_is_valued_at_the_pooled_mean_gift():
    # a has no gift: its gift is the pooled 25,000 / 10 = 2,500; expected rate 1 / 1002; x 2,500 x 1000.
    weights = thompson_weights(arms=[ArmCounts("a", 1000, 0, 0), arm("b", 1000, 10)], seed=3)
    assert weights[0].expected_rpm == pytest.approx(2_495.01, abs=0.01)
    assert weights[1].expected_rpm == pytest.approx(11 / 1002 * 2500 * 1000)


def test_thompson_floor_lifts_the_weak_arm_and_keeps_the_sum_at_one():
    weights = thompson_weights(arms=[arm("a", 1000, 10), arm("b", 1000, 30)], seed=1, floor=0.05)
    assert weights[0].weight == pytest.approx(0.05)
    assert weights[1].weight == pytest.approx(0.95)
    assert "floor of 5.0%" in weights[0].explanation
    assert "floor" not in weights[1].explanation


def test_thompson_floor_keeps_the_other_arms_in_proportion():
    weights = thompson_weights(
        arms=[arm("a", 1000, 10), arm("b", 1000, 30), arm("c", 1000, 31)], seed=4, floor=0.1
    )
    assert weights[0].weight == pytest.approx(0.1)
    assert weights[1].weight / weights[2].weight == pytest.approx(weights[1].wins / weights[2].wins)
    assert math.fsum(weight.weight for weight in weights) == pytest.approx(1.0, abs=1e-12)


def test_the_same_seed_gives_the_same_weights():
    arms = [arm("a", 500, 5), arm("b", 500, 7)]
    assert thompson_weights(arms=arms, seed=9) == thompson_weights(arms=arms, seed=9)


def test_without_views_every_arm_gets_an_equal_share():
    weights = thompson_weights(arms=[arm("a", 0, 0), arm("b", 0, 0), arm("c", 0, 0)], seed=1)
    assert [weight.weight for weight in weights] == [1 / 3] * 3


def test_the_bandit_explains_the_leading_weight():
    weights = thompson_weights(arms=[arm("a", 1000, 10), arm("b", 1000, 30)], draws=20_000, seed=1)
    share = weights[1].wins / 20_000
    assert weights[1].explanation == (
        f"Chosen in {share:.1%} of 20,000 simulated draws: its revenue per thousand views is likely the "
        "highest (expected 77,345.31, in minor units)."
    )
    assert "likely lower" in weights[0].explanation


def test_the_bandit_rejects_a_negative_floor():
    with pytest.raises(ValueError, match="floor"):
        thompson_weights(arms=[arm("a", 10, 1)], floor=-0.1)


# Integer weights


def test_integer_weights_sum_exactly_to_the_total():
    assert weights_to_integers(weights=[1 / 3, 1 / 3, 1 / 3]) == [334, 333, 333]
    assert weights_to_integers(weights=[0.05, 0.4055, 0.5445], total=1000) == [50, 406, 544]


def test_integer_weights_never_give_a_larger_weight_less():
    rng = random.Random(5)
    for _ in range(200):
        weights = [rng.random() for _ in range(rng.randint(2, 6))]
        integers = weights_to_integers(weights=weights, total=1000)
        assert sum(integers) == 1000
        for (weight, integer), (other, other_integer) in itertools.combinations(
            zip(weights, integers, strict=True), 2
        ):
            if weight > other:
                assert integer >= other_integer


def test_integer_weights_split_zeros_equally():
    assert weights_to_integers(weights=[0.0, 0.0, 0.0, 0.0], total=10) == [3, 3, 2, 2]


def test_integer_weights_reject_negative_weights():
    with pytest.raises(ValueError, match="not negative"):
        weights_to_integers(weights=[0.5, -0.1])
