"""``rtviewer dvh`` on the Nelms benchmark files: CSV, curves, folder mode, exit codes."""

import csv
import shutil
import subprocess
import sys

import numpy as np
import pytest
from testsupport import REPO_ROOT

from rtviewer.cli import main
from rtviewer.cli.dvh_table import CSV_COLUMNS

pytestmark = pytest.mark.corpus


@pytest.fixture
def nelms(corpus):
    root = corpus / "nelms-dvh-analytical"
    return (root / "STRUCTURES" / "Cylinder_20_0.dcm",
            root / "DOSE_GRIDS" / "Linear_SupInf_2mm_Aligned.dcm",
            root / "DOSE_GRIDS" / "Linear_AntPost_2mm_Aligned.dcm")


def test_csv_columns_values_and_marker_on_stderr(nelms, tmp_path, capsys):
    rs, rd, _ = nelms
    out = tmp_path / "stats.csv"
    assert main(["dvh", "--structures", str(rs), "--dose", str(rd), "--csv", str(out)]) == 0
    assert "POI_1" in capsys.readouterr().err
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0][:len(CSV_COLUMNS)]) == CSV_COLUMNS  # new columns only after them
    assert len(rows) == 2  # the marker POI_1 is not a row
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["roi_number"] == "2" and row["roi_name"] == "Cylinder_20_0"
    # analytical truth (Nelms): 11.7621 cc, Dmin 3.00, Dmax 29.00, Dmean 16.00, D99 3.26 Gy
    assert float(row["volume_cc"]) == pytest.approx(11.7621, rel=0.01)
    assert float(row["dmin_gy"]) == pytest.approx(3.0, rel=0.01)
    assert float(row["dmax_gy"]) == pytest.approx(29.0, rel=0.01)
    assert float(row["dmean_gy"]) == pytest.approx(16.0, rel=0.01)
    assert float(row["d99_gy"]) == pytest.approx(3.26, rel=0.03)
    assert float(row["d0.03cc_gy"]) == pytest.approx(28.93, rel=0.03)


def test_curves_every_bin_and_unknown_roi_exits_2(nelms, tmp_path, capsys):
    rs, rd, _ = nelms
    curves = tmp_path / "curves.csv"
    code = main(["dvh", "--structures", str(rs), "--dose", str(rd), "--curves", str(curves),
                 "--bin-gy", "0.5"])
    assert code == 0
    assert "Volume cc" in capsys.readouterr().out  # readable table without --csv
    with open(curves, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][0] == "dose_gy" and rows[0][1].split(":")[0].isdigit()
    assert float(rows[1][0]) == 0.0 and float(rows[2][0]) == 0.5
    assert float(rows[1][1]) == pytest.approx(11.76, rel=0.01)
    assert float(rows[-1][1]) == 0.0
    assert main(["dvh", "--structures", str(rs), "--dose", str(rd), "--roi", "NOPE"]) == 2
    assert "NOPE" in capsys.readouterr().err


def test_folder_mode_runs_on_one_pair_and_lists_candidates_otherwise(nelms, tmp_path, capsys):
    rs, rd, rd_ap = nelms
    folder = tmp_path / "case"
    folder.mkdir()
    shutil.copy(rs, folder / "RS.dcm")
    shutil.copy(rd, folder / "RD.dcm")
    (folder / "notes.txt").write_text("not DICOM")
    assert main(["dvh", str(folder), "--csv", "-"]) == 0
    assert capsys.readouterr().out.startswith("roi_number,roi_name,volume_cc")
    shutil.copy(rd_ap, folder / "RD_AP.dcm")
    assert main(["dvh", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("rtviewer dvh --structures") == 2
    assert "RD_AP.dcm" in err


def test_never_imports_qt(nelms, tmp_path):
    rs, rd, _ = nelms
    code = (
        "import sys\n"
        "from rtviewer.cli import main\n"
        f"rc = main(['dvh', '--structures', {str(rs)!r}, '--dose', {str(rd)!r},"
        f" '--csv', {str(tmp_path / 'o.csv')!r}])\n"
        "assert rc == 0, rc\n"
        "assert 'PySide6' not in sys.modules and 'pyqtgraph' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_folder_mode_on_a_vendor_export_with_a_plan(corpus, tmp_path, capsys):
    # RayStation puts the structure set's Frame of Reference only in its referenced
    # frame sequence; the folder also holds the RT Plan
    folder = corpus / "pps-vendor-plans" / "BrainSRSRaystationVMAT"
    out = tmp_path / "stats.csv"
    assert main(["dvh", str(folder), "--roi", "PTV_1", "--roi", "GTV_1", "--csv", str(out)]) == 0
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["roi_name"] for r in rows] == ["GTV_1", "PTV_1"]  # ROI Number order
    assert all(35 < float(r["dmean_gy"]) < 50 for r in rows)


def test_outside_dose_grid_is_reported(corpus, tmp_path, capsys):
    folder = corpus / "dicompyler-core"
    code = main(["dvh", "--structures", str(folder / "rtss.dcm"), "--dose",
                 str(folder / "rtdose.dcm"), "--roi", "BODY", "--csv", str(tmp_path / "o.csv")])
    assert code == 0
    assert "outside the dose grid" in capsys.readouterr().err


def test_new_columns_on_a_nelms_cylinder_match_the_analytic_dvh(nelms, tmp_path, capsys):
    """Cylinder_20_0 in the SupInf gradient: uniform cross-section, dose linear 3 -> 29 Gy.

    The cumulative DVH is then a straight line: a volume fraction f gets at least
    29 - f * 26 Gy, which gives every D, V, HI exactly.
    """
    import numpy as np

    from rtviewer.dicom.dose import read_dose

    rs, rd, _ = nelms
    out = tmp_path / "stats.csv"
    assert main(["dvh", "--structures", str(rs), "--dose", str(rd), "--csv", str(out),
                 "--vgy", "20", "--vgy", "5", "--vpct", "95", "--reference-gy", "20"]) == 0
    assert "100 % = 20 Gy (--reference-gy)" in capsys.readouterr().err
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0][len(CSV_COLUMNS):] == [
        "d2cc_gy", "d0.1cc_gy", "d90_gy", "hi", "paddick_ci", "outside_grid_cc",
        "v20gy_cc", "v20gy_pct", "v5gy_cc", "v5gy_pct", "v95pct_cc", "v95pct_pct",
        "reference_gy", "reference"]
    assert rows[1][-2:] == ["20", "--reference-gy"]
    row = {k: float(v) for k, v in zip(rows[0][2:-1], rows[1][2:-1], strict=True)}
    volume = 11.7621
    dose_at = lambda fraction: 29.0 - 26.0 * fraction  # noqa: E731
    assert row["d2cc_gy"] == pytest.approx(dose_at(2.0 / volume), rel=0.01)
    assert row["d0.1cc_gy"] == pytest.approx(dose_at(0.1 / volume), rel=0.01)
    assert row["d90_gy"] == pytest.approx(dose_at(0.9), rel=0.02)
    hi = (dose_at(0.02) - dose_at(0.98)) / dose_at(0.5)
    assert row["hi"] == pytest.approx(hi, rel=0.01)
    assert row["v20gy_pct"] == pytest.approx(100 * 9.0 / 26.0, abs=0.5)
    assert row["v20gy_cc"] == pytest.approx(volume * 9.0 / 26.0, rel=0.015)
    assert row["v5gy_pct"] == pytest.approx(100 * 24.0 / 26.0, abs=0.5)
    assert row["v95pct_pct"] == pytest.approx(100 * 10.0 / 26.0, abs=0.5)  # >= 19 Gy
    assert row["outside_grid_cc"] == 0.0
    dose = read_dose(rd)
    piv = np.count_nonzero(dose.dose_gy >= 20.0) * dose.grid.voxel_volume_mm3 / 1000.0
    tv_piv = volume * 9.0 / 26.0
    assert row["paddick_ci"] == pytest.approx(tv_piv**2 / (volume * piv), rel=0.03)


def test_structure_model_none_drops_the_end_caps(nelms, tmp_path, capsys):
    rs, rd, _ = nelms
    volumes = {}
    for model in ("slab", "none"):
        out = tmp_path / f"{model}.csv"
        assert main(["dvh", "--structures", str(rs), "--dose", str(rd), "--csv", str(out),
                     "--structure-model", model]) == 0
        with open(out, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        assert tuple(rows[0][:len(CSV_COLUMNS)]) == CSV_COLUMNS
        volumes[model] = float(dict(zip(rows[0], rows[1], strict=True))["volume_cc"])
    # two caps of half the 2 mm spacing on the 12 mm radius cylinder (truth pi 12^2 26 mm)
    assert volumes["slab"] - volumes["none"] == pytest.approx(np.pi * 144 * 2 / 1000, rel=0.01)


@pytest.mark.parametrize("with_plan", [False, True])
def test_the_reference_dose_is_stated_with_and_without_the_plan(corpus, tmp_path, capsys,
                                                                  with_plan):
    """Without its RT Plan the dose's % columns are empty and stderr and CSV say why."""
    source = corpus / "dicompyler-core"
    folder = tmp_path / "case"
    folder.mkdir()
    for name in ("rtss.dcm", "rtdose.dcm") + (("rtplan.dcm",) if with_plan else ()):
        shutil.copy(source / name, folder / name)
    out = tmp_path / "stats.csv"
    assert main(["dvh", "--structures", str(folder / "rtss.dcm"), "--dose",
                 str(folder / "rtdose.dcm"), "--roi", "Heart", "--vpct", "50",
                 "--csv", str(out)]) == 0
    err = capsys.readouterr().err
    with open(out, newline="", encoding="utf-8") as f:
        row = next(csv.DictReader(f))
    if with_plan:  # a PLAN dose of the 14 Gy plan
        assert "100 % = 14 Gy, plan prescription 14 Gy (PLAN)" in err
        assert row["reference_gy"] == "14" and row["v50pct_cc"] != ""
        return
    plan_uid = "1.2.246.352.71.5.320687012.24189.20090603083342"
    said = f"PLAN dose whose RT Plan {plan_uid} is not in {folder}: no prescription"
    assert f"no reference dose for percentages: {said}" in err
    assert "give --reference-gy" in err
    assert row["reference_gy"] == "" and row["reference"] == said
    assert row["v50pct_cc"] == "" and row["paddick_ci"] == ""


@pytest.mark.corpus
def test_tg43_plan_gives_the_dvhs_of_rtviewers_dose_of_the_dwells(corpus, tmp_path, capsys):
    from rtviewer.core.dvh import compute_dvh
    from rtviewer.dicom.plan import read_plan
    from rtviewer.dicom.structure import read_structure_set
    from rtviewer.model.brachy_tg43_dose import tg43_dose

    folder = corpus / "pytg43-brachy" / "PDR"
    out = tmp_path / "tg43.csv"
    assert main(["dvh", "--structures", str(folder / "RS.PDR.dcm"), "--tg43-plan",
                 str(folder / "RP.PDR.dcm"), "--tg43-grid-mm", "3", "--csv", str(out)]) == 0
    err = capsys.readouterr().err
    assert "NOT the planning system's RT Dose" in err and "at 3 mm" in err
    # a pulsed plan's Application Setup Dose may be per pulse or per fraction: no 100 %
    assert ("no reference dose for percentages: the plan states no prescription (pulsed "
            "plan: its Brachy Application Setup Dose 30.1 Gy may be per pulse or per "
            "fraction)") in err
    with out.open(newline="", encoding="utf-8") as f:
        rows = {r["roi_name"]: r for r in csv.DictReader(f)}
    structures = read_structure_set(folder / "RS.PDR.dcm")
    dose = tg43_dose(read_plan(folder / "RP.PDR.dcm"), structures, grid_mm=3.0).dose
    rectum = compute_dvh(structures.roi_by_name("rectum").closed_polygons_mm(), dose.dose_gy,
                         dose.grid)
    assert float(rows["rectum"]["dmean_gy"]) == pytest.approx(rectum.dmean_gy, abs=0.005)
    assert main(["dvh", "--tg43-plan", str(folder / "RP.PDR.dcm")]) == 2
    assert "--tg43-plan goes with --structures RS" in capsys.readouterr().err
    assert main(["dvh", "--structures", str(folder / "RS.PDR.dcm"), "--tg43-plan",
                 str(folder / "RS.PDR.dcm")]) == 2
    assert "--tg43-plan" in capsys.readouterr().err
