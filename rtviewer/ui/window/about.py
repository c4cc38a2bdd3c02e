"""Help → About: version, licence and what DICOM rtviewer reads."""

from __future__ import annotations

import platform
from html import escape

import PySide6
from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer import __version__
from rtviewer.model.kind import KIND_TEXT

# How the About box names each kind of SOP Class, and the kinds indexed and linked but
# not displayed (rtviewer.model.kind.KIND_TEXT).
_KIND_NAMES = {k: text.name for k, text in KIND_TEXT.items() if text.name}
_LISTED = frozenset(k for k in _KIND_NAMES if not KIND_TEXT[k].displayed)

#: SPDX licence identifiers -> their SPDX full names.
SPDX_NAMES = {"MIT": "MIT License", "Apache-2.0": "Apache License 2.0",
              "BSD-3-Clause": 'BSD 3-Clause "New" or "Revised" License'}


def licence_name() -> str:
    """Return the package's licence name, e.g. ``MIT License``.

    From the SPDX License-Expression (PEP 639), else the licence trove classifier.
    """
    from importlib import metadata  # here: the window's start reads no package metadata

    try:
        meta = metadata.metadata("rtviewer")
    except metadata.PackageNotFoundError:
        return "see the LICENSE file"
    expression = next(iter(meta.get_all("License-Expression") or []), None)
    if expression:
        return SPDX_NAMES.get(expression.strip(), expression.strip())
    for classifier in meta.get_all("Classifier") or []:
        if classifier.startswith("License :: OSI Approved :: "):
            return classifier.rsplit(" :: ", 1)[1]
    return "see the LICENSE file"


def conformance_summary() -> str:
    """Return one line saying which DICOM objects rtviewer reads, from its SOP Class table."""
    # imported when About is shown: the table imports pydicom, and the Help menu is
    # added on the GUI thread just after the first image
    from rtviewer.dicom.sop_classes import SOP_CLASSES

    known = [c for c in SOP_CLASSES.values() if c.kind in _KIND_NAMES]
    kinds = {c.kind for c in known}
    shown = ", ".join(name for k, name in _KIND_NAMES.items() if k in kinds and k not in _LISTED)
    listed = " and ".join(name for k, name in _KIND_NAMES.items() if k in kinds and k in _LISTED)
    n_standard = sum(1 for c in known if not c.private)
    return (
        f"Knows {n_standard} standard Storage SOP Classes, read from DICOM PS3.10 files "
        f"with or without preamble and file meta information: displays {shown}; "
        f"lists {listed}. Read-only: source files are never written."
    )


def about_html() -> str:
    """Return the About box text as simple HTML."""
    return (
        f"<h3>rtviewer {escape(__version__)}</h3>"
        "<p>A desktop viewer for DICOM-RT data.</p>"
        f"<p><b>Licence:</b> {escape(licence_name())}.</p>"
        f"<p><b>DICOM conformance:</b> {escape(conformance_summary())}</p>"
        "<p>Not a medical device: check every number against your planning system "
        "before acting on it.</p>"
        f"<p><b>Running on:</b> {escape(_versions_line())}.</p>"
    )


def versions() -> dict[str, str]:
    """Python, Qt, PySide6, pydicom, numpy and pyqtgraph versions in this process."""
    # PySide6's own version: its wheel's distribution is 'PySide6_Essentials' (or
    # 'PySide6'), and a lookup by the module name said 'PySide6 not installed' in About
    from importlib import metadata

    found = {"Python": platform.python_version(), "Qt": QtCore.qVersion(),
             "PySide6": str(getattr(PySide6, "__version__", "?"))}
    for package in ("pydicom", "numpy", "pyqtgraph"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def _versions_line() -> str:
    return ", ".join(f"{name} {version}" for name, version in versions().items())


def show_about(parent: QtWidgets.QWidget | None) -> None:
    """Show the modal About box."""
    QtWidgets.QMessageBox.about(parent, "About rtviewer", about_html())


def help_menu(menu_bar: QtWidgets.QMenuBar) -> QtWidgets.QMenu:
    """The menu bar's Help menu, made when there is none."""
    for action in menu_bar.actions():
        menu = action.menu()
        if isinstance(menu, QtWidgets.QMenu) and action.text().replace("&", "") == "Help":
            return menu
    return menu_bar.addMenu("&Help")


def add_about_action(menu_bar: QtWidgets.QMenuBar) -> QtGui.QAction:
    """Add Help → About rtviewer to ``menu_bar`` (reusing an existing Help menu)."""
    about = help_menu(menu_bar).addAction("&About rtviewer")
    about.setMenuRole(QtGui.QAction.MenuRole.AboutRole)  # macOS: the application menu
    about.triggered.connect(lambda: show_about(menu_bar.window()))
    return about
