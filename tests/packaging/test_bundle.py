"""Build the PyInstaller one-folder bundle and run it (RTVIEWER_TEST_BUNDLE=1 only).

Takes about a minute on two cores: ``RTVIEWER_TEST_BUNDLE=1 ./run-tests -m bundle``.
Needs the ``packaging`` extra (PyInstaller).
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.bundle,
    pytest.mark.skipif(os.environ.get("RTVIEWER_TEST_BUNDLE") != "1",
                       reason="set RTVIEWER_TEST_BUNDLE=1 to build the PyInstaller bundle"),
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    pytest.importorskip("PyInstaller", reason="pip install -e '.[packaging]'")
    out = tmp_path_factory.mktemp("bundle")
    subprocess.run(
        [sys.executable, str(REPO / "packaging" / "build_bundle.py"),
         "--dist", str(out / "dist"), "--work", str(out / "work")],
        check=True, cwd=REPO,
    )
    folder = out / "dist" / "rtviewer"
    assert (folder / "rtviewer").is_file()
    return folder


def _run(bundle: Path, *args: str, home: Path) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",  # no virtual environment, no Python on the path
        "HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
        "RTVIEWER_CACHE_DIR": str(home / "cache"),
    }
    return subprocess.run([str(bundle / "rtviewer"), *args], env=env, capture_output=True,
                          text=True, timeout=300, cwd=home)


def test_bundle_reports_the_package_version(bundle, tmp_path):
    result = _run(bundle, "--version", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"rtviewer {version('rtviewer')}"


def test_bundle_carries_resources_and_pixel_plugins(bundle):
    internal = bundle / "_internal"
    assert (internal / "rtviewer" / "resources" / "rtviewer.desktop").is_file()
    assert (internal / "rtviewer" / "resources" / "rtviewer-256.png").is_file()
    # pylibjpeg finds its decoders through entry points: code AND metadata must be there.
    for package in ("openjpeg", "rle"):  # compiled decoders, in the package or beside it
        compiled = [p for p in internal.rglob("*") if p.suffix in (".so", ".pyd")
                    and package in p.name and (p.parent.name == package or p.parent == internal)]
        assert compiled, f"no compiled {package} decoder in the bundle"
    for dist in ("pylibjpeg_openjpeg", "pylibjpeg_rle"):
        (info,) = internal.glob(f"{dist}-*.dist-info")
        assert "pylibjpeg.pixel_data_decoders" in (info / "entry_points.txt").read_text()


@pytest.mark.parametrize(
    ("folder", "what"),
    [("dicompyler-core", "CT, structures and dose"),
     ("orthanc-tests/Comunix_PETCT", "JPEG 2000 CT: needs the bundled openjpeg decoder")],
)
def test_bundle_renders_a_view_offscreen(bundle, corpus, tmp_path, folder, what):
    commands = _run(bundle, "--help", home=tmp_path).stdout
    if "render" not in commands:
        pytest.skip("this build has no `rtviewer render` yet; the scan test covers the corpus")
    out = tmp_path / "axial.png"
    result = _run(bundle, "render", str(corpus / folder), "--view", "axial",
                  "--size", "400x400", "--out", str(out), home=tmp_path)
    assert result.returncode == 0, f"{what}: {result.stderr}"
    png = out.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (400, 400)
    assert _grey_spread(out) > 20, f"{what}: the rendered slice is blank"


def _grey_spread(png: Path) -> float:
    """Standard deviation of the grey levels in the central quarter (a blank view is ~0)."""
    from PySide6 import QtGui  # reading the PNG only; the bundle rendered it

    image = QtGui.QImage(str(png)).convertToFormat(QtGui.QImage.Format.Format_Grayscale8)
    width, height = image.width(), image.height()
    values = [image.pixelColor(x, y).value()
              for y in range(height // 4, 3 * height // 4, 4)
              for x in range(width // 4, 3 * width // 4, 4)]
    mean = sum(values) / len(values)
    return (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5


def test_bundle_runs_a_headless_command_on_the_corpus(bundle, corpus, tmp_path):
    folder = corpus / "dicompyler-core"
    result = _run(bundle, "scan", str(folder), "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["root"] == str(folder)
    modalities = {s["modality"] for p in document["patients"] for st in p["studies"]
                  for s in st["series"]}
    assert {"CT", "RTSTRUCT", "RTPLAN", "RTDOSE"} <= modalities
