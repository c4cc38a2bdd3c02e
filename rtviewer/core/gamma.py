"""The 3-D gamma index of an evaluated dose against a reference dose (Low et al. 1998).

Computed by pymedphys (``pymedphys.gamma``, the implementation physicists know, after
Wendling et al. 2007), with its SciPy interpolation so that it needs numpy and scipy
only (its default interpolator needs numba).  This module puts the two grids into one
coordinate system and states the criteria as AAPM TG-218 names them.

Coordinates: pymedphys wants one increasing coordinate vector per array axis.  The
reference grid's own orthogonal axes give them (any orientation, through the affine);
an evaluated dose on another grid is first resampled (trilinearly) onto a grid with the
reference's axes and the evaluated grid's finest steps, covering the evaluated grid.
"""

from __future__ import annotations

import contextlib
import logging
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.dose_sum import covering_grid
from rtviewer.core.grid import Grid
from rtviewer.core.interpolation import resample_to_grid

__all__ = ["GammaCriteria", "GammaResult", "gamma_index", "parse_criteria"]


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
        value (they fail either way).
    search_steps : int
        Search resolution: ``distance_mm / search_steps`` (pymedphys ``interp_fraction``).
    pass_rate_only : bool
        Stop searching a voxel once it passes (pymedphys ``skip_once_passed``): pass rates
        are exact, but a passing voxel's gamma is then only an upper bound (below 1).
        20-fold faster on a clinical dose; for tables of pass rates, not for gamma maps.
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
                criteria: GammaCriteria) -> GammaResult:
    """Gamma of ``evaluated`` (B) against ``reference`` (A) at every reference voxel.

    Parameters
    ----------
    reference_gy, evaluated_gy : (nk, nj, ni) ndarray
        Doses in Gy indexed ``[k, j, i]`` on their grids.
    reference_grid, evaluated_grid : Grid
        Their geometries, in one patient coordinate system.
    criteria : GammaCriteria
        Dose difference, distance to agreement, cut-off, local/global.

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
    normalisation = (criteria.normalisation_gy if criteria.normalisation_gy is not None
                     else float(reference.max()))
    if not normalisation > 0:
        raise ValueError("reference dose is zero everywhere: gamma needs a normalisation dose")
    axes = reference_grid.directions
    gamma = _pymedphys_gamma(_axis_coordinates(reference_grid, axes), reference,
                             _axis_coordinates(evaluated_grid, axes),
                             np.asarray(evaluated_gy, dtype=np.float64), criteria, normalisation)
    return GammaResult(gamma=gamma, grid=reference_grid, criteria=criteria,
                       normalisation_gy=normalisation)


def _pymedphys_gamma(axes_a: tuple[NDArray[np.float64], ...], dose_a: NDArray[np.float64],
                     axes_b: tuple[NDArray[np.float64], ...], dose_b: NDArray[np.float64],
                     criteria: GammaCriteria, normalisation: float) -> NDArray[np.float64]:
    """Call pymedphys; imported here as it costs a quarter second."""
    import pymedphys

    with warnings.catch_warnings(), _without_pymedphys_log():
        # pymedphys announces that `quiet` will become deprecated; it is still the switch.
        warnings.simplefilter("ignore", DeprecationWarning)
        gamma = pymedphys.gamma(
            axes_a, dose_a, axes_b, dose_b, criteria.dose_percent, criteria.distance_mm,
            lower_percent_dose_cutoff=criteria.cutoff_percent,
            interp_fraction=criteria.search_steps, max_gamma=criteria.max_gamma,
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


def _axis_coordinates(grid: Grid, axes: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
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
