"""``rtviewer export``: exit statuses, check and DVH of the exported folder, free-text review."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pydicom
import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.corpus


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rtviewer", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=600)


def _errors(folder: Path) -> Counter:
    out = _run("check", str(folder), "--json")
    doc = json.loads(out.stdout)
    return Counter(f["code"] for f in doc["findings"] if f["severity"] == "error")


def _dvh_rows(folder: Path) -> list[dict]:
    out = _run("dvh", str(folder), "--csv", "-")
    assert out.returncode == 0, out.stderr
    return list(csv.DictReader(io.StringIO(out.stdout)))


@pytest.fixture(scope="module")
def exported(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "case"
    run = _run("export", str(corpus / "dicompyler-core" / "rtdose.dcm"), "--out", str(out),
               "--anonymise", "--zip")
    return out, run


def test_dose_exports_its_chain_verified(exported):
    out, run = exported
    assert run.returncode == 0, run.stderr
    assert "verified: no original identifier in 4 files" in run.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["anonymised"] and manifest["private_tags"] == "dropped"
    assert sorted(e["kind"] for e in manifest["files"]) == ["image", "rtdose", "rtplan",
                                                            "rtstruct"]
    assert all((out / e["file"]).is_file() for e in manifest["files"])
    assert "source" not in manifest["files"][0]  # a source path can name the patient
    assert out.with_suffix(".zip").is_file()


def test_check_has_no_new_error_and_dvh_is_identical(exported, corpus):
    out, _ = exported
    source = corpus / "dicompyler-core"
    assert not (_errors(out) - _errors(source))
    assert _dvh_rows(out) == _dvh_rows(source)


def test_leak_exits_1_naming_file_and_tag(corpus, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    ds = pydicom.dcmread(corpus / "dicompyler-core" / "rtplan.dcm")
    ds.private_block(0x0011, "RTVIEWER TEST", create=True).add_new(0x01, "LO",
                                                                     str(ds.PatientName))
    ds.save_as(src / "plan.dcm")
    run = _run("export", str(src), "--out", str(tmp_path / "out"), "--anonymise",
               "--keep-private")
    assert run.returncode == 1
    assert "LEAK:" in run.stderr and "(0011,1001)" in run.stderr and ".dcm" in run.stderr


def test_refusals(corpus, tmp_path):
    inside = _run("export", str(corpus / "dicompyler-core"), "--out",
                  str(corpus / "dicompyler-core" / "anon"))
    assert inside.returncode == 2 and "inside the source" in inside.stderr
    assert not (corpus / "dicompyler-core" / "anon").exists()
    plain = _run("export", str(corpus / "dicompyler-core"), "--out", str(tmp_path / "o"),
                 "--patient-id", "X")
    assert plain.returncode == 2 and "need --anonymise" in plain.stderr
    zero = _run("export", str(corpus / "dicompyler-core"), "--out", str(tmp_path / "o"),
                "--anonymise", "--date-shift", "0")
    assert zero.returncode == 2 and "original dates" in zero.stderr


def test_list_text_then_text_map(corpus, tmp_path):
    listed = _run("export", str(corpus / "dicompyler-core"), "--out", str(tmp_path / "o"),
                  "--list-text")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert {"keyword": "ROIName", "value": "Scar", "count": 1} in rows
    assert not (tmp_path / "o").exists()
    for row in rows:
        if row["value"] == "Scar":
            row["new"] = "Tumour bed"
    (tmp_path / "map.json").write_text(json.dumps(rows))
    run = _run("export", str(corpus / "dicompyler-core"), "--out", str(tmp_path / "o"),
               "--anonymise", "--text-map", str(tmp_path / "map.json"), "--date-shift", "-90")
    assert run.returncode == 0, run.stderr
    names = {r.ROIName for f in (tmp_path / "o").glob("*.dcm")
             for r in pydicom.dcmread(f).get("StructureSetROISequence", [])}
    assert "Tumour bed" in names and "Scar" not in names
