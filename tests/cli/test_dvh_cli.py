"""``rtviewer dvh`` on the Nelms benchmark files: CSV, curves, folder mode, exit codes."""

import csv
import shutil
import subprocess
import sys

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
    assert tuple(rows[0]) == CSV_COLUMNS
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
