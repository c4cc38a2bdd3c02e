"""``rtviewer plan``: the sheet as text and JSON, folder and file input, exit codes."""

import json
import subprocess
import sys

import pytest
from testsupport import REPO_ROOT

from rtviewer.cli import main

pytestmark = pytest.mark.corpus


def test_json_of_a_folder(corpus, capsys):
    assert main(["plan", str(corpus / "dicompyler-core"), "--json"]) == 0
    sheets = json.loads(capsys.readouterr().out)
    assert len(sheets) == 1
    sheet = sheets[0]
    assert sheet["fractions_planned"] == 7 and sheet["prescription_gy"] == pytest.approx(14.0)
    assert [b["meterset"] for b in sheet["beams"]] == pytest.approx([97, 87, 89, 94])
    stored = [927.0, 944.0, 937.049293093977, 895.049384513678]  # Eclipse, in the file
    for beam, ssd in zip(sheet["beams"], stored, strict=True):
        assert abs(beam["ssd_mm"] - ssd) <= 0.5
        assert beam["ssd_stored_mm"] == pytest.approx(ssd)
    assert "BODY" in sheet["ssd_body"]


def test_text_sheet_of_one_file(corpus, capsys):
    path = corpus / "slicerrt-eclipse-prostate" / \
        "RP.1.2.246.352.71.5.2088656855.377401.20110920153647.dcm"
    assert main(["plan", str(path)]) == 0
    out = capsys.readouterr().out
    assert "46.00 Gy (2.00 Gy × 23)" in out
    assert "LT LAT PROS" in out and "MLCX 60 pairs" in out and "MUREF" in out


def test_folder_without_plans_is_a_usage_error(corpus, capsys):
    assert main(["plan", str(corpus / "nelms-dvh-analytical" / "DOSE_GRIDS")]) == 2
    assert "no readable RT Plan" in capsys.readouterr().err


def test_missing_path_exits_2_without_qt(tmp_path):
    code = ("import sys; from rtviewer.cli import main; rc = main(['plan', "
            f"{str(tmp_path / 'nope')!r}]); "
            "assert 'PySide6' not in sys.modules; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2 and "no such file" in result.stderr
