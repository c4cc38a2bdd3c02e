"""Start-up plumbing for the window: pyqtgraph, icon, Ctrl-C, error dialogs, frozen guards.

Called by the composition root (``rtviewer/app.py``) so that it stays a page of wiring.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
import re
import signal
import sys
import traceback
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from types import ModuleType, TracebackType

from PySide6 import QtCore, QtGui, QtWidgets

log = logging.getLogger(__name__)

#: How often the event loop yields to Python so Ctrl-C (SIGINT) is noticed.
SIGINT_POLL_MS = 200
#: pyqtgraph versions whose ``pyqtgraph/Qt/__init__.py`` was read for
#: :func:`import_pyqtgraph` (its mirror modules are empty, filled by ``_copy_attrs``).
MIRRORED_PYQTGRAPH = frozenset({"0.14.0"})


def import_pyqtgraph() -> ModuleType:
    """Import pyqtgraph, bound to PySide6, without making every Qt class at once.

    pyqtgraph keeps mirrors of QtCore, QtGui and QtWidgets and fills them by copying
    every name (``pyqtgraph.Qt._copy_attrs``); each ``getattr`` makes one of PySide6's
    lazily created classes with its enums: about 0.1 s of CPU (0.2-0.3 s wall on
    this shared machine) of the window's start, for classes it mostly never uses.
    Mirrors put in ``sys.modules`` first answer the copy's ``hasattr`` without making
    the class and forward a name on its first real use. Only for the pyqtgraph
    versions read (:data:`MIRRORED_PYQTGRAPH`); otherwise, or if that import fails,
    the plain import.
    """
    if "pyqtgraph" in sys.modules:
        return sys.modules["pyqtgraph"]
    mirrored = _pyqtgraph_version() in MIRRORED_PYQTGRAPH
    if mirrored:
        for name, source in (("QtCore", QtCore), ("QtGui", QtGui), ("QtWidgets", QtWidgets)):
            sys.modules[f"pyqtgraph.Qt.{name}"] = _QtMirror(f"pyqtgraph.Qt.{name}", source)
    try:
        import pyqtgraph
    except Exception:
        if not mirrored:
            raise
        log.warning("pyqtgraph with mirrored Qt modules failed; imported plainly",
                    exc_info=True)
        for name in [n for n in sys.modules if n.split(".")[0] == "pyqtgraph"]:
            del sys.modules[name]
        import pyqtgraph
    return pyqtgraph


def quicken_pyside_imports() -> None:
    """Let PySide6 tell cheaply whether a module imported after it names PySide6.

    For its opt-in ``from __feature__ import snake_case``, PySide6 looks at every module
    imported after it (``shibokensupport.feature.feature_imported``): a module whose
    source contains "PySide6" gets the default feature set, any other is ignored. It
    reads that source with ``inspect.getsource`` (through ``linecache``: decoded, split
    into lines and kept in memory), about 0.05 s of CPU for the ~350 modules the window
    imports before its first image. The same question answered from the file's bytes
    costs a fifth of that, with the same answer for every module with a ``.py`` file;
    any other module (built in, compiled, zipped, frozen) still goes to PySide6's check.
    Only where that check is the one read (it calls ``getsource`` and looks for
    "PySide6"); otherwise nothing is changed.
    """
    feature = sys.modules.get("shibokensupport.feature")
    check = getattr(feature, "_mod_uses_pyside", None)
    code = getattr(check, "__code__", None)
    if (feature is None or not callable(check) or code is None
            or "getsource" not in code.co_names or "PySide6" not in code.co_consts):
        return
    feature._mod_uses_pyside = functools.partial(  # type: ignore[attr-defined]
        _names_pyside, pyside_check=check)


def _names_pyside(module: ModuleType, *, pyside_check: Callable[[ModuleType], bool]) -> bool:
    """Whether ``module``'s source file contains "PySide6" (PySide6's own check otherwise)."""
    path = getattr(module, "__file__", None)
    if isinstance(path, str) and path.endswith(".py"):
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:  # not a file after all: PySide6's check says
            pass
    return pyside_check(module)


def _pyqtgraph_version() -> str | None:
    """Pyqtgraph's ``__version__``, read from its ``__init__.py`` before it is imported.

    Not from the package metadata: importing ``importlib.metadata`` for it cost about
    25 ms of the window's start. None where the file or the line is not there (a
    frozen app): then the plain import.
    """
    spec = importlib.util.find_spec("pyqtgraph")
    origin = spec.origin if spec is not None else None
    if origin is None or not origin.endswith(".py"):
        return None
    try:
        source = Path(origin).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = _VERSION_LINE.search(source)
    return found.group(1) if found else None


#: ``__version__ = '0.14.0'`` at the start of a line.
_VERSION_LINE = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.MULTILINE)


class _QtMirror(ModuleType):
    """pyqtgraph's mirror of one PySide6 module: a name is taken on its first use."""

    def __init__(self, name: str, source: ModuleType) -> None:
        super().__init__(name)
        self._rtviewer_source = source

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):  # the import system's questions (__path__ ...)
            raise AttributeError(name)
        if sys._getframe(1).f_code.co_name == "_copy_attrs":
            return None  # the copy asks hasattr only: yes, without making the class
        value = getattr(self._rtviewer_source, name)
        setattr(self, name, value)
        return value


def frozen_guards() -> None:
    """Make a PyInstaller bundle behave like the pip-installed command.

    ``freeze_support`` stops a frozen child process from re-running ``main``; a
    windowless executable (``rtviewerw.exe``, the macOS app) has no stdout or
    stderr, so writes to them would raise -- send them to the null device.
    """
    if not getattr(sys, "frozen", False):
        return
    import multiprocessing  # here: the window's start needs it nowhere else

    multiprocessing.freeze_support()
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


def application_icon() -> QtGui.QIcon:
    """Return the rtviewer icon with every shipped PNG size."""
    icon = QtGui.QIcon()
    shipped = resources.files("rtviewer.resources")
    for entry in shipped.iterdir():
        if entry.name.startswith("rtviewer-") and entry.name.endswith(".png"):
            pixmap = QtGui.QPixmap()
            pixmap.loadFromData(entry.read_bytes(), "PNG")
            icon.addPixmap(pixmap)
    return icon


def install_sigint_handler(app: QtCore.QCoreApplication) -> QtCore.QTimer:
    """Quit ``app`` on Ctrl-C and on SIGTERM; return the timer that makes it work.

    SIGTERM is what a desktop session's logout or ``kill`` sends: handled like Quit,
    so the layout is saved and the worker processes are stopped instead of being
    left behind. Python runs signal handlers only between bytecodes, never while
    Qt's C++ event loop waits; a periodic no-op timer hands control back to Python
    regularly.
    """
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda _sig, _frame: app.quit())
    timer = QtCore.QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(SIGINT_POLL_MS)
    return timer


def error_message(exc: BaseException, log_path: Path | None) -> str:
    """Return the text shown to the user for an unexpected error.

    ``log_path`` None: the log file could not be written, the details went to stderr.
    """
    where = ("the log file:\n" + str(log_path)) if log_path is not None else "stderr"
    return f"{type(exc).__name__}: {exc}\n\nThe details were written to {where}"


def report_startup_error(exc: BaseException, log_path: Path | None) -> None:
    """Tell the user rtviewer could not start: on stderr and, when Qt can, in a dialog."""
    text = error_message(exc, log_path)
    if sys.stderr is not None:
        print(f"rtviewer could not start: {text}", file=sys.stderr)
    app = QtWidgets.QApplication.instance()
    if isinstance(app, QtWidgets.QApplication):
        QtWidgets.QMessageBox.critical(None, "rtviewer could not start", text)


def install_excepthook(
    log_path: Path | None, parent: Callable[[], QtWidgets.QWidget | None] = lambda: None
) -> None:
    """Log every uncaught exception and show it in a dialog instead of losing it.

    PySide6 hands exceptions raised in slots to ``sys.excepthook``; the default
    prints to a console that a desktop launch does not have.
    """

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        log.error("uncaught exception:\n%s", "".join(traceback.format_exception(kind, exc, tb)))
        QtWidgets.QMessageBox.critical(parent(), "rtviewer: unexpected error",
                                       error_message(exc, log_path))

    sys.excepthook = hook
