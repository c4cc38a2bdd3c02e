"""GUI composition root: ``rtviewer`` with no command, ``rtviewer open PATH...``, ``rtviewerw``."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from rtviewer.ui.workers.prefetch import Prefetch

log = logging.getLogger("rtviewer.app")


def main(paths: Sequence[str] | None = None, *, demo: bool = False,
         lesson: str | None = None) -> int:
    """Open the main window on ``paths`` (folders or files); return the exit status.

    A start-up failure is logged to the user's log file and shown in a dialog
    (:mod:`rtviewer.logfile`); a second launch hands its paths to the running
    window and exits (:mod:`rtviewer.ui.window.single_instance`). ``demo``: generate the
    teaching patients behind a progress bar once the window shows, then open them.
    ``lesson``: a lesson file (``*.rtlesson.yaml``) opened in the Lesson dock.
    Where Qt's X11 libraries are missing, says which package line fixes it and
    returns 1 before Qt could abort (:mod:`rtviewer.qt_platform`).
    """
    if paths is None:
        paths = sys.argv[1:]
    from rtviewer.printable import install_log_escaping

    install_log_escaping()  # labels and AE titles from files and peers reach the log
    from rtviewer import __version__
    from rtviewer.logfile import configure_logging

    log_path = configure_logging()
    log.info("rtviewer %s starting with %s", __version__, list(paths))
    from rtviewer.ui.window.instance_link import hand_over

    if hand_over([*paths, *([lesson] if lesson else [])]):  # no Qt, no start-up loader
        log.info("handed %s to the running rtviewer window", list(paths))
        return 0
    prefetch = _start_prefetch(paths, demo, lesson)  # before Qt: no thread exists yet
    try:
        from rtviewer.qt_platform import platform_problem

        problem = platform_problem()
        if problem is not None:
            log.error("%s", problem)
            print(f"rtviewer: {problem}", file=sys.stderr)
            return 1
        return _run_window(list(paths), log_path, demo, lesson, prefetch)
    except Exception as exc:
        log.exception("rtviewer could not start")
        from rtviewer.ui.window.startup import report_startup_error

        report_startup_error(exc, log_path)
        return 1
    finally:
        if prefetch is not None:  # a second launch, a failure, or what was not taken
            prefetch.cancel()


def _start_prefetch(paths: Sequence[str], demo: bool, lesson: str | None) -> Prefetch | None:
    """The start-up loader of the one folder the window opens on, or None.

    Only for one path and nothing else to open: with several, each scan shows its
    folder in turn, and the demo and lessons choose what they show later.
    """
    if len(paths) != 1 or demo or lesson:
        return None
    from rtviewer.ui.workers.prefetch import start

    return start(paths[0])


def _run_window(paths: list[str], log_path: Path | None, demo: bool = False,
                lesson: str | None = None, prefetch: Prefetch | None = None) -> int:
    """Create the application and the window, wire desktop integration, run the loop.

    ``prefetch``: the start-up loader reading ``paths[0]``
    (:mod:`rtviewer.ui.workers.prefetch`), whose results the window's scan and load take.
    """
    # Import PySide6 before pyqtgraph so pyqtgraph binds to it, not another Qt.
    from PySide6 import QtWidgets  # noqa: I001
    from rtviewer.ui.window import startup

    startup.quicken_pyside_imports()  # before the ~350 modules imported from here on
    pg = startup.import_pyqtgraph()
    pg.setConfigOptions(imageAxisOrder="row-major", useOpenGL=False)
    from rtviewer.ui.window import settings_store, single_instance
    from rtviewer.ui.window.file_open import FileOpenFilter

    startup.frozen_guards()
    app = cast(QtWidgets.QApplication,  # instance() is typed as the QCoreApplication base
               QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]]))
    app.setApplicationName("rtviewer")
    app.setOrganizationName("rtviewer")
    app.setDesktopFileName("rtviewer")  # matches resources/rtviewer.desktop (Wayland, X11)
    app.setWindowIcon(startup.application_icon())
    file_open = FileOpenFilter(app)  # macOS: Finder and Dock hand paths over as events
    app.installEventFilter(file_open)
    server = single_instance.claim_or_forward([*paths, *([lesson] if lesson else [])])
    if server is None:
        log.info("handed %s to the running rtviewer window", paths)
        return 0
    window, controller, open_path = build_window(opening=bool(paths) or demo or bool(lesson))
    window.prefetch = prefetch
    startup.install_excepthook(log_path, lambda: window)
    server.paths_received.connect(
        lambda more: single_instance.offer_to_open(window, more, open_path))
    file_open.set_handler(open_path)
    settings_store.restore_window_layout(window)
    app.aboutToQuit.connect(lambda: settings_store.save_window_layout(window))
    _sigint_timer = startup.install_sigint_handler(app)  # noqa: F841 (keep it alive)
    window.show()
    for path in paths:
        open_path(path)
    demo_worker = None
    if demo:
        from rtviewer.ui.window.demo_loader import open_demo_when_ready

        demo_worker = open_demo_when_ready(window, open_path)
    if lesson:  # its steps open the data they name (the demo on demand)
        window.lessons.open_file(lesson)
    log.info("window shown; Ctrl-C in the terminal quits")
    try:
        return int(app.exec())
    finally:
        _stop_workers(controller, demo_worker)


def build_window(*, opening: bool) -> tuple[Any, Any, Callable[[str], object]]:
    """The main window with its viewer and menus: ``(window, controller, open_path)``.

    The composition ``rtviewer`` shows, also used by the window screenshots
    (``docs/screenshots/window_shots.py``) so that they show the real window.
    ``opening``: a folder will be opened at once (the late menus wait for its image).
    """
    from rtviewer.ui.window import recent_menu
    from rtviewer.ui.window.main_window import MainWindow
    from rtviewer.ui.window.viewer_controller import attach_viewer

    window = MainWindow()
    controller = attach_viewer(window)  # the viewer, with the patient tree docked beside it
    from rtviewer.ui.window.plan_checks_dock import attach_plan_checks

    attach_plan_checks(window, controller)  # View → Plan checks: the plan on screen reviewed
    open_path = _logged_opener(window)
    from rtviewer.ui.window.lesson_player import attach_lessons
    from rtviewer.ui.window.presenter import attach_presenter

    attach_lessons(window, controller, open_path)  # Help → Lessons, --lesson FILE
    attach_presenter(window)  # View → Presenter mode (F5)
    recent_menu.add_recent_menu(window, window.scan_finished, open_path)
    _after_first_image(controller, opening, lambda: _add_late_menus(window))
    return window, controller, open_path


def _stop_workers(controller: Any, demo_worker: Any = None) -> None:
    """Join the window's threads and every worker process (Quit, Ctrl-C, SIGTERM, close)."""
    from rtviewer.process_pool import close_all_pools

    if demo_worker is not None:  # stops at its next step; the partial demo is removed
        demo_worker.cancel_and_wait()
    controller.shutdown()
    close_all_pools()  # the DVH workers, the folder scan's readers
    log.info("worker threads and processes stopped")


def _add_late_menus(window: Any) -> None:
    """Network menu and Help, in their menu-bar order.

    Added on the GUI thread just after the first image, so nothing heavy is imported
    here: the network (pynetdicom, pydicom), the About box's SOP Class table and the
    built-in lessons' titles (PyYAML) load when first used (about 0.5 s of imports that
    kept the window from answering right after its first image).
    """
    from rtviewer.net.service import NetworkService
    from rtviewer.ui.window import help_menu  # About lists the SOP classes: pydicom's tables
    from rtviewer.ui.window.lesson_player import add_lessons_menu
    from rtviewer.ui.window.network_panel import attach_network

    attach_network(window, NetworkService())  # Network menu: receive, query/retrieve, send
    menu = help_menu.add_help_actions(window.menuBar())  # Keyboard and mouse, User guide, About
    add_lessons_menu(window, menu)  # the built-in lessons, a lesson file, a new lesson


def _after_first_image(controller: Any, opening: bool, action: Callable[[], None]) -> None:
    """Run ``action`` once the first image is on screen (or at once with nothing to open).

    What the first image does not need waits: the user sees the patient sooner.
    A timer bounds the wait when the folder holds nothing to show.
    """
    from PySide6 import QtCore

    done: list[bool] = []

    def run_once(*_args: object) -> None:
        if not done:
            done.append(True)
            action()

    if opening:
        controller.loaded.connect(run_once)
        # a folder with nothing to load (RT Images alone, nothing DICOM) shows what it has
        # when its scan ends: the menus then, not after the 4 s bound
        controller.window.scan_finished.connect(lambda *_: QtCore.QTimer.singleShot(
            0, lambda: None if controller.loading else run_once()))
        QtCore.QTimer.singleShot(_LATE_MENUS_MS, run_once)
    else:
        QtCore.QTimer.singleShot(0, run_once)


#: Longest wait for the first image before the late menus are added anyway (ms).
_LATE_MENUS_MS = 4000


def _logged_opener(window: object) -> Callable[[str], object]:
    from rtviewer.ui.window.desktop_open import open_from_desktop

    def open_path(path: str) -> object:
        from rtviewer.view.lesson_name import is_lesson_file

        log.info("opening %s", path)
        if is_lesson_file(path):  # a double-clicked lesson, a second launch's --lesson
            return window.lessons.open_file(path)  # type: ignore[attr-defined]
        return open_from_desktop(window, path)  # type: ignore[arg-type]

    return open_path
