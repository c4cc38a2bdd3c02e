"""Copies of corpus files rotated rigidly in patient space (tilted structure sets).

A contour set drawn on a tilted MR, CBCT or applicator-aligned series has contour
planes oblique to the couch axes. :func:`tilted_copy` makes such sets from real
files: every patient position ``p`` in the files (image and dose grid positions
and orientations, contour points, brachy source positions, dose reference points)
becomes ``R (p - c) + c``. Stored pixels and doses are unchanged, so the rotated
set is the same patient, only turned; UIDs are kept so references still resolve.
External-beam plans are not rotated (a gantry angle cannot express a tilt about
x): pass them only when the test does not need them to match.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pydicom
from numpy.typing import NDArray
from pydicom.dataset import Dataset

__all__ = ["rotation", "tilted_copy", "tilt_point"]


def rotation(about_x_deg: float = 0.0, about_y_deg: float = 0.0) -> NDArray[np.float64]:
    """``R = R_y(about_y) @ R_x(about_x)``: first about the patient x axis, then about y."""
    cx, sx = np.cos(np.radians(about_x_deg)), np.sin(np.radians(about_x_deg))
    cy, sy = np.cos(np.radians(about_y_deg)), np.sin(np.radians(about_y_deg))
    rx = np.array([[1.0, 0.0, 0.0], [0.0, cx, -sx], [0.0, sx, cx]])
    ry = np.array([[cy, 0.0, sy], [0.0, 1.0, 0.0], [-sy, 0.0, cy]])
    result: NDArray[np.float64] = ry @ rx
    return result


def tilt_point(points_mm: NDArray[np.float64], rotation_matrix: NDArray[np.float64],
               centre_mm: NDArray[np.float64]) -> NDArray[np.float64]:
    """``R (p - c) + c`` for points ``(..., 3)`` mm."""
    result: NDArray[np.float64] = ((np.asarray(points_mm, dtype=np.float64) - centre_mm)
                                   @ rotation_matrix.T + centre_mm)
    return result


def _numbers(values: Iterable[object]) -> NDArray[np.float64]:
    return np.array([float(v) for v in values], dtype=np.float64)


def _text(values: NDArray[np.float64]) -> list[str]:
    return [f"{v:.10g}" for v in np.ravel(values)]


def _tilt_grid(ds: Dataset, r: NDArray[np.float64], c: NDArray[np.float64]) -> None:
    orientation = _numbers(ds.ImageOrientationPatient).reshape(2, 3)
    position = _numbers(ds.ImagePositionPatient)
    offsets = ds.get("GridFrameOffsetVector")
    if offsets is not None and len(offsets) and float(offsets[0]) != 0.0:
        # the absolute form needs an axial grid: store the offsets relative to the first
        ds.GridFrameOffsetVector = _text(_numbers(offsets) - position[2])
    ds.ImageOrientationPatient = _text(orientation @ r.T)
    ds.ImagePositionPatient = _text(tilt_point(position, r, c))
    for keyword in ("SliceLocation",):
        if keyword in ds:
            delattr(ds, keyword)


def _tilt_items(ds: Dataset, keyword: str, r: NDArray[np.float64],
                c: NDArray[np.float64]) -> None:
    """Rotate every ``keyword`` (a 3n-value position list) anywhere in ``ds``."""
    def visit(item: Dataset, element: pydicom.DataElement) -> None:
        if element.keyword == keyword and element.value is not None and len(element.value):
            points = _numbers(element.value).reshape(-1, 3)
            element.value = _text(tilt_point(points, r, c))
    ds.walk(visit)


def tilted_copy(sources: Iterable[Path], rotation_matrix: NDArray[np.float64],
                centre_mm: NDArray[np.float64], folder: Path) -> list[Path]:
    """Write rotated copies of ``sources`` into ``folder`` (file names kept).

    Parameters
    ----------
    sources : iterable of Path
        Images, RT Dose, RT Structure Set and brachytherapy RT Plan files.
    rotation_matrix : (3, 3) ndarray
        ``R`` (see :func:`rotation`).
    centre_mm : (3,) ndarray
        The fixed point ``c``, patient mm.
    folder : Path
        Created if needed; never a corpus folder.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    centre = np.asarray(centre_mm, dtype=np.float64)
    for source in sources:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(source, force=True)
        if "ImageOrientationPatient" in ds and "ImagePositionPatient" in ds:
            _tilt_grid(ds, rotation_matrix, centre)
        for keyword in ("ContourData", "ControlPoint3DPosition",
                        "DoseReferencePointCoordinates"):
            _tilt_items(ds, keyword, rotation_matrix, centre)
        target = folder / source.name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds.save_as(target, enforce_file_format=False)
        written.append(target)
    return written
