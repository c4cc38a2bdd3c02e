"""``rtviewer goals``: exit codes, CSV/JSON, structure model stated, on the Nelms files."""

import csv
import io
import json
import shutil

import pytest

from rtviewer.cli import main
from rtviewer.model.goal_table import GOAL_COLUMNS

pytestmark = pytest.mark.corpus


@pytest.fixture
def nelms_folder(corpus, tmp_path):
    root = corpus / "nelms-dvh-analytical"
    shutil.copy(root / "STRUCTURES" / "Cylinder_20_0.dcm", tmp_path / "rs.dcm")
    shutil.copy(root / "DOSE_GRIDS" / "Linear_SupInf_2mm_Aligned.dcm", tmp_path / "rd.dcm")
    return tmp_path


def _goals(tmp_path, *lines):
    path = tmp_path.parent / f"{tmp_path.name}-goals.yaml"
    path.write_text("name: test\ncitation: Nelms et al. 2015\ngoals:\n"
                    + "".join(f"  - {line}\n" for line in lines), encoding="utf-8")
    return str(path)


def test_all_mandatory_pass_exits_0_and_csv_has_the_columns(nelms_folder, capsys):
    goals = _goals(nelms_folder, "'Cylinder_20_0: Dmax < 29.5 Gy'",
                   "{structure: Cylinder_20_0, goal: Dmean < 15 Gy, priority: optimal}")
    assert main(["goals", str(nelms_folder), "--goals", goals, "--csv"]) == 0
    captured = capsys.readouterr()
    assert "structure model slab" in captured.err
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert tuple(rows[0]) == GOAL_COLUMNS
    assert [r["status"] for r in rows] == ["pass", "fail"]  # Dmean is 16 Gy (truth)
    assert float(rows[0]["value"]) == pytest.approx(29.0, rel=0.01)
    assert float(rows[0]["margin"]) == pytest.approx(0.5, abs=0.3)


def test_a_failing_mandatory_goal_exits_1(nelms_folder, capsys):
    goals = _goals(nelms_folder, "'Cylinder_20_0: Dmean < 15 Gy'")
    assert main(["goals", str(nelms_folder), "--goals", goals, "--json"]) == 1
    result = json.loads(capsys.readouterr().out)["results"][0]
    assert result["status"] == "fail" and result["value"] == pytest.approx(16.0, rel=0.01)
    assert result["structure_model"] == "slab"


def test_usage_errors_exit_2(nelms_folder, tmp_path, capsys):
    assert main(["goals", str(nelms_folder), "--goals", "no-such-set"]) == 2
    assert "no shipped set" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["goals", str(empty), "--goals", "quantec"]) == 2


def test_the_users_synonym_file_matches_a_structure(nelms_folder, tmp_path, monkeypatch,
                                                    capsys):
    config = tmp_path / "config"
    config.mkdir()
    (config / "synonyms.yaml").write_text("synonyms:\n  SpinalCord: [Cylinder_20_0]\n",
                                          encoding="utf-8")
    monkeypatch.setenv("RTVIEWER_CONFIG_DIR", str(config))
    goals = _goals(nelms_folder, "'SpinalCord: Dmax < 29.5 Gy'")
    assert main(["goals", str(nelms_folder), "--goals", goals, "--json"]) == 0
    captured = capsys.readouterr()
    assert "synonyms from" in captured.err
    result = json.loads(captured.out)["results"][0]
    assert result["roi"] == "Cylinder_20_0"
    assert result["match"] == "synonym 'Cylinder_20_0' → SpinalCord"
