"""``rtviewer render`` as a user runs it: defaults stated on stderr, PNG + JSON, exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def _run(*args, env_extra=None):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "rtviewer", "render", *args],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.corpus
def test_render_states_its_defaults_and_writes_png_and_json(tmp_path, corpus):
    out = tmp_path / "axial.png"
    result = _run(str(corpus / "dicompyler-core"), "--out", str(out), "--view", "axial",
                  "--size", "400x300")
    assert result.returncode == 0, result.stderr
    stderr = result.stderr
    assert "patient '123456'" in stderr and "RTPLAN rtplan.dcm" in stderr
    assert "dose: rtdose.dcm, the plan's PLAN dose" in stderr
    assert "plan isocentre" in stderr and "reference dose 14 Gy" in stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    doc = json.loads(out.with_suffix(".json").read_text())
    assert doc["size_px"] == [400, 300]
    affine = doc["views"]["axial"]["pixel_to_patient_mm"]
    assert len(affine) == 3 and len(affine[0]) == 3
    assert result.stdout.strip() == str(out)


def test_render_exits_2_with_one_line_when_nothing_is_renderable(tmp_path):
    folder = tmp_path / "no-dicom"
    folder.mkdir()
    (folder / "notes.txt").write_text("not DICOM\n")
    result = _run(str(folder), "--out", str(tmp_path / "x.png"))
    assert result.returncode == 2
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("rtviewer render:")]
    assert len(lines) == 1 and "nothing renderable" in lines[0]
    assert not (tmp_path / "x.png").exists()


@pytest.mark.corpus
def test_a_folder_of_rt_images_alone_renders_the_rt_image_view(tmp_path, corpus):
    # Issue 14 point 8: RT Images without a plan or volume are shown, not refused.
    out = tmp_path / "x.png"
    result = _run(str(corpus / "pylinac"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "view rtimage" in result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.corpus
def test_a_plan_only_folder_renders_its_beams_eye_view(tmp_path, corpus):
    # pymedphys holds four Elekta plans and nothing else: no CT, structures or dose.
    out = tmp_path / "bev.png"
    result = _run(str(corpus / "pymedphys"), "--out", str(out), "--view", "bev",
                  "--size", "300x300")
    assert result.returncode == 0, result.stderr
    assert "starting from RTPLAN" in result.stderr
    doc = json.loads(out.with_suffix(".json").read_text())
    assert doc["size_px"] == [300, 300]


def test_render_exits_2_for_a_missing_path(tmp_path):
    result = _run(str(tmp_path / "absent"), "--out", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert result.stderr.strip().startswith("rtviewer render:")


def test_render_does_not_import_qt_for_help():
    code = ("import sys, rtviewer.cli as c; c.build_parser(); "
            "print('PySide6' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "False"
