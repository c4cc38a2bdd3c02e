"""Extremes are exhaustive: Dmax/Dmin see every dose voxel inside a structure (issue 13.1).

On every corpus structure set with a dose on its Frame of Reference: when structure A
contains structure B by the engine's own model (every voxel of B's mask is in A's
mask and B's boundary, on both faces of each slab, lies inside A), then
Dmax(A) >= Dmax(B) and Dmin(A) <= Dmin(B).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest
from testsupport import corpus_root

from rtviewer.core.dvh import compute_dvh
from rtviewer.core.dvh_metrics import dose_at_volume_cc
from rtviewer.core.rasterise import structure_mask
from rtviewer.core.slab_model import SlabModel
from rtviewer.core.structure_model import build_structure_model, contains
from rtviewer.dicom.dose import read_dose
from rtviewer.dicom.structure import read_structure_set

SRS = "pps-vendor-plans/BrainSRSRaystationVMAT"


def _headers(root: Path) -> tuple[dict[str, list[Path]], dict[str, list[Path]]]:
    """RTSTRUCT and RTDOSE files of the corpus by Frame of Reference UID."""
    from rtviewer.cli.dvh import _header

    structures: dict[str, list[Path]] = {}
    doses: dict[str, list[Path]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix.lower() not in (".dcm", ""):
            continue
        header = _header(path)
        if header is None or not header["frame"]:
            continue
        if header["modality"] == "RTSTRUCT":
            structures.setdefault(header["frame"], []).append(path)
        elif header["modality"] == "RTDOSE":
            doses.setdefault(header["frame"], []).append(path)
    return structures, doses


def _corpus_pairs() -> list[tuple[str, str]]:
    root = corpus_root()
    if not root.is_dir():
        return []
    structures, doses = _headers(root)
    pairs = []
    for frame, files in structures.items():
        for rs in files:
            for rd in doses.get(frame, []):
                # the Nelms sets hold one closed ROI each (nothing to compare): one
                # dose grid is enough to see that they compute
                if "nelms" in str(rs) and "AntPost_1mm" not in rd.name:
                    continue
                pairs.append((str(rs.relative_to(root)), str(rd.relative_to(root))))
    return pairs


PAIRS = _corpus_pairs()


@cache
def _dose(rd: str):  # noqa: ANN202 - a DoseVolume
    return read_dose(corpus_root() / rd)


def _boundary_points(model: SlabModel, step_mm: float = 0.5) -> np.ndarray:
    """Points every ``step_mm`` along every contour, on both faces of its slab (inset)."""
    points = []
    for plane in model.planes:
        if plane.thickness_mm <= 0:
            continue
        inset = min(1e-3, 0.25 * plane.thickness_mm)
        for a in plane.polygons_uv:
            b = np.roll(a, -1, axis=0)
            n = np.maximum(np.ceil(np.linalg.norm(b - a, axis=1) / step_mm), 1).astype(int)
            edge = np.repeat(np.arange(len(a)), n)
            t = (np.arange(len(edge)) - np.repeat(np.cumsum(n) - n, n)) / n[edge]
            uv = a[edge] + t[:, None] * (b - a)[edge]
            for offset in (plane.lower_mm + inset, plane.upper_mm - inset):
                points.append(model.to_patient(uv, np.full(len(uv), offset)))
    return np.vstack(points)


def _contains(a: SlabModel, b: SlabModel, mask_a, mask_b) -> bool:  # noqa: ANN001
    if mask_b.voxel_count() and not np.all(mask_a.to_full()[mask_b.to_full()]):
        return False
    return bool(np.all(contains(a, _boundary_points(b))))


def test_the_corpus_has_structure_sets_with_doses(corpus: Path) -> None:
    # the SRS, dicompyler-core, proton, Nelms, CyberKnife/Gamma Knife sets at least
    assert len({rs for rs, _ in PAIRS}) >= 8
    assert any(SRS in rs for rs, _ in PAIRS)


@pytest.mark.parametrize(("rs", "rd"), PAIRS, ids=[f"{Path(s).parent.name}:{Path(d).name[:24]}"
                                                   for s, d in PAIRS])
def test_containing_structures_never_have_narrower_extremes(corpus: Path, rs: str,
                                                            rd: str) -> None:
    dose = _dose(rd)
    rois = [(r.name, r.closed_polygons_mm()) for r in read_structure_set(corpus / rs).rois
            if any(c.is_closed for c in r.contours)]
    solids = []
    for name, polygons in rois:
        model = build_structure_model(polygons)
        if model is None or model.volume_mm3 <= 0:
            continue
        dvh = compute_dvh(model, dose.dose_gy, dose.grid)
        solids.append((name, model, structure_mask(model, dose.grid), dvh))
    compared = 0
    for name_a, a, mask_a, dvh_a in solids:
        for name_b, b, mask_b, dvh_b in solids:
            if b is a or b.volume_mm3 >= a.volume_mm3 or not _contains(a, b, mask_a, mask_b):
                continue
            compared += 1
            assert dvh_a.dmax_gy >= dvh_b.dmax_gy, (name_a, name_b, dvh_a.dmax_gy, dvh_b.dmax_gy)
            assert dvh_a.dmin_gy <= dvh_b.dmin_gy, (name_a, name_b, dvh_a.dmin_gy, dvh_b.dmin_gy)
    if SRS in rs and "RD1" in rd:
        assert compared >= 20  # BODY holds the brain, PTVs, GTVs ...


def test_srs_body_dmax_is_the_hottest_voxel_inside(corpus: Path) -> None:
    folder = corpus / SRS
    rs = next(folder.glob("RS*.dcm"))
    dose = read_dose(next(folder.glob("RD*.dcm")))
    body = next(r for r in read_structure_set(rs).rois if r.name == "BODY")
    model = build_structure_model(body.closed_polygons_mm())
    assert model is not None
    crop = structure_mask(model, dose.grid)
    k, j, i = crop.offset_kji
    dk, dj, di = crop.mask.shape
    hottest = float(dose.dose_gy[k:k + dk, j:j + dj, i:i + di][crop.mask].max())
    assert hottest == pytest.approx(52.50, abs=0.01)  # the plan's hot spot lies in BODY
    dvh = compute_dvh(model, dose.dose_gy, dose.grid)
    assert dvh.dmax_gy == pytest.approx(hottest, abs=1e-6)
    # the hottest 0.03 cc (about one 3 mm voxel) sits around that voxel, not 1.2 Gy below
    assert dose_at_volume_cc(dvh, 0.03) > 50.3
