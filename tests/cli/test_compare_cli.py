"""``rtviewer compare``: a 2 %-scaled dose copy, a shifted structure set, refusals."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pydicom
import pytest

from rtviewer.cli import main
from rtviewer.dicom.dose import read_dose

pytestmark = pytest.mark.corpus

PLAN03 = "aptg-proton/plan03_ramp_full"
PLAN_DOSE = "RD1.2.752.243.1.1.20250523160113556.3000.73252.dcm"
RS = "RS1.2.752.243.1.1.20250522124652761.2000.43711.dcm"


def _scaled_copy(source, target, factor):
    ds = pydicom.dcmread(source)
    ds.DoseGridScaling = float(ds.DoseGridScaling) * factor
    ds.save_as(target)
    return target


def test_scaled_dose_differences_and_gamma(corpus, tmp_path, capsys):
    a = corpus / PLAN03 / PLAN_DOSE
    b = _scaled_copy(a, tmp_path / "scaled.dcm", 1.02)
    out = tmp_path / "compare.csv"
    assert main(["compare", str(a), str(b), "--structures", str(corpus / PLAN03 / RS),
                 "--roi", "Cube101010", "--roi", "Slope101004", "--gamma", "1%/1mm",
                 "--cutoff", "95",
                 "--csv", str(out), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["evaluated_max_gy"] == pytest.approx(1.02 * document["reference_max_gy"],
                                                         rel=1e-5)
    # 2 % of the maximum fails 1 %/1 mm where the dose is flat (the hot plateau); the
    # 95 % cut-off keeps the test short (8938 voxels; pymedphys with SciPy is slow).
    gamma = document["gamma"]
    assert gamma["criteria"] == "1%/1mm global, 95% cut-off"
    reference = read_dose(a)
    assert gamma["evaluated_voxels"] == np.count_nonzero(
        reference.dose_gy >= 0.95 * reference.max_gy)
    assert 0 < gamma["pass_rate_percent"] < 100  # 61.9 %: the ramp's flanks pass
    assert gamma["pass_rate_only"] and gamma["search_limit_gamma"] == pytest.approx(1.0, abs=1e-5)
    rows = {r["roi"]: r for r in csv.DictReader(io.StringIO(out.read_text()))}
    assert set(rows) == {"Cube101010", "Slope101004"}
    cube = rows["Cube101010"]
    for metric in ("Dmean", "Dmax", "D95%"):
        a_gy, b_gy = float(cube[f"{metric}_a_gy"]), float(cube[f"{metric}_b_gy"])
        assert b_gy == pytest.approx(1.02 * a_gy, rel=2e-4)
        assert float(cube[f"{metric}_diff_gy"]) == pytest.approx(0.02 * a_gy, abs=2e-4)
    assert float(cube["gamma_pass_percent"]) < 100  # the plateau is inside the cube
    assert int(cube["gamma_voxels"]) > 0


def test_refuses_mixed_kinds_and_frames(corpus, tmp_path, capsys):
    a = corpus / PLAN03 / PLAN_DOSE
    assert main(["compare", str(a), str(corpus / PLAN03 / RS)]) == 2
    assert "two RTDOSE, two RTSTRUCT or two RTPLAN" in capsys.readouterr().err
    ds = pydicom.dcmread(a)
    ds.FrameOfReferenceUID = "1.2.3.4"
    ds.save_as(tmp_path / "other_frame.dcm")
    assert main(["compare", str(a), str(tmp_path / "other_frame.dcm")]) == 2
    assert "registration" in capsys.readouterr().err


def test_structure_sets_shifted_by_3_mm(corpus, tmp_path, capsys):
    source = corpus / PLAN03 / RS
    ds = pydicom.dcmread(source)
    for roi in ds.ROIContourSequence:
        for contour in getattr(roi, "ContourSequence", []):
            points = np.array(contour.ContourData, float).reshape(-1, 3)
            points[:, 0] += 3.0
            contour.ContourData = [f"{v:.4f}" for v in points.ravel()]
    ds.save_as(tmp_path / "shifted.dcm")
    out = tmp_path / "structures.csv"
    assert main(["compare", str(source), str(tmp_path / "shifted.dcm"), "--roi", "Cube101010",
                 "--voxel-mm", "0.5", "--csv", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["roi"] for r in rows] == ["Cube101010"]
    row = rows[0]
    # A 10 cm cube shifted 3 mm along x: same volume, Dice = 97/100, HD = 3 mm.
    assert float(row["volume_difference_cc"]) == pytest.approx(0.0, abs=1.0)
    assert float(row["dice"]) == pytest.approx(0.97, abs=0.006)
    assert float(row["hausdorff_mm"]) == pytest.approx(3.0, abs=0.5)
    assert float(row["hausdorff95_mm"]) <= float(row["hausdorff_mm"])
    assert "Cube101010" in capsys.readouterr().out


def test_plan_sheets_side_by_side(corpus, tmp_path, capsys):
    source = corpus / "dicompyler-core" / "rtplan.dcm"
    ds = pydicom.dcmread(source)
    beam = ds.BeamSequence[1]  # a replan with one beam angle changed and 5 MU more
    for point in beam.ControlPointSequence:
        if "GantryAngle" in point:
            point.GantryAngle = float(point.GantryAngle) + 10.0
    referenced = ds.FractionGroupSequence[0].ReferencedBeamSequence[1]
    referenced.BeamMeterset = float(referenced.BeamMeterset) + 5.0
    (tmp_path / "b").mkdir()
    ds.save_as(tmp_path / "b" / "rtplan.dcm")
    # with its structure set, so that both sheets compute SSDs to the body
    rtss = (corpus / "dicompyler-core" / "rtss.dcm").read_bytes()
    (tmp_path / "b" / "rtss.dcm").write_bytes(rtss)
    assert main(["compare", str(source), str(tmp_path / "b" / "rtplan.dcm"), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    differing = {(r["item"], r["field"]): (r["a"], r["b"]) for r in rows if r["differs"]}
    number = f"beam {beam.BeamNumber}"
    assert set(differing) == {(number, "gantry start (deg)"), (number, "gantry stop (deg)"),
                              (number, "meterset"), ("plan", "total MU per fraction"),
                              (number, "SSD (mm)")}  # the source moved with the gantry
    a, b = differing[(number, "gantry start (deg)")]
    assert float(b) == pytest.approx(float(a) + 10.0)
    a, b = differing[("plan", "total MU per fraction")]
    assert float(b) == pytest.approx(float(a) + 5.0)


def test_gamma_progress_is_printed_only_when_gamma_takes_long(capsys, monkeypatch):
    from rtviewer.cli import compare as compare_cli

    clock = iter([0.0, 0.5, 1.0, 3.0, 3.5, 6.0, 6.1])
    monkeypatch.setattr(compare_cli.time, "monotonic", lambda: next(clock))
    progress = compare_cli.GammaProgress(quiet_s=2.0, every_s=2.0)  # reads the clock: 0.0
    for done in range(6):  # at 0.5 (start), 1.0, 3.0, 3.5, 6.0, 6.1
        progress(done, 5)
    lines = capsys.readouterr().err.splitlines()
    # quiet for 2 s, then every 2 s, and the last slab
    assert lines == ["rtviewer compare: gamma 2/5 slabs searched (2 s)",
                     "rtviewer compare: gamma 4/5 slabs searched (6 s)",
                     "rtviewer compare: gamma 5/5 slabs searched (6 s)"]
