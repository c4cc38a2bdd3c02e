"""A tab widget whose pages are built when first shown or first asked for.

The viewer's side panel has ten pages (DVH, plan, compare, beam's eye, brachy, ...);
building them all, with the modules they import, took a third of a second before the
first image was painted, though only one page is on screen.  Each page is registered
here with a *build* function (construct it and connect it to the rest of the viewer)
and an optional *sync* function (show it what the viewer shows now).  Until it is
built, an empty placeholder holds its place, its name, visibility and colour in the
tab bar; the page replaces it when its tab becomes current or when code asks for it
(:meth:`LazyTabs.page`), so that a page asked for by code (a test, a lesson, the
report) is made exactly as the user's click makes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6 import QtCore, QtWidgets

__all__ = ["LazyTabs"]

#: A plain QWidget's size policy (what a placeholder has unless its owner changed it).
_DEFAULT_POLICY = QtWidgets.QSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred,
                                        QtWidgets.QSizePolicy.Policy.Preferred)


@dataclass(frozen=True)
class _Entry:
    """How one page is made and brought up to date."""

    build: Callable[[], QtWidgets.QWidget]
    sync: Callable[[QtWidgets.QWidget], None] | None


class LazyTabs(QtWidgets.QTabWidget):
    """Tabs whose pages are built on first show or first request.

    Signals
    -------
    pageBuilt(str, object)
        The page registered under the key (``str``) was built and synced (the widget).
    """

    pageBuilt = QtCore.Signal(str, object)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: dict[str, _Entry] = {}
        #: Per key: the built page, or the placeholder standing in for it.
        self._pages: dict[str, QtWidgets.QWidget] = {}
        self._built: set[str] = set()
        self.currentChanged.connect(self._on_current)

    # -- registering ----------------------------------------------------------------------
    def add_page(self, key: str, label: str, page: QtWidgets.QWidget) -> None:
        """A page built by its owner (shown at once: the first tab, cheap pages)."""
        self._pages[key] = page
        self._built.add(key)
        self.addTab(page, label)

    def add_lazy(self, key: str, label: str, build: Callable[[], QtWidgets.QWidget],
                 sync: Callable[[QtWidgets.QWidget], None] | None = None) -> None:
        """A page made by ``build`` when first needed, then shown the viewer by ``sync``.

        ``build`` constructs the page and makes its connections; ``sync`` (also called
        by :meth:`sync_built`) gives it what is on screen now.
        """
        placeholder = QtWidgets.QWidget()
        placeholder.setObjectName(f"lazy-{key}")
        self._entries[key] = _Entry(build, sync)
        self._pages[key] = placeholder
        self.addTab(placeholder, label)
        if self.currentWidget() is placeholder:  # the first tab added is current at once
            self.page(key)

    # -- asking ---------------------------------------------------------------------------
    def page_keys(self) -> list[str]:
        """Every registered page's key, in tab order."""
        return sorted(self._pages, key=self.index_of)

    def is_built(self, key: str) -> bool:
        """Whether the page under ``key`` exists (built by its owner or on demand)."""
        return key in self._built

    def built(self, key: str) -> QtWidgets.QWidget | None:
        """The page under ``key`` if it is built, else None (nothing is built)."""
        return self._pages[key] if key in self._built else None

    def page(self, key: str) -> QtWidgets.QWidget:
        """The page under ``key``, built (and synced) now if it was not yet."""
        if key not in self._built:
            self._build(key)
        return self._pages[key]

    def index_of(self, key: str) -> int:
        """The tab index of the page under ``key`` (built or not)."""
        return self.indexOf(self._pages[key])

    def key_of(self, widget: QtWidgets.QWidget | None) -> str | None:
        """The key of a page (or of its placeholder), None for another widget."""
        return next((k for k, page in self._pages.items() if page is widget), None)

    def set_tab_visible(self, key: str, visible: bool) -> None:
        """Show or hide the tab of ``key`` without building its page."""
        self.setTabVisible(self.index_of(key), visible)

    def sync_built(self, keys: tuple[str, ...] | None = None) -> None:
        """Bring the built pages (of ``keys``, else all) up to date; others wait."""
        for key in self.page_keys() if keys is None else keys:
            entry = self._entries.get(key)
            if key in self._built and entry is not None and entry.sync is not None:
                entry.sync(self._pages[key])

    # -- building -------------------------------------------------------------------------
    def _on_current(self, index: int) -> None:
        key = self.key_of(self.widget(index))
        if key is not None and key not in self._built:
            self._build(key)

    def _build(self, key: str) -> None:
        entry = self._entries[key]
        self._built.add(key)  # before build: a page asking for itself must not recurse
        page = entry.build()
        self._replace(self._pages[key], page)
        self._pages[key] = page
        if entry.sync is not None:
            entry.sync(page)
        self.pageBuilt.emit(key, page)

    def _replace(self, placeholder: QtWidgets.QWidget, page: QtWidgets.QWidget) -> None:
        """Put ``page`` where ``placeholder`` is: same name, tip, visibility, colour, size."""
        index = self.indexOf(placeholder)
        bar = self.tabBar()
        text, tip = self.tabText(index), self.tabToolTip(index)
        visible, colour = self.isTabVisible(index), bar.tabTextColor(index)
        current = self.currentIndex() == index
        page.setMinimumWidth(max(page.minimumWidth(), placeholder.minimumWidth()))
        if placeholder.sizePolicy() != _DEFAULT_POLICY:  # set by the owner (presenter mode)
            page.setSizePolicy(placeholder.sizePolicy())
        # the tab widget's own signals are held: for the user nothing changes tabs
        with QtCore.QSignalBlocker(self):
            self.insertTab(index, page, text)
            self.removeTab(index + 1)
            self.setTabToolTip(index, tip)
            self.setTabVisible(index, visible)
            bar.setTabTextColor(index, colour)
            if current:
                self.setCurrentIndex(index)
        placeholder.deleteLater()
