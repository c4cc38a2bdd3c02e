"""The wheel `pip install .` builds carries the entry points and the resources."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rtviewer import desktop

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_has_both_commands_and_every_resource(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path),
         str(REPO)],
        check=True, capture_output=True, text=True, timeout=600,
    )
    (wheel,) = tmp_path.glob("rtviewer-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = archive.read(entry_points).decode()
    assert "[console_scripts]\nrtviewer = rtviewer.cli:main" in scripts
    assert "[gui_scripts]\nrtviewerw = rtviewer.app:main" in scripts
    expected = {"rtviewer.desktop", "rtviewer-mime.xml", "rtviewer.svg"}
    expected |= {f"rtviewer-{size}.png" for size in desktop.ICON_SIZES}
    assert {f"rtviewer/resources/{name}" for name in expected} <= names
    assert "rtviewer/py.typed" in names
