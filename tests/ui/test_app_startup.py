"""Start-up: errors reach a dialog and the log file; About; macOS file-open events; settings."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6 import QtCore, QtGui, QtWidgets

import rtviewer.app
from rtviewer import __version__
from rtviewer.ui.window import about, settings_store, startup
from rtviewer.ui.window.file_open import FileOpenFilter


@pytest.fixture
def log_dir(tmp_path, monkeypatch):
    folder = tmp_path / "logs"
    monkeypatch.setenv("RTVIEWER_LOG_DIR", str(folder))
    yield folder
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "baseFilename", "").startswith(str(tmp_path)):
            root.removeHandler(handler)
            handler.close()


def test_a_start_up_failure_is_logged_and_shown(qapp, log_dir, monkeypatch):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "critical",
                        lambda parent, title, text: shown.append((title, text)))

    def broken_window(paths, log_path, demo=False, lesson=None, prefetch=None):
        raise RuntimeError("no usable OpenGL context")

    monkeypatch.setattr(rtviewer.app, "_run_window", broken_window)

    assert rtviewer.app.main(["/data/export"]) == 1

    log_text = (log_dir / "rtviewer.log").read_text()
    assert f"rtviewer {__version__} starting with ['/data/export']" in log_text
    assert "Traceback" in log_text and "no usable OpenGL context" in log_text
    ((title, text),) = shown
    assert title == "rtviewer could not start"
    assert "RuntimeError: no usable OpenGL context" in text
    assert str(log_dir / "rtviewer.log") in text


def test_uncaught_exceptions_in_slots_are_logged_and_shown(qapp, log_dir, monkeypatch):
    import sys

    shown: list[str] = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "critical",
                        lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    from rtviewer.logfile import configure_logging

    log_path = configure_logging()
    startup.install_excepthook(log_path)
    try:
        raise ValueError("dose grid has no frames")
    except ValueError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert "dose grid has no frames" in log_path.read_text()
    assert shown and str(log_path) in shown[0]


def test_configure_logging_is_idempotent(log_dir):
    from rtviewer.logfile import configure_logging

    first = configure_logging()
    second = configure_logging()
    assert first == second == log_dir / "rtviewer.log"
    handlers = [h for h in logging.getLogger().handlers
                if getattr(h, "baseFilename", "") == str(first)]
    assert len(handlers) == 1


def test_ctrl_c_timer_keeps_python_responsive(qapp):
    import signal

    previous = signal.getsignal(signal.SIGINT)
    try:
        timer = startup.install_sigint_handler(qapp)
        assert timer.isActive() and timer.interval() == startup.SIGINT_POLL_MS
        assert signal.getsignal(signal.SIGINT) is not previous
        timer.stop()
    finally:
        signal.signal(signal.SIGINT, previous)


def test_application_icon_has_every_size(qapp):
    icon = startup.application_icon()
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert {(16, 16), (48, 48), (256, 256)} <= sizes


def test_about_names_version_licence_and_conformance():
    import PySide6

    html = about.about_html()
    # the running PySide6, whatever its wheel's distribution name (PySide6_Essentials)
    assert f"PySide6 {PySide6.__version__}" in html and "not installed" not in html
    assert f"rtviewer {__version__}" in html
    assert "MIT License" in html
    summary = about.conformance_summary()
    for kind in ("RT Structure Set", "RT Plan", "RT Ion Plan", "RT Dose", "RT Image"):
        assert kind in summary
    assert "Knows 31 standard Storage SOP Classes" in summary


def test_help_about_action_opens_the_about_box(qtbot, monkeypatch):
    window = QtWidgets.QMainWindow()
    qtbot.addWidget(window)
    window.menuBar().addMenu("&Help")
    shown: list[str] = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "about",
                        lambda parent, title, text: shown.append(text))
    action = about.add_about_action(window.menuBar())
    help_menus = [a for a in window.menuBar().actions() if a.text() == "&Help"]
    assert len(help_menus) == 1, "an existing Help menu is reused"
    assert action in help_menus[0].menu().actions()
    action.trigger()
    assert shown and __version__ in shown[0]


def test_file_open_events_before_and_after_the_window_exists(qapp, tmp_path):
    events = FileOpenFilter()
    qapp.installEventFilter(events)
    opened: list[str] = []
    try:
        early = tmp_path / "export"
        QtCore.QCoreApplication.sendEvent(qapp, QtGui.QFileOpenEvent(str(early)))
        assert opened == []
        events.set_handler(opened.append)
        assert opened == [str(early)]
        late = QtCore.QUrl.fromLocalFile(str(tmp_path / "dose.dcm"))
        QtCore.QCoreApplication.sendEvent(qapp, QtGui.QFileOpenEvent(late))
        assert opened == [str(early), str(tmp_path / "dose.dcm")]
    finally:
        qapp.removeEventFilter(events)


@pytest.fixture
def settings(tmp_path):
    return QtCore.QSettings(str(tmp_path / "rtviewer.ini"), QtCore.QSettings.Format.IniFormat)


def test_recent_folders_first_run_dedupe_and_limit(settings, tmp_path):
    recent = settings_store.RecentFolders(settings, limit=3)
    assert recent.paths() == []  # first run: nothing configured, nothing fails
    folders = []
    for name in "abcd":
        (tmp_path / name).mkdir()
        folders.append(str(tmp_path / name))
        recent.add(tmp_path / name)
    recent.add(tmp_path / "b")
    assert recent.paths() == [folders[1], folders[3], folders[2]]
    (tmp_path / "d").rmdir()
    settings.sync()
    reread = settings_store.RecentFolders(
        QtCore.QSettings(settings.fileName(), QtCore.QSettings.Format.IniFormat))
    assert reread.paths() == [folders[1], folders[2]], "vanished folders are not offered"


def test_single_recent_folder_survives_the_ini_round_trip(settings, tmp_path):
    settings_store.RecentFolders(settings).add(tmp_path)
    settings.sync()
    again = QtCore.QSettings(settings.fileName(), QtCore.QSettings.Format.IniFormat)
    assert settings_store.RecentFolders(again).paths() == [str(tmp_path)]


def test_window_layout_round_trip(qtbot, settings):
    window = QtWidgets.QMainWindow()
    qtbot.addWidget(window)
    assert not settings_store.restore_window_layout(window, settings)  # first run
    # ... which fills the screen (the default 1100 x 750 left most of it unused)
    area = window.screen().availableGeometry()
    assert window.geometry() == area and window.isMaximized()
    window.setWindowState(QtCore.Qt.WindowState.WindowNoState)
    window.resize(640, 480)
    window.show()
    settings_store.save_window_layout(window, settings)
    other = QtWidgets.QMainWindow()
    qtbot.addWidget(other)
    assert settings_store.restore_window_layout(other, settings)
    assert (other.width(), other.height()) == (640, 480)
    assert Path(settings.fileName()).is_file()
