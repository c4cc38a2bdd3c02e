"""Help menu: Keyboard and mouse, User guide, then About (:mod:`rtviewer.ui.window.about`).

The keyboard-and-mouse table is :data:`CONTROLS`: the README's table under *Using the
viewer* is generated from it (:func:`controls_markdown`; a test keeps them equal), so
the window and the README never disagree. The user guide is the package's own long
description (the README), shipped in its metadata, shown as rendered Markdown.
"""

from __future__ import annotations

import re
from html import escape

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.ui.window.about import add_about_action, help_menu

__all__ = ["CONTROLS", "GUIDE_START", "add_help_actions", "controls_markdown",
           "user_guide_markdown"]

#: (action, effect): every mouse and keyboard control of the viewer.
CONTROLS: tuple[tuple[str, str], ...] = (
    ("left click", "moves the crosshair (all views follow)"),
    ("mouse over a view", "the status bar (bottom right) reads position (mm), image value "
     "(HU), dose (Gy and % of the reference) and the structures under the cursor; the "
     "drawn structures under it are also named beside the pointer, each in its colour"),
    ("wheel, ↑/↓, Page Up/Down", "next/previous slice, ten slices"),
    ("Ctrl + wheel, left drag", "zoom, pan (Home or *Reset zoom* fits again)"),
    ("right drag", "window (horizontal) and level (vertical), shown as W / L on the view; "
     "*W/L preset* for CT presets"),
    ("*1 view* / *3 views*", "layout; the list beside it picks the single view"),
    ("*Dose* list (first in the toolbar)", "the dose shown; other doses of the plan or "
     "study, one at a time"),
    ("*Screenshot…*", "saves all slice views or one chosen view (axial, sagittal, coronal, "
     "DVH plot, beam's-eye view, RT Image) as PNG; slice views get the same JSON "
     "(pixel → patient mm) as `rtviewer render`; a strip below the picture carries "
     "patient, ID, plan, the dose shown, dose reference and date, on as many lines as "
     "its width needs (untick *Burn in…* in the menu for teaching material); the RT "
     "Image without its "
     "chooser and W/L boxes; starts in Pictures, then the last folder used"),
    ("Ctrl+O, File → Open Folder", "scans a folder and shows its first plan"),
    ("Ctrl+W, File → Close Folder; tree right click", "closes the selected folder "
     "(nothing on disk changes)"),
    ("View menu", "opens the Problems and Check docks (closed while empty)"),
    ("F5, View → Presenter mode; Esc", "full screen for a projector; Page Down/Up, → ←: "
     "next/previous lesson step (or slice), ↑/↓ slices, B: black screen; Esc leaves"),
    ("Help → Lessons", "built-in lessons on the demo patients, a lesson file, or a new one: "
     "*Add this view as a step* records the window"),
)


def controls_markdown() -> str:
    """The README's keyboard-and-mouse table (Markdown), from :data:`CONTROLS`."""
    rows = ["| action | effect |", "|---|---|"]
    rows += [f"| {action} | {effect} |" for action, effect in CONTROLS]
    return "\n".join(rows) + "\n"


def _controls_html() -> str:
    def cell(text: str) -> str:  # the Markdown emphasis and code of the README, as HTML
        parts = escape(text).split("*")
        italic = "".join(f"<i>{p}</i>" if i % 2 else p for i, p in enumerate(parts))
        code = italic.split("`")  # `rtviewer render` showed its backticks
        return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(code))

    rows = "".join(f"<tr><td><b>{cell(a)}</b></td><td>{cell(e)}</td></tr>"
                   for a, e in CONTROLS)
    return f"<table cellpadding='4'>{rows}</table>"


def user_guide_markdown() -> str:
    """The README shipped in the package metadata; a pointer when it is not there.

    Its screenshots (``docs/screenshots/…``) are not in the package: each is named in
    italics where the README shows it, instead of a broken-image icon.
    """
    from importlib import metadata  # here: the menu is added without reading metadata

    try:
        text = metadata.metadata("rtviewer").get_payload()  # type: ignore[attr-defined]
    except metadata.PackageNotFoundError:
        text = ""
    text = str(text or "") or "The user guide is the README.md of the rtviewer package."
    return _IMAGE.sub(lambda m: f"*(picture: {m.group(1)}, `{m.group(2)}` in the source)*",
                      text)


#: A Markdown image: ``![alt](path)``.
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


#: The heading the user guide opens at (the installation and screenshots are above it).
GUIDE_START = "Using the viewer"


def _scroll_to_heading(browser: QtWidgets.QTextBrowser, heading: str) -> None:
    """Put the first block reading ``heading`` at the top of ``browser``'s view."""
    document = browser.document()
    block = document.begin()
    while block.isValid() and block.text().strip() != heading:
        block = block.next()
    if block.isValid():
        top = document.documentLayout().blockBoundingRect(block).top()
        browser.verticalScrollBar().setValue(int(top))


def _show_text(parent: QtWidgets.QWidget | None, title: str, *, html: str = "",
               markdown: str = "", start: str = "") -> QtWidgets.QDialog:
    dialog = QtWidgets.QDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
    browser = QtWidgets.QTextBrowser(dialog)
    browser.setOpenExternalLinks(True)
    if markdown:
        browser.setMarkdown(markdown)
    else:
        browser.setHtml(html)
    buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QtWidgets.QVBoxLayout(dialog)
    layout.addWidget(browser)
    layout.addWidget(buttons)
    dialog.resize(760, 560)
    dialog.show()
    if start:  # once laid out at the dialog's size
        QtCore.QTimer.singleShot(0, browser, lambda: _scroll_to_heading(browser, start))
    return dialog


def add_help_actions(menu_bar: QtWidgets.QMenuBar) -> QtWidgets.QMenu:
    """Help → Keyboard and mouse, User guide, About rtviewer (with versions)."""
    menu = help_menu(menu_bar)
    window = menu_bar.window
    keys = menu.addAction("&Keyboard and mouse")
    keys.setShortcut(QtGui.QKeySequence.StandardKey.HelpContents)
    keys.triggered.connect(lambda: _show_text(window(), "Keyboard and mouse",
                                              html=_controls_html()))
    guide = menu.addAction("&User guide")
    guide.triggered.connect(lambda: _show_text(window(), "rtviewer user guide",
                                               markdown=user_guide_markdown(),
                                               start=GUIDE_START))
    add_about_action(menu_bar)
    return menu
