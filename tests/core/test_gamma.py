"""Gamma index (pymedphys) against hand-computed cases: a shifted ramp and Gaussian."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rtviewer.core.gamma import PASS_FAIL_LIMIT, GammaCriteria, gamma_index, parse_criteria
from rtviewer.core.grid import Grid

N = 61


def _grid(origin=(-30.0, -2.0, -2.0)):
    affine = np.eye(4)
    affine[:3, 3] = origin
    return Grid(affine=affine, shape=(5, 5, N))


def _profile(fn, shift_mm=0.0, scale=1.0):
    x = np.arange(N) - 30.0
    return np.broadcast_to(scale * fn(x - shift_mm), (5, 5, N)).astype(np.float64)


def _brute_force(fn, x, shift_mm, scale, dose_tolerance, dta_mm):
    """min over r of sqrt(r²/DTA² + (B(x+r) − A(x))²/ΔD²), on a 0.1 µm grid of r."""
    r = np.linspace(-2 * dta_mm, 2 * dta_mm, 120_001)
    return np.array([np.min(np.hypot(r / dta_mm, (scale * fn(xx + r - shift_mm) - fn(xx))
                                     / dose_tolerance)) for xx in x])


def test_shifted_ramp_has_the_closed_form_gamma():
    # A = 1 + g x, B(x) = A(x - s): gamma = |s| g / sqrt(ΔD² + g² DTA²) everywhere.
    slope, shift = 0.02, 1.0
    a = _profile(lambda x: 1 + slope * x)
    b = _profile(lambda x: 1 + slope * x, shift)
    result = gamma_index(a, _grid(), b, _grid(), GammaCriteria(3, 3, cutoff_percent=0))
    dose_tolerance = 0.03 * a.max()
    expected = shift * slope / math.sqrt(dose_tolerance**2 + slope**2 * 9)
    inner = result.gamma[:, :, 8:-8]  # the search near the edges leaves the grid
    np.testing.assert_allclose(inner, expected, atol=1e-4)
    assert result.pass_rate() == 1.0
    assert result.normalisation_gy == pytest.approx(a.max())


def test_shifted_and_scaled_gaussian_matches_the_hand_computed_gamma():
    def gauss(x):
        return np.exp(-x**2 / (2 * 10.0**2))

    x = np.arange(N) - 30.0
    # A scaling is met at distances of a tenth of a mm on the flanks: the search step
    # (DTA / search_steps) must be that fine to find them, else gamma is over-estimated.
    for shift, scale, steps in ((1.0, 1.0, 10), (0.0, 1.02, 30)):
        a, b = _profile(gauss), _profile(gauss, shift, scale)
        result = gamma_index(a, _grid(), b, _grid(),
                             GammaCriteria(3, 3, cutoff_percent=0, search_steps=steps))
        truth = _brute_force(gauss, x, shift, scale, 0.03, 3.0)
        # pymedphys interpolates B linearly between 1 mm voxels: within 0.04 of the
        # continuous truth, which peaks at 0.33 (shift) and 0.67 (scale, at the peak).
        np.testing.assert_allclose(result.gamma[2, 2, 8:-8], truth[8:-8], atol=0.04)
        assert truth.max() > 0.3


def test_cutoff_local_and_failures():
    a = _profile(lambda x: np.exp(-x**2 / (2 * 10.0**2)))
    b = a * 1.05
    glob = gamma_index(a, _grid(), b, _grid(), GammaCriteria(3, 1, cutoff_percent=20))
    below = a < 0.2 * a.max()
    assert np.isnan(glob.gamma[below]).all() and np.isfinite(glob.gamma[~below]).all()
    # 5 % of the maximum fails 3 %/1 mm near the peak, where the gradient is too flat.
    assert glob.gamma[2, 2, 30] > 1 and 0 < glob.pass_rate() < 1
    local = gamma_index(a, _grid(), b, _grid(),
                        GammaCriteria(3, 1, cutoff_percent=20, local=True))
    # Local: the tolerance is 3 % of the local dose, never more than the global one.
    ev = glob.evaluated
    assert (local.gamma[ev] >= glob.gamma[ev] - 1e-9).all()
    assert np.nanmean(local.gamma) > np.nanmean(glob.gamma) + 0.02
    # At the flat peak: 5 % / 3 % of the peak either way.
    assert local.gamma[2, 2, 30] == pytest.approx(5 / 3, abs=0.05)
    assert glob.gamma[2, 2, 30] == pytest.approx(5 / 3, abs=0.05)
    capped = gamma_index(a, _grid(), a * 1.1, _grid(), GammaCriteria(3, 1, cutoff_percent=20))
    assert np.nanmax(capped.gamma) == pytest.approx(2.0)  # 3.3 at the peak, capped


def test_evaluated_dose_on_another_grid_is_resampled():
    slope = 0.02
    a = _profile(lambda x: 1 + slope * x)
    fine = Grid(affine=np.diag([0.5, 1.0, 1.0, 1.0]), shape=(5, 5, 121))
    affine = fine.affine.copy()
    affine[:3, 3] = (-30.0, -2.0, -2.0)
    fine = Grid(affine=affine, shape=(5, 5, 121))
    x = -30.0 + 0.5 * np.arange(121)
    b = np.broadcast_to(1 + slope * x, (5, 5, 121)).astype(np.float64)
    result = gamma_index(a, _grid(), b, fine, GammaCriteria(3, 3, cutoff_percent=0))
    np.testing.assert_allclose(result.gamma[:, :, 8:-8], 0.0, atol=1e-5)  # float32 resampling


def test_parse_criteria():
    c = parse_criteria("2%/1mm", cutoff_percent=10)
    assert (c.dose_percent, c.distance_mm, c.cutoff_percent) == (2, 1, 10)
    assert parse_criteria("3/3").label == "3%/3mm global, 10% cut-off"
    with pytest.raises(ValueError, match="3%/3mm"):
        parse_criteria("3%")


def test_pass_rate_only_gives_the_same_pass_rate():
    a = _profile(lambda x: np.exp(-x**2 / (2 * 10.0**2)))
    b = _profile(lambda x: np.exp(-x**2 / (2 * 10.0**2)), 0.5, 1.04)
    full = gamma_index(a, _grid(), b, _grid(), GammaCriteria(3, 1, cutoff_percent=10))
    fast = gamma_index(a, _grid(), b, _grid(),
                       GammaCriteria(3, 1, cutoff_percent=10, pass_rate_only=True))
    assert 0 < full.pass_rate() < 1
    assert fast.pass_rate() == full.pass_rate()
    passed = full.gamma <= 1
    np.testing.assert_array_equal(fast.gamma <= 1, passed)
    # pass / fail only: the search stops at the DTA, failing voxels hold the limit just
    # above 1, passing ones an upper bound of their gamma
    np.testing.assert_array_equal(fast.gamma[~passed & full.evaluated], PASS_FAIL_LIMIT)
    assert (fast.gamma[passed] >= full.gamma[passed] - 1e-12).all()


def test_gamma_runs_with_the_root_logger_at_info(caplog):
    # pymedphys logs 1-element arrays with %.3f on the root logger; at INFO (the
    # application's log file, pytest's capture) formatting them fails under numpy 2
    a = _profile(lambda x: 1 + 0.02 * x)
    with caplog.at_level("INFO", logger=""):
        result = gamma_index(a, _grid(), a, _grid(), GammaCriteria(3, 3, cutoff_percent=10))
    assert result.pass_rate() == 1.0
    assert not [r for r in caplog.records if "pymedphys" in r.pathname]


def _two_plans(shape=(14, 22, 26), step_mm=2.5):
    """A: three Gaussian 'beams' crossing; B: the third beam moved 14 mm and 5 % hotter.

    The doses really differ (22 % of the voxels above the cut-off fail 3 %/3 mm, some beyond 3), on
    a grid small enough for pymedphys's whole-grid search in a test.
    """
    nk, nj, ni = shape
    affine = np.diag([step_mm, step_mm, step_mm, 1.0])
    affine[:3, 3] = [-(ni - 1) * step_mm / 2, -(nj - 1) * step_mm / 2, -(nk - 1) * step_mm / 2]
    grid = Grid(affine=affine, shape=shape)
    z = (affine[2, 3] + step_mm * np.arange(nk))[:, None, None]
    y = (affine[1, 3] + step_mm * np.arange(nj))[None, :, None]
    x = (affine[0, 3] + step_mm * np.arange(ni))[None, None, :]

    def beams(third_x_mm, third_gy):
        return (2.0 * np.exp(-(y**2 + z**2) / (2 * 12.0**2))
                + 1.5 * np.exp(-(x**2 + z**2) / (2 * 10.0**2))
                + third_gy * np.exp(-((x - third_x_mm)**2 + (y - 4)**2) / (2 * 6.0**2))
                ) * np.ones(shape)

    return grid, beams(-8.0, 3.0), beams(6.0, 3.15)


def _pymedphys_whole_grid(a, b, grid, steps, max_gamma=None, local=False):
    """pymedphys on the whole grid at once, no bound, no slabs: the reference computation."""
    import pymedphys

    from rtviewer.core.gamma import axis_coordinates

    axes = axis_coordinates(grid, grid.directions)
    with pytest.warns(DeprecationWarning):
        return pymedphys.gamma(axes, a, axes, b, 3, 3, lower_percent_dose_cutoff=10,
                               interp_fraction=steps, max_gamma=max_gamma, quiet=True,
                               global_normalisation=float(a.max()), interp_algo="scipy",
                               local_gamma=local)


def _pymedphys_whole_grid_on(a, grid_a, b, grid_b, steps):
    """pymedphys with A and B on their own grids (same axes), no limit: the reference."""
    import pymedphys

    from rtviewer.core.gamma import axis_coordinates

    axes_a = axis_coordinates(grid_a, grid_a.directions)
    axes_b = axis_coordinates(grid_b, grid_a.directions)
    with pytest.warns(DeprecationWarning):
        return pymedphys.gamma(axes_a, a, axes_b, b, 3, 3, lower_percent_dose_cutoff=10,
                               interp_fraction=steps, quiet=True,
                               global_normalisation=float(a.max()), interp_algo="scipy")


def test_slabs_and_bound_give_pymedphys_whole_grid_gamma_on_really_different_doses(
        monkeypatch):
    import rtviewer.core.gamma as gamma_module

    monkeypatch.setattr(gamma_module, "_SLAB_VOXELS", 700)  # several slabs on a small grid
    grid, a, b = _two_plans()
    steps = 5  # the equality holds for any search step; 5 keeps the reference short
    uncapped = _pymedphys_whole_grid(a, b, grid, steps)  # searched until each voxel is settled
    evaluated = np.isfinite(uncapped)
    reference_rate = float(np.mean(uncapped[evaluated] <= 1))
    assert 0.3 < reference_rate < 0.9  # really different doses
    calls = []
    fast = gamma_index(a, grid, b, grid, GammaCriteria(3, 3, search_steps=steps,
                                                       pass_rate_only=True),
                       progress=lambda done, total: calls.append((done, total)))
    # pass / fail searched within the DTA only: the uncapped search's verdict, voxel for voxel
    np.testing.assert_array_equal(fast.evaluated, evaluated)
    np.testing.assert_array_equal(fast.gamma[evaluated] <= 1, uncapped[evaluated] <= 1)
    assert fast.pass_rate() == reference_rate
    assert calls[0] == (0, calls[0][1]) and calls[-1] == (calls[0][1], calls[0][1])
    assert len(calls) == calls[0][1] + 1 and calls[0][1] >= 2  # several slabs
    assert np.isnan(fast.gamma[~evaluated]).all()
    # local gamma: the bound's tolerance follows A voxel by voxel
    local_uncapped = _pymedphys_whole_grid(a, b, grid, steps, local=True)
    local = gamma_index(a, grid, b, grid, GammaCriteria(3, 3, search_steps=steps, local=True,
                                                        pass_rate_only=True))
    np.testing.assert_array_equal(local.gamma[evaluated] <= 1, local_uncapped[evaluated] <= 1)
    assert local.pass_rate() < fast.pass_rate()


def test_a_gamma_map_is_the_full_search_within_the_dta_and_close_beyond():
    grid, a, b = _two_plans()
    steps = 6  # the reference computation's cost grows with the cube of the steps
    full_search = _pymedphys_whole_grid(a, b, grid, steps, max_gamma=2.0)
    evaluated = np.isfinite(full_search)
    ours = gamma_index(a, grid, b, grid, GammaCriteria(3, 3, search_steps=steps)).gamma
    np.testing.assert_array_equal(np.isfinite(ours), evaluated)
    passing, failing = evaluated & (full_search <= 1), evaluated & (full_search > 1)
    assert failing.sum() > 1000
    # passing voxels: the full search's value; the verdicts: the full search's
    np.testing.assert_array_equal(ours[passing], full_search[passing])
    assert (ours[failing] > 1).all()
    # failing ones searched beyond the DTA at DTA / 3 instead of DTA / 6: close (0.17 at
    # most on these steep fields, 0.025 on average)
    difference = np.abs(ours[failing] - full_search[failing])
    assert difference.max() < 0.2 and difference.mean() < 0.04


def test_the_bound_settles_voxels_only_beyond_the_limit_on_offset_grids():
    from rtviewer.core.gamma import axis_coordinates
    from rtviewer.core.gamma_bounds import surely_above

    grid, a, b = _two_plans()
    shifted = Grid(affine=grid.affine @ np.diag([0.8, 1.3, 1.0, 1.0]) + np.pad(
        np.array([[0, 0, 0, 0.9], [0, 0, 0, -1.1], [0, 0, 0, 0.4]]), ((0, 1), (0, 0))),
        shape=grid.shape)  # B on a finer x, coarser y, offset grid
    uncapped = _pymedphys_whole_grid(a, b, grid, 5)
    for limit in (1.0, 2.0):
        settled = surely_above(a, axis_coordinates(grid, grid.directions), b,
                               axis_coordinates(grid, grid.directions),
                               radius_mm=3.0 * limit, tolerance_gy=0.03 * a.max() * limit)
        assert settled.sum() > 50
        assert (uncapped[settled & np.isfinite(uncapped)] > limit).all()
    # on another grid: gamma_index resamples B onto A's axes; the bound must stay sound
    from rtviewer.core.interpolation import resample_to_grid

    b_shifted = resample_to_grid(b, grid, shifted, outside=0.0).astype(np.float64)
    bounded = gamma_index(a, grid, b_shifted, shifted,
                          GammaCriteria(3, 3, search_steps=5, pass_rate_only=True))
    plain = _pymedphys_whole_grid_on(a, grid, b_shifted, shifted, 5)
    ev = np.isfinite(plain) & bounded.evaluated
    assert ev.sum() > 5000
    np.testing.assert_array_equal(bounded.gamma[ev] <= 1, plain[ev] <= 1)
    # voxels off B's narrower grid by more than the DTA meet only its outside (pymedphys:
    # not evaluated); the unlimited search reaches B there, at a gamma above 1
    off = np.isfinite(plain) & ~bounded.evaluated
    assert off.sum() > 0 and (plain[off] > 1).all()


def test_a_progress_callback_stops_the_computation_between_slabs(monkeypatch):
    import rtviewer.core.gamma as gamma_module
    from rtviewer.core.gamma import GammaCancelled

    monkeypatch.setattr(gamma_module, "_SLAB_VOXELS", 700)
    grid, a, b = _two_plans()
    seen = []

    def stop_after_one(done, total):
        seen.append(done)
        if done == 1:
            raise GammaCancelled("stop")

    with pytest.raises(GammaCancelled):
        gamma_index(a, grid, b, grid, GammaCriteria(3, 3, search_steps=5, pass_rate_only=True),
                    progress=stop_after_one)
    assert seen == [0, 1]
