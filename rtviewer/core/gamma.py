"""The 3-D gamma index of an evaluated dose against a reference dose (Low et al. 1998).

Computed by pymedphys (``pymedphys.gamma``, the implementation physicists know, after
Wendling et al. 2007), with its SciPy interpolation so that it needs numpy and scipy
only (its default interpolator needs numba).  This module puts the two grids into one
coordinate system and states the criteria as AAPM TG-218 names them.

Coordinates: pymedphys wants one increasing coordinate vector per array axis.  The
reference grid's own orthogonal axes give them (any orientation, through the affine);
an evaluated dose on another grid is first resampled (trilinearly) onto a grid with the
reference's axes and the evaluated grid's finest steps, covering the evaluated grid.

Speed, where the doses really differ (a replan with a beam turned: a third of the voxels
fail, and each failing voxel is searched at thousands of points): voxels whose gamma
surely exceeds the search limit are settled by a bound on B over the search ball
(:mod:`rtviewer.core.gamma_bounds`); a pass / fail gamma (``pass_rate_only``) searches
only as far as the DTA, where a passing voxel's agreement must lie; a gamma map
searches the failing voxels beyond the DTA at half the step; the rest is searched by
pymedphys in slabs of slices, with B cropped to the slab plus the search radius.  Pass /
fail is pymedphys's for the whole grid, voxel for voxel, and so are a map's passing
values (tested); the slabs give progress and a point to stop.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.dose_sum import covering_grid
from rtviewer.core.gamma_bounds import Axes, surely_above
from rtviewer.core.grid import Grid
from rtviewer.core.interpolation import resample_to_grid

__all__ = ["PASS_FAIL_LIMIT", "GammaCancelled", "GammaCriteria", "GammaResult",
           "axis_coordinates", "gamma_index", "parse_criteria", "search_limit", "value_steps"]

#: The search limit of a pass / fail gamma (``pass_rate_only``): failing voxels hold it.
PASS_FAIL_LIMIT = 1.0 + 1e-6

#: Searched voxels per slab: a second or so each on a loaded laptop core.
_SLAB_VOXELS = 8000


class GammaCancelled(Exception):
    """Raised by a progress callback to stop a gamma computation between slabs."""


@dataclass(frozen=True)
class GammaCriteria:
    """Gamma criteria (AAPM TG-218 §IV).

    Parameters
    ----------
    dose_percent : float
        Dose-difference criterion in % (of the global normalisation, or of the local
        reference dose when ``local``).
    distance_mm : float
        Distance-to-agreement criterion in mm.
    cutoff_percent : float
        Low-dose threshold: reference voxels below this % of the global normalisation are
        not evaluated (TG-218 recommends 10 %).
    local : bool
        Local instead of global dose difference.
    normalisation_gy : float or None
        Global normalisation dose (default: the reference maximum).
    max_gamma : float
        Search radius in units of ``distance_mm``; larger gammas are reported as this
        value (they fail either way).  Failing voxels are searched beyond the DTA at
        half the search steps (:func:`value_steps`): their values are within about 0.1
        of the full search's; passing voxels and all verdicts are the full search's.
    search_steps : int
        Search resolution: ``distance_mm / search_steps`` (pymedphys ``interp_fraction``).
    pass_rate_only : bool
        Pass / fail only: search a voxel no further than ``distance_mm`` and stop once it
        passes (pymedphys ``skip_once_passed``).  Pass rates are exactly those of the
        full search; a passing voxel's gamma is an upper bound (at most 1), a failing
        voxel holds :data:`PASS_FAIL_LIMIT` (its gamma is only known to exceed 1).  20
        to 100 times faster on clinical doses; for pass rates and pass / fail maps.
    """

    dose_percent: float = 3.0
    distance_mm: float = 3.0
    cutoff_percent: float = 10.0
    local: bool = False
    normalisation_gy: float | None = None
    max_gamma: float = 2.0
    search_steps: int = 10
    pass_rate_only: bool = False

    def __post_init__(self) -> None:
        for name in ("dose_percent", "distance_mm", "max_gamma"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value}")
        if not (math.isfinite(self.cutoff_percent) and 0 <= self.cutoff_percent < 100):
            raise ValueError(f"cutoff_percent must be in [0, 100), got {self.cutoff_percent}")
        if self.search_steps < 1:
            raise ValueError(f"search_steps must be at least 1, got {self.search_steps}")

    @property
    def label(self) -> str:
        """E.g. ``"3%/3mm global, 10% cut-off"``."""
        return (f"{self.dose_percent:g}%/{self.distance_mm:g}mm "
                f"{'local' if self.local else 'global'}, {self.cutoff_percent:g}% cut-off")


def parse_criteria(text: str, **options: float | bool) -> GammaCriteria:
    """Read ``"3%/3mm"`` (or ``"3/3"``) into :class:`GammaCriteria`.

    Examples
    --------
    >>> parse_criteria("2%/1mm").distance_mm
    1.0
    """
    parts = text.replace(" ", "").lower().split("/")
    if len(parts) != 2:
        raise ValueError(f"gamma criteria {text!r}: expected DOSE%/DISTANCEmm, e.g. 3%/3mm")
    try:
        dose = float(parts[0].removesuffix("%"))
        distance = float(parts[1].removesuffix("mm"))
    except ValueError:
        raise ValueError(f"gamma criteria {text!r}: expected DOSE%/DISTANCEmm, "
                         "e.g. 3%/3mm") from None
    return GammaCriteria(dose_percent=dose, distance_mm=distance, **options)  # type: ignore[arg-type]


@dataclass(frozen=True, eq=False)
class GammaResult:
    """A gamma map on the reference grid.

    Attributes
    ----------
    gamma : (nk, nj, ni) float64 ndarray
        Gamma per reference voxel; NaN where not evaluated (below the cut-off), at most
        ``criteria.max_gamma``.
    grid : Grid
        The reference grid.
    criteria : GammaCriteria
        The criteria used.
    normalisation_gy : float
        The global normalisation dose actually used, in Gy.
    """

    gamma: NDArray[np.float64]
    grid: Grid
    criteria: GammaCriteria
    normalisation_gy: float

    @property
    def evaluated(self) -> NDArray[np.bool_]:
        """Voxels above the cut-off (where gamma was computed)."""
        mask: NDArray[np.bool_] = np.isfinite(self.gamma)
        return mask

    def pass_rate(self, mask: NDArray[np.bool_] | None = None) -> float:
        """Fraction (0-1) of evaluated voxels with gamma <= 1, within ``mask`` if given.

        NaN when no voxel is evaluated.
        """
        chosen = self.evaluated if mask is None else self.evaluated & mask
        n = int(chosen.sum())
        return float(np.count_nonzero(self.gamma[chosen] <= 1.0) / n) if n else math.nan


def gamma_index(reference_gy: NDArray[np.floating], reference_grid: Grid,
                evaluated_gy: NDArray[np.floating], evaluated_grid: Grid,
                criteria: GammaCriteria, *,
                progress: Callable[[int, int], None] | None = None) -> GammaResult:
    """Gamma of ``evaluated`` (B) against ``reference`` (A) at every reference voxel.

    Voxels that surely exceed the search limit are settled by a bound
    (:func:`rtviewer.core.gamma_bounds.surely_above`); the others are searched by
    pymedphys in slabs of slices, each with a crop of B reaching the search radius
    around it: the result is the one pymedphys gives for the whole grid at once, voxel
    for voxel, and the slabs give progress and a point to stop between them.

    Parameters
    ----------
    reference_gy, evaluated_gy : (nk, nj, ni) ndarray
        Doses in Gy indexed ``[k, j, i]`` on their grids.
    reference_grid, evaluated_grid : Grid
        Their geometries, in one patient coordinate system.
    criteria : GammaCriteria
        Dose difference, distance to agreement, cut-off, local/global.
    progress : callable (slabs done, slabs in all), optional, keyword-only
        Called before the first slab and after each; it may raise (e.g.
        :class:`GammaCancelled`) to stop the computation there.

    Returns
    -------
    GammaResult
    """
    _check_orthogonal(reference_grid)
    if not evaluated_grid.same_geometry(reference_grid, tolerance_mm=1e-6):
        target = covering_grid([evaluated_grid], axes=reference_grid.directions)
        evaluated_gy = resample_to_grid(evaluated_gy, evaluated_grid, target, outside=0.0)
        evaluated_grid = target
    reference = np.asarray(reference_gy, dtype=np.float64)
    evaluated = np.asarray(evaluated_gy, dtype=np.float64)
    normalisation = (criteria.normalisation_gy if criteria.normalisation_gy is not None
                     else float(reference.max()))
    if not normalisation > 0:
        raise ValueError("reference dose is zero everywhere: gamma needs a normalisation dose")
    axes = reference_grid.directions
    axes_a, axes_b = axis_coordinates(reference_grid, axes), axis_coordinates(evaluated_grid,
                                                                                axes)
    # the same expression as pymedphys's lower_dose_cutoff, so that both select alike
    above_cutoff = reference >= criteria.cutoff_percent / 100 * normalisation
    tolerance = criteria.dose_percent / 100 * (reference if criteria.local else normalisation)
    doses = _Doses(reference, axes_a, evaluated, axes_b, normalisation)

    def surely(limit: float) -> NDArray[np.bool_]:
        return surely_above(reference, axes_a, evaluated, axes_b,
                            radius_mm=limit * criteria.distance_mm,
                            tolerance_gy=limit * tolerance, wanted=above_cutoff)

    gamma = np.full(reference.shape, np.nan)
    fails = surely(PASS_FAIL_LIMIT)  # pymedphys reports a gamma beyond its limit as the limit
    gamma[fails] = PASS_FAIL_LIMIT
    values = not criteria.pass_rate_only and criteria.max_gamma > PASS_FAIL_LIMIT
    beyond = surely(criteria.max_gamma) if values else np.zeros_like(fails)
    gamma[beyond] = criteria.max_gamma
    fails |= beyond
    verdict = above_cutoff & ~fails  # pass / fail searched within the DTA
    slabs = _slabs(verdict | (fails & ~beyond) if values else verdict)
    report = progress or (lambda done, total: None)
    report(0, len(slabs))
    # values: passing voxels searched as the full search does (it stops within the DTA
    # for them), failing ones beyond the DTA with a coarser step
    first = dataclasses.replace(criteria, pass_rate_only=not values)
    second = dataclasses.replace(criteria, search_steps=value_steps(criteria))
    for n, (k0, k1) in enumerate(slabs, start=1):
        _search_slab(gamma, verdict, doses, (k0, k1), first, PASS_FAIL_LIMIT)
        if values:
            failing = np.zeros_like(verdict)
            failing[k0:k1] = (gamma[k0:k1] > 1.0) & ~beyond[k0:k1]
            _search_slab(gamma, failing, doses, (k0, k1), second, criteria.max_gamma)
            # the coarser search must not undo the verdict of the finer one
            gamma[k0:k1][failing[k0:k1]] = np.maximum(gamma[k0:k1][failing[k0:k1]],
                                                      PASS_FAIL_LIMIT)
        report(n, len(slabs))
    return GammaResult(gamma=gamma, grid=reference_grid, criteria=criteria,
                       normalisation_gy=normalisation)


def value_steps(criteria: GammaCriteria) -> int:
    """Search steps per DTA for failing voxels' values: half the criteria's, at least 3.

    A failing voxel searched to ``max_gamma`` at DTA / 10 costs 37 000 interpolations,
    at DTA / 5 5 000; its verdict comes from the DTA / 10 search within the DTA, its
    value (above 1) from the coarser one, a slight over-estimate.
    """
    return max(3, criteria.search_steps // 2)


def search_limit(criteria: GammaCriteria) -> float:
    """The largest gamma searched for: ``max_gamma``, or just above 1 for pass rates only.

    A voxel passes only if B agrees within the DTA, so a pass / fail search need not
    go further than the DTA; the hair above 1 keeps a failing voxel's capped value
    above 1 (pymedphys reports gammas beyond its limit as the limit).
    """
    return PASS_FAIL_LIMIT if criteria.pass_rate_only else criteria.max_gamma


def _slabs(searched: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Runs of slices ``[k0, k1)`` holding about :data:`_SLAB_VOXELS` searched voxels each."""
    per_slice = searched.sum(axis=(1, 2))
    used = np.flatnonzero(per_slice)
    if used.size == 0:
        return []
    count = int(per_slice.sum())
    n = max(1, min(used.size, math.ceil(count / _SLAB_VOXELS)))
    cumulative = np.cumsum(per_slice)
    # slab m ends at the first slice where the running count reaches m/n of the total
    ends = np.searchsorted(cumulative, count * np.arange(1, n + 1) / n, side="left") + 1
    starts = np.concatenate([[int(used[0])], ends[:-1]])
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True) if b > a]


@dataclass(frozen=True, eq=False)
class _Doses:
    """A and B with their axis coordinates, and the normalisation dose (Gy)."""

    reference: NDArray[np.float64]
    axes_a: Axes
    evaluated: NDArray[np.float64]
    axes_b: Axes
    normalisation: float


def _search_slab(gamma: NDArray[np.float64], searched: NDArray[np.bool_], doses: _Doses,
                 slab: tuple[int, int], criteria: GammaCriteria, limit: float) -> None:
    """Search the voxels of slices ``slab`` with pymedphys; write them into ``gamma``."""
    k0, k1 = slab
    mask = searched[k0:k1]
    if not mask.any():
        return
    rows, columns = np.flatnonzero(mask.any(axis=(0, 2))), np.flatnonzero(mask.any(axis=(0, 1)))
    box = (slice(k0, k1), slice(rows[0], rows[-1] + 1), slice(columns[0], columns[-1] + 1))
    box_mask = searched[box]
    # voxels not searched are NaN: below any cut-off for pymedphys, so skipped
    block = np.where(box_mask, doses.reference[box], np.nan)
    block_axes = tuple(axis[part] for axis, part in zip(doses.axes_a, box, strict=True))
    reach = limit * criteria.distance_mm
    crop = tuple(_crop(axis_b, float(axis[0]) - reach, float(axis[-1]) + reach)
                 for axis, axis_b in zip(block_axes, doses.axes_b, strict=True))
    crop_axes = tuple(axis[c] for axis, c in zip(doses.axes_b, crop, strict=True))
    result = _pymedphys_gamma(block_axes, block, crop_axes,  # type: ignore[arg-type]
                              doses.evaluated[crop], criteria, doses.normalisation, limit)
    gamma[box][box_mask] = result[box_mask]


def _crop(axis: NDArray[np.float64], low_mm: float, high_mm: float) -> slice:
    """Indices of ``axis`` covering ``[low_mm, high_mm]`` plus one voxel each side.

    Interpolation between the outermost voxels then reads the values it would read in
    the whole array.
    """
    start = max(int(np.searchsorted(axis, low_mm, side="right")) - 1, 0)
    stop = min(int(np.searchsorted(axis, high_mm, side="left")) + 1, axis.size)
    return slice(start, stop)


def _pymedphys_gamma(axes_a: Axes, dose_a: NDArray[np.float64],
                     axes_b: Axes, dose_b: NDArray[np.float64],
                     criteria: GammaCriteria, normalisation: float,
                     limit: float) -> NDArray[np.float64]:
    """Call pymedphys; imported here as it costs a quarter second."""
    import pymedphys

    with warnings.catch_warnings(), _without_pymedphys_log():
        # pymedphys announces that `quiet` will become deprecated; it is still the switch.
        warnings.simplefilter("ignore", DeprecationWarning)
        gamma = pymedphys.gamma(
            axes_a, dose_a, axes_b, dose_b, criteria.dose_percent, criteria.distance_mm,
            lower_percent_dose_cutoff=criteria.cutoff_percent,
            interp_fraction=criteria.search_steps, max_gamma=limit,
            skip_once_passed=criteria.pass_rate_only,
            local_gamma=criteria.local, global_normalisation=normalisation,
            quiet=True, interp_algo="scipy")
    result: NDArray[np.float64] = np.asarray(gamma, dtype=np.float64)
    return result


@contextlib.contextmanager
def _without_pymedphys_log() -> Iterator[None]:
    """Drop pymedphys's own root-logger messages while it runs.

    pymedphys 0.41 logs its thresholds (1-element arrays) with ``%.3f`` on the root
    logger whatever ``quiet`` says; with numpy 2 formatting fails, and wherever the
    root logger passes INFO (the application's log file, pytest's capture) that is a
    logging error: printed by the application, raised by pytest's handler.
    """
    def not_pymedphys(record: logging.LogRecord) -> bool:
        return "pymedphys" not in record.pathname

    root = logging.getLogger()
    root.addFilter(not_pymedphys)
    try:
        yield
    finally:
        root.removeFilter(not_pymedphys)


def axis_coordinates(grid: Grid, axes: NDArray[np.float64]) -> Axes:
    """Coordinates (mm) of the grid's slices, rows, columns along the unit ``axes``.

    ``axes`` are the reference grid's ``i, j, k`` directions (columns); the grid must
    share them.  Returned in array order ``(k, j, i)``, each increasing.
    """
    origin = grid.origin_mm @ axes
    steps = grid.spacing_mm
    nk, nj, ni = grid.shape
    return (origin[2] + steps[2] * np.arange(nk), origin[1] + steps[1] * np.arange(nj),
            origin[0] + steps[0] * np.arange(ni))


def _check_orthogonal(grid: Grid) -> None:
    """Refuse a sheared grid: gamma's distance needs orthogonal axes."""
    d = grid.directions
    gram = d.T @ d
    if not np.allclose(gram, np.eye(3), atol=1e-4):
        raise ValueError("reference grid axes are not orthogonal (a sheared grid); "
                         "gamma needs distances along orthogonal axes")
