"""Linux desktop integration: the shipped entry, install/uninstall for one user."""

from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from rtviewer import desktop

VALIDATE = shutil.which("desktop-file-validate")


def _entry(text: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive in desktop entries
    parser.read_string(text)
    return parser["Desktop Entry"]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def _validate(path: Path) -> None:
    if VALIDATE is None:
        pytest.skip("desktop-file-validate not installed (Debian: desktop-file-utils)")
    result = subprocess.run([VALIDATE, str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_shipped_entry_opens_folders_and_dicom_files():
    text = resources.files("rtviewer.resources").joinpath("rtviewer.desktop").read_text()
    entry = _entry(text)
    assert entry["Exec"] == "rtviewer %F"
    assert entry["MimeType"] == "inode/directory;application/dicom;application/x-rtviewer-lesson;"
    assert entry["Icon"] == "rtviewer"
    assert entry["Terminal"] == "false"


def test_shipped_entry_passes_desktop_file_validate(tmp_path):
    shipped = resources.files("rtviewer.resources").joinpath("rtviewer.desktop")
    copy = tmp_path / "rtviewer.desktop"
    copy.write_bytes(shipped.read_bytes())
    _validate(copy)


def test_every_icon_size_is_shipped_at_its_size():
    shipped = resources.files("rtviewer.resources")
    for size in desktop.ICON_SIZES:
        with resources.as_file(shipped.joinpath(f"rtviewer-{size}.png")) as png:
            assert _png_size(png) == (size, size)


@pytest.mark.parametrize(
    ("arg", "quoted"),
    [
        ("/usr/bin/rtviewer", "/usr/bin/rtviewer"),
        ("/opt/rt viewer/rtviewer", '"/opt/rt viewer/rtviewer"'),
        ("/opt/a$b", '"/opt/a\\\\$b"'),  # \$ inside quotes, then \ escaped as \\
        ("/opt/100%/rtviewer", "/opt/100%%/rtviewer"),
        ("", '""'),
    ],
)
def test_exec_arguments_are_quoted_per_the_desktop_entry_spec(arg, quoted):
    assert desktop.quote_exec_argument(arg) == quoted


def test_install_then_uninstall_touches_only_our_files(tmp_path):
    data_home = tmp_path / "share"
    foreign = data_home / "applications" / "other.desktop"
    foreign.parent.mkdir(parents=True)
    foreign.write_text("[Desktop Entry]\nType=Application\nName=Other\nExec=other\n")
    launcher = ["/opt/rt viewer/bin/rtviewer"]

    change = desktop.install_desktop(data_home=data_home, argv=launcher)

    installed = data_home / "applications" / "rtviewer.desktop"
    assert installed in change.files and len(change.files) == 3 + len(desktop.ICON_SIZES)
    entry = _entry(installed.read_text())
    assert entry["Exec"] == '"/opt/rt viewer/bin/rtviewer" %F'
    assert entry["TryExec"] == "/opt/rt viewer/bin/rtviewer"
    assert entry["MimeType"] == "inode/directory;application/dicom;application/x-rtviewer-lesson;"
    _validate(installed)
    for size in desktop.ICON_SIZES:
        png = data_home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "rtviewer.png"
        assert _png_size(png) == (size, size)
    assert (data_home / "icons/hicolor/scalable/apps/rtviewer.svg").read_text().startswith("<?xml")
    mime = (data_home / "mime/packages/rtviewer-mime.xml").read_bytes()
    assert b"application/dicom" in mime
    assert b'<glob pattern="*.rtlesson.yaml"' in mime  # a double-clicked lesson opens here

    removed = desktop.uninstall_desktop(data_home=data_home)

    assert set(removed.files) == set(change.files)
    assert not any(p.exists() for p in change.files)
    assert foreign.is_file()


@pytest.mark.skipif(shutil.which("update-desktop-database") is None,
                    reason="update-desktop-database not installed (desktop-file-utils)")
def test_install_registers_rtviewer_for_folders_in_the_mime_cache(tmp_path):
    data_home = tmp_path / "share"
    change = desktop.install_desktop(data_home=data_home, argv=["/usr/bin/true"])
    assert "update-desktop-database" in change.tools_run
    cache = (data_home / "applications" / "mimeinfo.cache").read_text()
    assert "inode/directory=rtviewer.desktop;" in cache
    assert "application/dicom=rtviewer.desktop;" in cache
    assert "application/x-rtviewer-lesson=rtviewer.desktop;" in cache


def test_cli_installs_under_xdg_data_home(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    cmd = [sys.executable, "-m", "rtviewer", "--install-desktop"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    installed = tmp_path / "xdg" / "applications" / "rtviewer.desktop"
    assert str(installed) in out
    exec_argv0 = _entry(installed.read_text())["TryExec"]
    assert Path(exec_argv0).is_file(), "the entry must point at an existing launcher"
    cmd[-1] = "--uninstall-desktop"
    subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    assert not installed.exists()
    assert not (tmp_path / "home").exists(), "XDG_DATA_HOME wins over HOME"


def test_relative_xdg_data_home_is_ignored_as_the_spec_says(tmp_path):
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": "relative/share"}
    assert desktop.xdg_data_home(env) == tmp_path / ".local" / "share"
    env["XDG_DATA_HOME"] = str(tmp_path / "abs")
    assert desktop.xdg_data_home(env) == tmp_path / "abs"
