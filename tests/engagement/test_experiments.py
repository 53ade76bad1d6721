"""The experiments' statistics against answers computed by hand."""

import math

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


def test_two_proportion_z_test_on_hand_computed_counts():
    # 10/1000 vs 30/1000: pooled p = 40/2000 = 0.02; se = sqrt(0.02 * 0.98 * (1/1000 + 1/1000))
    # = sqrt(0.0000392) = 0.0062610; z = 0.02 / 0.0062610 = 3.1944; p = erfc(3.1944 / sqrt 2) = 0.0014.
    test = two_proportion_z_test(control=arm("a", 1000, 10), treatment=arm("b", 1000, 30))
    assert test.z == pytest.approx(3.1944, abs=1e-4)
    assert test.p_value == pytest.approx(0.0014, abs=1e-4)
    assert test.difference == pytest.approx(0.02)


def test_no_views_means_no_evidence():
    assert two_proportion_z_test(control=arm("a", 0, 0), treatment=arm("b", 10, 1)).p_value == 1.0


def test_wilson_interval_on_hand_computed_counts():
    # 10/100, z^2 = 3.8415: centre (0.1 + 0.019207) / 1.038415 = 0.114797,
    # half 1.96 * sqrt(0.0009 + 0.000096) / 1.038415 = 0.059570, so (0.0552, 0.1744).
    low, high = wilson_interval(successes=10, trials=100)
    assert (round(low, 4), round(high, 4)) == (0.0552, 0.1744)


def test_sample_size_on_hand_computed_rates():
    # p1 = 0.02, p2 = 0.024 (a 20% lift), mean 0.022; z(0.975) = 1.959964, z(0.8) = 0.841621:
    # (1.959964 * sqrt(2 * 0.022 * 0.978) + 0.841621 * sqrt(0.0196 + 0.023424))^2 / 0.004^2
    # = (0.406580 + 0.174570)^2 / 0.000016 = 21,108.4, rounded up.
    assert sample_size_per_arm(baseline_rate=0.02, minimum_detectable_effect=0.2) == 21_109


def test_a_sample_size_needs_a_rate_between_zero_and_one():
    with pytest.raises(ValueError, match="between 0 and 1"):
        sample_size_per_arm(baseline_rate=0, minimum_detectable_effect=0.2)


def test_revenue_per_thousand_views_on_hand_computed_counts():
    # 4 views, one gift of 1000: mean 250 per view; variance 1000^2 / 4 - 250^2 = 187,500;
    # se = sqrt(187,500 / 4) = 216.506; 95%: 250 +- 424.34, so (0, 674.34) per view, x1000.
    rpm, low, high = revenue_per_thousand(arm=ArmCounts("a", 4, 1, 1000, 1_000_000))
    assert rpm == 250_000
    assert low == 0
    assert high == pytest.approx(674_344.65, abs=0.01)


def test_no_verdict_before_the_fixed_sample_size_however_small_the_p_value():
    arms = [arm("a", 5000, 10), arm("b", 5000, 60)]
    assert two_proportion_z_test(control=arms[0], treatment=arms[1]).p_value < 1e-6
    verdict = fixed_split_verdict(arms=arms, sample_size=20_000)
    assert verdict.state == "collecting"
    assert verdict.winner is None
    assert verdict.progress == 0.25
    assert "5,000 of 20,000" in verdict.explanation


def test_the_winner_is_named_once_the_sample_size_is_reached():
    verdict = fixed_split_verdict(arms=[arm("a", 1000, 10), arm("b", 1000, 30)], sample_size=1000)
    assert (verdict.state, verdict.winner) == ("winner", "b")
    assert "p = 0.0014" in verdict.explanation


def test_bonferroni_with_three_arms_withholds_a_winner_significant_only_uncorrected():
    # b vs a: 10/1000 vs 22/1000 gives p = 0.0330 < 0.05 but > 0.05 / 2.
    arms = [arm("a", 1000, 10), arm("b", 1000, 22), arm("c", 1000, 12)]
    assert 0.025 < two_proportion_z_test(control=arms[0], treatment=arms[1]).p_value < 0.05
    assert fixed_split_verdict(arms=arms, sample_size=1000).state == "no_difference"
    assert fixed_split_verdict(arms=arms[:2], sample_size=1000).winner == "b"


def test_thompson_gives_nearly_all_traffic_to_the_clearly_better_variant():
    """P(pB > pA) for Beta(31, 971) and Beta(11, 991) is about 0.9997 (normal approximation: the
    difference 0.0200 has sd sqrt(0.03*0.97/1002 + 0.01*0.99/1002) = 0.00624, z = 3.2)."""
    weights = thompson_weights(arms=[arm("a", 1000, 10), arm("b", 1000, 30)], draws=20_000, seed=1)
    assert weights[1].weight > 0.995
    assert weights[0].weight < 0.005
    assert sum(w.weight for w in weights) == pytest.approx(1.0)


def test_thompson_splits_evenly_between_equal_variants():
    weights = thompson_weights(arms=[arm("a", 1000, 20), arm("b", 1000, 20)], draws=20_000, seed=2)
    assert weights[0].weight == pytest.approx(0.5, abs=0.02)


def test_thompson_prefers_the_bigger_gifts_at_the_same_conversion():
    weights = thompson_weights(arms=[arm("a", 2000, 40, gift=1000), arm("b", 2000, 40, gift=5000)], seed=3)
    assert weights[1].weight > 0.99


def test_thompson_keeps_a_floor_for_every_variant_and_sums_to_one():
    weights = thompson_weights(arms=[arm("a", 1000, 10), arm("b", 1000, 30)], seed=1, floor=0.05)
    assert weights[0].weight >= 0.05
    assert math.isclose(sum(w.weight for w in weights), 1.0)


def test_the_same_seed_gives_the_same_weights():
    arms = [arm("a", 500, 5), arm("b", 500, 7)]
    assert thompson_weights(arms=arms, seed=9) == thompson_weights(arms=arms, seed=9)


def test_without_views_every_variant_gets_an_equal_share():
    assert [w.weight for w in thompson_weights(arms=[arm("a", 0, 0), arm("b", 0, 0)])] == [0.5, 0.5]


def test_integer_weights_sum_exactly():
    assert weights_to_integers(weights=[1 / 3, 1 / 3, 1 / 3]) == [334, 333, 333]
    assert weights_to_integers(weights=[0.9996, 0.0004]) == [1000, 0]
    assert sum(weights_to_integers(weights=[0.123, 0.456, 0.421], total=1000)) == 1000
