"""Every generated file passes dicom3tools' dciodvfy without errors."""

from __future__ import annotations

import shutil
import subprocess

import pytest

DCIODVFY = shutil.which("dciodvfy")


@pytest.mark.skipif(DCIODVFY is None, reason="dciodvfy (Debian package dicom3tools) not installed")
def test_dciodvfy_reports_no_errors(demo_run):
    _, files, _ = demo_run
    errors = []
    for path in files:
        run = subprocess.run([DCIODVFY, str(path)], capture_output=True, text=True, check=False)
        lines = (run.stdout + run.stderr).splitlines()
        errors += [f"{path.parent.name}/{path.name}: {line}" for line in lines
                   if line.startswith("Error")]
    assert errors == []
