"""DVH statistics rows, the statistics CSV, the curves CSV and the readable table.

Doses are the stored values × Dose Grid Scaling (no fraction or prescription scaling).
An undefined statistic (D0.03cc of a structure under 0.03 cc) is an empty CSV cell.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rtviewer.core.dvh import Dvh, compute_dvh
from rtviewer.core.dvh_metrics import dose_at_volume_cc, dose_at_volume_percent
from rtviewer.core.grid import Grid
from rtviewer.printable import printable_row

#: The leading CSV columns, exactly as issue 4 specifies them.
CSV_COLUMNS = ("roi_number", "roi_name", "volume_cc", "dmin_gy", "dmean_gy", "dmax_gy",
               "d99_gy", "d98_gy", "d95_gy", "d50_gy", "d5_gy", "d2_gy", "d1_gy",
               "d0.03cc_gy")
_PERCENTS = (99, 98, 95, 50, 5, 2, 1)


@dataclass(frozen=True, eq=False)
class DvhRow:
    """One ROI's DVH and statistics."""

    roi_number: int
    roi_name: str
    dvh: Dvh

    def values(self) -> list[float]:
        """The numeric columns after ``roi_name``, in CSV order (NaN when undefined)."""
        d = self.dvh
        if d.volume_cc <= 0:
            return [d.volume_cc] + [math.nan] * (len(CSV_COLUMNS) - 3)
        return ([d.volume_cc, d.dmin_gy, d.dmean_gy, d.dmax_gy]
                + [dose_at_volume_percent(d, p) for p in _PERCENTS]
                + [dose_at_volume_cc(d, 0.03)])


def compute_rows(rois: Sequence[tuple[int, str, list[np.ndarray]]], dose_gy: np.ndarray,
                 grid: Grid) -> list[DvhRow]:
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
    """
    ordered = sorted(rois, key=lambda r: r[0])
    return [DvhRow(number, name, compute_dvh(polygons, dose_gy, grid))
            for number, name, polygons in ordered]


def _cell(value: float) -> str:
    return "" if not math.isfinite(value) else f"{value:.6g}"


def statistics_csv(rows: Sequence[DvhRow]) -> str:
    """The statistics CSV (RFC 4180 quoting, ``.`` decimal point, ``%.6g``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([row.roi_number, row.roi_name, *(_cell(v) for v in row.values())])
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


def readable_table(rows: Sequence[DvhRow]) -> str:
    """A fixed-width table for the terminal (doses in Gy, volume in cc)."""
    width = max([len("ROI")] + [len(f"{r.roi_number} {r.roi_name}") for r in rows])
    heads = ["Volume cc", "Dmin", "Dmean", "Dmax", "D99", "D98", "D95", "D50", "D5", "D2",
             "D1", "D0.03cc"]
    lines = [f"{'ROI':<{width}} " + " ".join(f"{h:>9}" for h in heads)]
    for r in rows:
        cells = " ".join(f"{_cell(v) or '-':>9}" for v in r.values())
        lines.append(f"{f'{r.roi_number} {r.roi_name}':<{width}} {cells}")
    lines.append("Doses in Gy (stored values x Dose Grid Scaling); volumes include end caps.")
    return "\n".join(printable_row(lines)) + "\n"  # ROI names come from the file
