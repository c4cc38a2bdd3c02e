"""DVH statistics rows, the statistics CSV, the curves CSV and the readable table.

Doses are the stored values × Dose Grid Scaling (no fraction or prescription scaling).
An undefined statistic (D0.03cc of a structure under 0.03 cc) is an empty CSV cell.

Columns after the original fourteen (issue 13; never renamed, only appended):
``d2cc_gy``, ``d0.1cc_gy``, ``d90_gy``, ``hi`` (ICRU 83, (D2 − D98)/D50),
``paddick_ci`` (at the reference isodose: TV_PIV² / (TV · PIV), PIV counted on the
dose grid; empty without a reference), ``outside_grid_cc``, then for each
``--vgy X``: ``vXgy_cc`` and ``vXgy_pct`` (% of the structure's volume), and for
each ``--vpct P``: ``vPpct_cc`` and ``vPpct_pct`` (P % of the reference dose), then
``reference_gy`` (the dose 100 % means, empty when none) and ``reference`` (where it
comes from, or why there is none: the same words as on stderr).
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rtviewer.cli.fork_share import forked_map
from rtviewer.core.dvh import Dvh, compute_dvh
from rtviewer.core.dvh_metrics import (
    dose_at_volume_cc,
    dose_at_volume_percent,
    homogeneity_index,
    isodose_volume_cc,
    paddick_conformity_index,
    volume_at_dose_gy,
)
from rtviewer.core.grid import Grid
from rtviewer.core.structure_model import DEFAULT_MODEL, prepare_models
from rtviewer.printable import printable
from rtviewer.view.model_spread import (  # noqa: F401 - the thresholds, re-exported
    FEW_PLANES,
    SMALL_VOLUME_CC,
    ModelSpread,
    flag_reason,
    flagged_shape,
    value_range,
)

#: The leading CSV columns, exactly as issue 4 specifies them.
CSV_COLUMNS = ("roi_number", "roi_name", "volume_cc", "dmin_gy", "dmean_gy", "dmax_gy",
               "d99_gy", "d98_gy", "d95_gy", "d50_gy", "d5_gy", "d2_gy", "d1_gy",
               "d0.03cc_gy")
#: The columns issue 13 appended, always present.
EXTRA_COLUMNS = ("d2cc_gy", "d0.1cc_gy", "d90_gy", "hi", "paddick_ci", "outside_grid_cc")
#: The last columns: the reference dose of the % levels and Paddick CI, and its source.
REFERENCE_COLUMNS = ("reference_gy", "reference")
_PERCENTS = (99, 98, 95, 50, 5, 2, 1)


@dataclass(frozen=True)
class Levels:
    """User-given V levels and the reference dose that % levels and Paddick CI use.

    Attributes
    ----------
    vgy : tuple of float
        Absolute dose levels in Gy (``--vgy``).
    vpct : tuple of float
        Levels in % of ``reference_gy`` (``--vpct``).
    reference_gy : float or None
        The dose 100 % means; None leaves the % columns and Paddick CI empty.
    piv_cc : float or None
        Volume of the dose grid at or above ``reference_gy`` (Paddick's PIV).
    reference_label : str
        Where ``reference_gy`` comes from, or why there is none.
    """

    vgy: tuple[float, ...] = ()
    vpct: tuple[float, ...] = ()
    reference_gy: float | None = None
    piv_cc: float | None = None
    reference_label: str = ""


def _level(value: float) -> str:
    return f"{value:g}"


def level_columns(levels: Levels) -> tuple[str, ...]:
    """The V columns of ``levels``, after :data:`EXTRA_COLUMNS`."""
    names: list[str] = []
    for gy in levels.vgy:
        names += [f"v{_level(gy)}gy_cc", f"v{_level(gy)}gy_pct"]
    for pct in levels.vpct:
        names += [f"v{_level(pct)}pct_cc", f"v{_level(pct)}pct_pct"]
    return tuple(names)


def _volumes(dvh: Dvh, dose_gy: float | None) -> list[float]:
    if dose_gy is None:
        return [math.nan, math.nan]
    return [volume_at_dose_gy(dvh, dose_gy), volume_at_dose_gy(dvh, dose_gy, relative=True)]


@dataclass(frozen=True, eq=False)
class DvhRow:
    """One ROI's DVH and statistics."""

    roi_number: int
    roi_name: str
    dvh: Dvh

    def values(self, levels: Levels | None = None) -> list[float]:
        """The numeric columns after ``roi_name``, in CSV order (NaN when undefined)."""
        levels = levels or Levels()
        d = self.dvh
        width = len(CSV_COLUMNS) - 3 + len(EXTRA_COLUMNS) + len(level_columns(levels))
        if d.volume_cc <= 0:
            return [d.volume_cc] + [math.nan] * width
        base = ([d.volume_cc, d.dmin_gy, d.dmean_gy, d.dmax_gy]
                + [dose_at_volume_percent(d, p) for p in _PERCENTS]
                + [dose_at_volume_cc(d, 0.03)])
        ci = math.nan
        if levels.reference_gy and levels.piv_cc:
            ci = paddick_conformity_index(d, levels.reference_gy,
                                          prescription_isodose_volume_cc=levels.piv_cc)
        extra = [dose_at_volume_cc(d, 2.0), dose_at_volume_cc(d, 0.1),
                 dose_at_volume_percent(d, 90.0), homogeneity_index(d), ci,
                 d.outside_volume_cc]
        swept: list[float] = []
        for gy in levels.vgy:
            swept += _volumes(d, gy)
        for pct in levels.vpct:
            ref = levels.reference_gy
            swept += _volumes(d, ref * pct / 100.0 if ref else None)
        return base + extra + swept


def levels_for(dose_gy: np.ndarray, grid: Grid, *, vgy: Sequence[float] = (),
               vpct: Sequence[float] = (), reference_gy: float | None = None,
               reference_label: str = "") -> Levels:
    """:class:`Levels` with Paddick's PIV counted on the dose grid (voxels >= reference)."""
    piv = isodose_volume_cc(dose_gy, grid, reference_gy) if reference_gy else None
    return Levels(tuple(vgy), tuple(vpct), reference_gy, piv, reference_label)


def compute_rows(rois: Sequence[tuple[int, str, list[np.ndarray]]], dose_gy: np.ndarray,
                 grid: Grid, *, model: str = DEFAULT_MODEL) -> list[DvhRow]:
    """DVH rows for ``(roi_number, name, closed polygons)`` in ROI Number order.

    Parameters
    ----------
    rois : sequence of (int, str, list of ndarray)
        ROI Number, ROI Name and the CLOSED_PLANAR contours, each ``(N, 3)``
        patient ``(x, y, z)`` mm.
    dose_gy : ndarray, (k, j, i)
        Dose in Gy on ``grid``.
    grid : Grid
        Geometry of ``dose_gy``.
    model : str, keyword-only
        Structure model (:mod:`rtviewer.core.structure_model`).
    """
    ordered = sorted(rois, key=lambda r: r[0])

    def dvh_of(n: int) -> Dvh:
        return compute_dvh(ordered[n][2], dose_gy, grid, model=model)

    # shared with a forked copy of this process, the most contour vertices first
    costliest = sorted(range(len(ordered)), key=lambda n: -sum(len(p) for p in ordered[n][2]))
    if ordered:
        prepare_models([model])
    dvhs = forked_map(dvh_of, costliest)
    return [DvhRow(number, name, dvhs[n]) for n, (number, name, _) in enumerate(ordered)]


def _cell(value: float) -> str:
    return "" if not math.isfinite(value) else f"{value:.6g}"


def statistics_csv(rows: Sequence[DvhRow], levels: Levels | None = None) -> str:
    """The statistics CSV (RFC 4180 quoting, ``.`` decimal point, ``%.6g``)."""
    levels = levels or Levels()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS + EXTRA_COLUMNS + level_columns(levels) + REFERENCE_COLUMNS)
    reference = ["" if levels.reference_gy is None else f"{levels.reference_gy:.6g}",
                 levels.reference_label]
    for row in rows:
        writer.writerow([row.roi_number, row.roi_name,
                         *(_cell(v) for v in row.values(levels)), *reference])
    return out.getvalue()


def curves_csv(rows: Sequence[DvhRow], bin_gy: float) -> str:
    """Cumulative curves: ``dose_gy`` every ``bin_gy`` and the volume (cc) of each ROI."""
    if not bin_gy > 0:
        raise ValueError(f"bin_gy must be positive, got {bin_gy}")
    top = max((r.dvh.dmax_gy for r in rows if math.isfinite(r.dvh.dmax_gy)), default=0.0)
    doses = np.arange(int(math.floor(top / bin_gy)) + 2) * bin_gy
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["dose_gy", *(f"{r.roi_number}:{r.roi_name}" for r in rows)])
    columns = [r.dvh.cumulative_at(doses) if r.dvh.volume_cc > 0 else np.zeros(len(doses))
               for r in rows]
    for index, dose in enumerate(doses):
        writer.writerow([f"{dose:.6g}", *(f"{c[index]:.6g}" for c in columns)])
    return out.getvalue()


#: Decimals of the readable table: doses to 0.01 Gy, volumes to 0.001 cc (1 mm³) so that
#: a structure of a few mm³ never prints as 0.00.
DOSE_DECIMALS = 2
VOLUME_DECIMALS = 3
#: V columns in % of the structure's volume.
PERCENT_DECIMALS = 2
_TABLE_HEADS = ("Volume cc", "Dmin", "Dmean", "Dmax", "D99", "D98", "D95", "D50", "D5", "D2",
                "D1", "D0.03cc")


def _display_width(text: str) -> int:
    """Terminal columns of ``text``: East Asian wide characters take two, combining marks none."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _display_width(text))


def _fixed(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}" if math.isfinite(value) else "-"


def _level_heads(levels: Levels) -> list[tuple[str, int]]:
    """``("V20Gy cc", 3), ("V20Gy %", 2)``, ... for the V columns asked for."""
    heads: list[tuple[str, int]] = []
    for name in [f"V{_level(gy)}Gy" for gy in levels.vgy] + \
            [f"V{_level(pct)}%" for pct in levels.vpct]:
        heads += [(f"{name} cc", VOLUME_DECIMALS), (f"{name} %", PERCENT_DECIMALS)]
    return heads


def readable_table(rows: Sequence[DvhRow], levels: Levels | None = None) -> str:
    """A fixed-width table for the terminal (doses in Gy, volume in cc).

    ROI names are padded to the widest name (in terminal columns); every number is
    right-aligned in its column with :data:`VOLUME_DECIMALS` (volume) or
    :data:`DOSE_DECIMALS` (doses) decimals; an undefined statistic is ``-``. The V
    columns of ``levels`` (``--vgy``, ``--vpct``) follow, in cc and % of the volume;
    a V% column without a reference dose is ``-``.
    """
    levels = levels or Levels()
    heads = [*_TABLE_HEADS, *(head for head, _ in _level_heads(levels))]
    decimals = [VOLUME_DECIMALS] + [DOSE_DECIMALS] * (len(_TABLE_HEADS) - 1) + \
        [d for _, d in _level_heads(levels)]
    skip = len(_TABLE_HEADS) + len(EXTRA_COLUMNS)  # the V columns' place in values()
    names = ["ROI"] + [printable(f"{r.roi_number} {r.roi_name}") for r in rows]  # from the file
    cells = []
    for row in rows:
        values = row.values(levels)
        shown = values[:len(_TABLE_HEADS)] + values[skip:]
        cells.append([_fixed(v, d) for v, d in zip(shown, decimals, strict=True)])
    grid = [heads] + cells
    widths = [max(len(line[i]) for line in grid) for i in range(len(heads))]
    name_width = max(_display_width(n) for n in names)
    lines = [_pad(name, name_width) + "".join(c.rjust(w + 2) for c, w in zip(line, widths,
                                                                               strict=True))
             for name, line in zip(names, grid, strict=True)]
    lines.append(f"Doses in Gy ({DOSE_DECIMALS} decimals; stored values x Dose Grid Scaling), "
                 f"volumes in cc ({VOLUME_DECIMALS} decimals) including end caps; - undefined.")
    if levels.vpct:
        lines.append("V% levels: % of " + (f"{levels.reference_gy:g} Gy ("
                     f"{levels.reference_label or 'reference'})" if levels.reference_gy
                     else "no reference dose (--reference-gy): undefined"))
    return "\n".join(lines) + "\n"


def dependence_reason(polygons: Sequence[np.ndarray]) -> str | None:
    """Why a structure's statistics depend on the structure model, or None.

    ``"0.0729 cc (slab model), 2 contour planes"`` for a structure under
    :data:`SMALL_VOLUME_CC` (by the slab model) or on fewer than :data:`FEW_PLANES`
    contour planes (``view.model_spread``: the DVH panel's rule too).
    """
    shape = flagged_shape(polygons)
    return None if shape is None else flag_reason(*shape)


def model_dependence(rois: Sequence[tuple[int, str, list[np.ndarray]]], dose_gy: np.ndarray,
                     grid: Grid, model: str = DEFAULT_MODEL) -> list[str]:
    """One line per small or thin structure: how much its statistics vary between models.

    A structure under :data:`SMALL_VOLUME_CC` or on fewer than :data:`FEW_PLANES` contour
    planes is computed under every structure model; the line gives the range of its
    volume, Dmean, D98 and Dmax across them.
    """
    flagged = []  # (number, name, polygons, why)
    for number, name, polygons in sorted(rois, key=lambda r: r[0]):
        why = dependence_reason(polygons)
        if why is not None:
            flagged.append((number, name, polygons, why))
    return model_spreads(flagged, dose_gy, grid, model)


def model_spreads(flagged: Sequence[tuple[int, str, Sequence[np.ndarray], str]],
                  dose_gy: np.ndarray, grid: Grid, model: str = DEFAULT_MODEL,
                  known: Sequence[Dvh] | None = None) -> list[str]:
    """The lines of :func:`model_dependence` for the structures it flags.

    Parameters
    ----------
    flagged : sequence of (int, str, sequence of ndarray, str)
        ROI Number, name, closed polygons (patient mm) and :func:`dependence_reason`,
        in ROI Number order.
    dose_gy, grid
        The dose in Gy and its grid.
    model : str
        The model the statistics use.
    known : sequence of Dvh, optional
        The flagged structures' DVHs under ``model``, already computed (not computed
        again).
    """
    from rtviewer.core.structure_model import MODEL_NAMES

    jobs = [(f, m) for f in range(len(flagged)) for m in MODEL_NAMES
            if not (m == model and known is not None)]

    def dvh_of(n: int) -> Dvh:
        f, m = jobs[n]
        return compute_dvh(flagged[f][2], dose_gy, grid, model=m)

    # shared with a forked copy of this process, the smooth solids (the costliest) first
    prepare_models([m for _, m in jobs])
    dvh_by_job = forked_map(dvh_of, sorted(range(len(jobs)), key=lambda n: jobs[n][1] != "smooth"))
    lines = []
    for f, (number, name, polygons, why) in enumerate(flagged):
        dvhs = [dvh_by_job[n] for n in range(len(jobs)) if jobs[n][0] == f]
        if known is not None:  # MODEL_NAMES order, the one under ``model`` already known
            dvhs.insert(MODEL_NAMES.index(model), known[f])
        shape = flagged_shape(polygons)  # the slab solid is cached: not built again
        assert shape is not None  # flagged by dependence_reason, from the same shape
        spread = ModelSpread.from_dvhs(*shape, dvhs)
        lines.append(f"ROI {number} '{printable(name)}': {why}: its statistics depend on the "
                     "structure "
                     f"model ({model} used); across {', '.join(MODEL_NAMES)}: "
                     + spread.ranges())
    return lines
