"""First run as a newcomer: the demo behind a progress bar, the Qt libraries checked first."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from exit_checks import kill_marked, left_behind, marked_env, needs_proc
from testsupport import REPO_ROOT

from rtviewer import __version__, qt_platform
from rtviewer.demo import generate

HANG_S = 600  # hang detection only (generation takes a minute on a loaded machine)


def test_the_demo_is_generated_behind_a_progress_bar_then_opened(qtbot, monkeypatch,
                                                                 _isolated_cache):
    import threading

    from PySide6 import QtWidgets

    from rtviewer.ui.window import demo_loader
    from rtviewer.ui.window.demo_loader import open_demo_when_ready

    steps: list[tuple[int, int, str, bool]] = []
    shown = demo_loader._DemoBar.step

    def spy(bar, done, total, what):  # in the GUI thread, queued from the worker
        steps.append((done, total, what, threading.current_thread() is threading.main_thread()))
        shown(bar, done, total, what)

    monkeypatch.setattr(demo_loader._DemoBar, "step", spy)

    def fake_generate(out_dir, *, progress=None, **_):
        for done, what in enumerate(generate.STEPS):
            progress(done, len(generate.STEPS), what)
        (Path(out_dir) / "RTV-DEMO").mkdir(parents=True)
        (Path(out_dir) / "RTV-DEMO" / "x.dcm").write_bytes(b"DICM")
        progress(len(generate.STEPS), len(generate.STEPS), "done")
        return []

    monkeypatch.setattr(generate, "generate_demo", fake_generate)
    window = QtWidgets.QMainWindow()
    qtbot.addWidget(window)
    opened: list[str] = []
    open_demo_when_ready(window, opened.append)
    bar = window.statusBar().findChild(QtWidgets.QProgressBar, "demoProgress")
    assert bar is not None and "first run only" in bar.format()
    qtbot.waitUntil(lambda: bool(opened), timeout=60_000)
    total = len(generate.STEPS)
    assert steps == [(n, total, what, True) for n, what in
                     enumerate((*generate.STEPS, "done"))]
    assert opened == [str(generate.cached_demo_dir())]
    assert (generate.cached_demo_dir() / "RTV-DEMO" / "x.dcm").is_file()
    qtbot.waitUntil(lambda: window.statusBar().findChild(QtWidgets.QProgressBar,
                                                         "demoProgress") is None)


def test_a_failed_generation_is_said_and_leaves_no_bar(qtbot, monkeypatch, _isolated_cache):
    from PySide6 import QtWidgets

    from rtviewer.ui.window.demo_loader import open_demo_when_ready

    def broken(out_dir, **_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(generate, "generate_demo", broken)
    warned: list[str] = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "warning",
                        lambda _parent, _title, text: warned.append(text))
    window = QtWidgets.QMainWindow()
    qtbot.addWidget(window)
    open_demo_when_ready(window, lambda folder: pytest.fail("opened " + folder))
    qtbot.waitUntil(lambda: bool(warned), timeout=60_000)
    assert "No space left on device" in warned[0]
    assert not generate.cached_demo_dir().exists()


@needs_proc
@pytest.mark.slow
def test_first_demo_run_shows_the_window_before_the_demo_exists(tmp_path):
    cache = tmp_path / "cache"
    env, mark = marked_env(HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="offscreen",
                           RTVIEWER_LOG_DIR=str(tmp_path / "log"),
                           RTVIEWER_CACHE_DIR=str(cache))
    log = tmp_path / "log" / "rtviewer.log"
    demo = cache / "demo" / __version__
    proc = subprocess.Popen([sys.executable, "-m", "rtviewer", "--demo"], env=env,
                            cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + HANG_S
        while not (log.is_file() and "window shown" in log.read_text()):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        assert not demo.exists()  # the window came first
        while f"opening {demo}" not in log.read_text():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(HANG_S) == 0
        assert len(list(demo.rglob("*.dcm"))) > 100
        assert left_behind(mark) == []
    finally:
        proc.kill()
        proc.wait()
        kill_marked(mark)


LDD_WITHOUT_CURSOR = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => /lib/x86_64-linux-gnu/libxcb-icccm.so.4 (0x00007f)
\tlibxcb-cursor.so.0 => not found
\tlibfoo-unknown.so.3 => not found
"""


def test_missing_qt_libraries_become_one_apt_get_line():
    missing = qt_platform.parse_ldd(LDD_WITHOUT_CURSOR)
    assert missing == ["libxcb-cursor.so.0", "libfoo-unknown.so.3"]
    hint = qt_platform.install_hint(missing)
    lines = hint.splitlines()
    assert "libxcb-cursor.so.0" in lines[0]
    assert [ln for ln in lines if "apt-get" in ln] == [
        "On Debian/Ubuntu: sudo apt-get install libxcb-cursor0"]
    assert "libfoo-unknown.so.3" in lines[-1]


def test_the_xcb_plugin_is_checked_only_when_qt_would_use_it():
    if not sys.platform.startswith("linux"):
        pytest.skip("the xcb plugin exists on Linux only")
    assert qt_platform.uses_xcb({})
    assert qt_platform.uses_xcb({"QT_QPA_PLATFORM": "xcb"})
    assert not qt_platform.uses_xcb({"QT_QPA_PLATFORM": "offscreen"})
    assert not qt_platform.uses_xcb({"WAYLAND_DISPLAY": "wayland-0"})
    assert qt_platform.platform_problem({"QT_QPA_PLATFORM": "offscreen"}) is None


def test_the_missing_libraries_are_those_the_dynamic_loader_cannot_load():
    import ctypes

    plugin = qt_platform.xcb_plugin()
    if plugin is None:
        pytest.skip("PySide6 has no xcb platform plugin here")
    missing = qt_platform.missing_libraries(plugin)
    for name in qt_platform.DEBIAN_PACKAGES:
        try:
            ctypes.CDLL(name)
        except OSError:
            loads = False
        else:
            loads = True
        if name in missing:
            assert not loads, f"{name} loads, yet was reported missing"


def test_the_window_refuses_to_start_with_the_fix_instead_of_a_core_dump(
        monkeypatch, tmp_path, capsys):
    import rtviewer.app

    monkeypatch.setenv("RTVIEWER_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(qt_platform, "missing_libraries", lambda _plugin: ["libxcb-cursor.so.0"])
    monkeypatch.setattr(qt_platform, "uses_xcb", lambda _env: True)
    if qt_platform.xcb_plugin() is None:
        pytest.skip("PySide6 has no xcb platform plugin here")
    assert rtviewer.app.main([]) == 1
    err = capsys.readouterr().err
    assert "sudo apt-get install libxcb-cursor0" in err
    assert os.environ.get("QT_QPA_PLATFORM") is not None  # the suite's own Qt untouched


def test_on_this_machine_missing_x11_libraries_are_named_with_their_package(tmp_path):
    plugin = qt_platform.xcb_plugin()
    if plugin is None:
        pytest.skip("PySide6 has no xcb platform plugin here")
    missing = qt_platform.missing_libraries(plugin)
    if not missing:
        pytest.skip("every library of the xcb plugin is installed: nothing to refuse")
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": ":99",
           "RTVIEWER_LOG_DIR": str(tmp_path)}
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run([sys.executable, "-m", "rtviewer"], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=HANG_S)
    assert done.returncode == 1  # not a Qt abort (-6, core dump)
    packages = sorted({qt_platform.DEBIAN_PACKAGES[m] for m in missing})
    assert f"sudo apt-get install {' '.join(packages)}" in done.stderr
