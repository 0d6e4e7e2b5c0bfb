"""The rates behind `facerec eval`, on score arrays small enough to work out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from facerec.evaluation.metrics import (
    accept_rate,
    decidability,
    equal_error_rate,
    roc,
    roc_auc,
    threshold_at_rate,
)


def scores(*values: float) -> np.ndarray:  # type: ignore[type-arg]
    return np.array(values, dtype=np.float64)


# accept_rate -------------------------------------------------------------------------------------


def test_accept_rate_accepts_at_or_above_the_threshold() -> None:
    values = scores(0.1, 0.3, 0.3, 0.5)
    assert accept_rate(values, 0.3) == 0.75  # a score equal to the threshold is accepted
    assert accept_rate(values, np.nextafter(0.3, 1.0)) == 0.25
    assert accept_rate(values, 0.0) == 1.0
    assert accept_rate(values, 0.6) == 0.0
    assert accept_rate(scores(-np.inf, 0.4), 0.3) == 0.5  # a pair without a face never passes


def test_accept_rate_of_no_scores_is_nan() -> None:
    assert math.isnan(accept_rate(scores(), 0.3))


# threshold_at_rate -------------------------------------------------------------------------------


def test_threshold_at_rate_is_the_lowest_that_accepts_at_most_the_rate() -> None:
    impostor = np.arange(100, dtype=np.float64) / 100  # 0.00 .. 0.99
    threshold = threshold_at_rate(impostor, 0.01)
    assert threshold is not None
    # One impostor of 100 (0.99) may pass: the threshold sits just above 0.98.
    assert 0.98 < threshold <= 0.99
    assert threshold == np.nextafter(0.98, np.inf)
    assert accept_rate(impostor, threshold) == 0.01
    assert accept_rate(impostor, np.nextafter(threshold, -np.inf)) > 0.01  # lowest such

    threshold = threshold_at_rate(impostor, 0.05)
    assert threshold == np.nextafter(0.94, np.inf)
    assert accept_rate(impostor, threshold) == 0.05


def test_threshold_at_rate_with_ties_accepts_fewer_rather_than_more() -> None:
    # Two impostors tie at the top: letting one of 100 through is impossible without letting
    # both, so the threshold goes above the tie and lets none through.
    impostor = np.concatenate([np.zeros(98), scores(0.7, 0.7)])
    threshold = threshold_at_rate(impostor, 0.01)
    assert threshold == np.nextafter(0.7, np.inf)
    assert accept_rate(impostor, threshold) == 0.0
    # At 2% both may pass: the threshold drops to just above the next score down.
    threshold = threshold_at_rate(impostor, 0.02)
    assert threshold == np.nextafter(0.0, np.inf)
    assert accept_rate(impostor, threshold) == 0.02


def test_threshold_at_rate_needs_at_least_one_over_rate_scores() -> None:
    assert threshold_at_rate(np.linspace(0, 1, 999), 0.001) is None  # 999 * 0.001 < 1
    assert threshold_at_rate(np.linspace(0, 1, 1000), 0.001) is not None
    assert threshold_at_rate(np.linspace(0, 1, 99), 0.01) is None
    assert threshold_at_rate(scores(), 0.01) is None
    assert threshold_at_rate(np.linspace(0, 1, 10_000), 0.0001) is not None


def test_threshold_at_rate_one_accepts_everything() -> None:
    impostor = scores(0.2, 0.1, 0.4)
    threshold = threshold_at_rate(impostor, 1.0)
    assert threshold == 0.1
    assert accept_rate(impostor, threshold) == 1.0


# roc ---------------------------------------------------------------------------------------------


def test_roc_has_a_point_per_distinct_score_and_falls_monotonically() -> None:
    genuine = scores(0.9, 0.7, 0.7, 0.35)
    impostor = scores(0.1, 0.35, 0.2, 0.6, 0.2)
    thresholds, far, tar = roc(genuine, impostor)
    assert thresholds.tolist() == [0.1, 0.2, 0.35, 0.6, 0.7, 0.9]
    assert far.tolist() == pytest.approx([1.0, 0.8, 0.4, 0.2, 0.0, 0.0])
    assert tar.tolist() == pytest.approx([1.0, 1.0, 1.0, 0.75, 0.75, 0.25])
    assert np.all(np.diff(far) <= 0) and np.all(np.diff(tar) <= 0)
    for threshold, f, t in zip(thresholds, far, tar, strict=True):
        assert f == pytest.approx(accept_rate(impostor, threshold))
        assert t == pytest.approx(accept_rate(genuine, threshold))


def test_roc_on_random_scores_is_monotonic() -> None:
    generator = np.random.default_rng(7)
    genuine, impostor = generator.normal(0.6, 0.1, 300), generator.normal(0.1, 0.1, 3000)
    thresholds, far, tar = roc(genuine, impostor)
    assert np.all(np.diff(thresholds) > 0)
    assert np.all(np.diff(far) <= 0) and np.all(np.diff(tar) <= 0)
    assert far[0] == 1.0 and tar[0] == 1.0


# equal_error_rate --------------------------------------------------------------------------------


def test_equal_error_rate_of_separable_scores_is_zero() -> None:
    eer, threshold = equal_error_rate(scores(0.8, 0.9), scores(0.1, 0.2))
    assert eer == 0.0
    assert threshold == 0.8  # the lowest score where neither error happens


def test_equal_error_rate_where_the_rates_cross() -> None:
    # At 0.6: impostors 0.65 of four pass (FAR 25%), genuine 0.3 of four fails (FRR 25%).
    genuine = scores(0.3, 0.6, 0.7, 0.9)
    impostor = scores(0.1, 0.2, 0.4, 0.65)
    eer, threshold = equal_error_rate(genuine, impostor)
    assert eer == pytest.approx(0.25)
    assert threshold == 0.6


def test_equal_error_rate_of_identical_scores_is_a_coin_toss() -> None:
    # At 0.3 half the impostors pass and half the genuine scores fail.
    same = scores(0.1, 0.2, 0.3, 0.4)
    assert equal_error_rate(same, same) == (0.5, 0.3)


# roc_auc -----------------------------------------------------------------------------------------


def test_roc_auc_is_one_when_every_genuine_score_beats_every_impostor() -> None:
    assert roc_auc(scores(0.5, 0.8, 0.9), scores(-0.1, 0.2, 0.49)) == 1.0
    assert roc_auc(scores(0.1), scores(0.5)) == 0.0


def test_roc_auc_of_identical_scores_is_a_half() -> None:
    same = scores(0.1, 0.2, 0.3, 0.4)
    assert roc_auc(same, same) == 0.5
    assert roc_auc(scores(0.5), scores(0.5)) == 0.5


def test_roc_auc_counts_ties_as_half_a_win() -> None:
    # (0.3, 0.3) tie 0.5, (0.3, 0.5) loss 0, (0.6, 0.3) win 1, (0.6, 0.5) win 1: 2.5 of 4.
    assert roc_auc(scores(0.3, 0.6), scores(0.3, 0.5)) == 0.625


# decidability ------------------------------------------------------------------------------------


def test_decidability_is_the_mean_gap_in_pooled_standard_deviations() -> None:
    # Means 0.9 and 0.1, both variances 0.01: d' = 0.8 / 0.1.
    assert decidability(scores(0.8, 1.0), scores(0.0, 0.2)) == pytest.approx(8.0)
    assert decidability(scores(0.0, 0.2), scores(0.8, 1.0)) == pytest.approx(8.0)  # symmetric


def test_decidability_ignores_pairs_without_a_face() -> None:
    genuine, impostor = scores(0.8, 1.0, -np.inf), scores(0.0, 0.2, -np.inf, -np.inf)
    assert decidability(genuine, impostor) == pytest.approx(8.0)


def test_decidability_needs_two_finite_scores_each_side() -> None:
    assert math.isnan(decidability(scores(0.9), scores(0.1, 0.2)))
    assert math.isnan(decidability(scores(0.9, -np.inf), scores(0.1, 0.2)))


def test_decidability_of_spread_free_distinct_scores_is_infinite() -> None:
    assert decidability(scores(0.9, 0.9), scores(0.1, 0.1)) == math.inf


def test_decidability_ranks_better_separation_higher() -> None:
    generator = np.random.default_rng(3)
    impostor = generator.normal(0.1, 0.1, 500)
    close, far = generator.normal(0.4, 0.1, 500), generator.normal(0.7, 0.1, 500)
    assert decidability(far, impostor) > decidability(close, impostor) > 0


def test_identical_spread_free_scores_have_no_decidability() -> None:
    assert math.isnan(decidability(scores(0.5, 0.5), scores(0.5, 0.5)))


def test_auc_of_an_empty_side_is_nan_without_a_warning() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(roc_auc(scores(), scores(0.1)))
        assert math.isnan(roc_auc(scores(0.9), scores()))
