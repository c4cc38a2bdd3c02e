"""Presenter mode (View → Presenter mode, F5; Esc leaves): the window for a projector.

Full screen; the patient tree, docks, menu bar, tool bar and side panel hidden
(the side panel returns when a lesson step asks for one of its pages); fonts at
least :data:`PRESENTER_MIN_PT`; contour and isodose lines :data:`LINE_SCALE` times
wider; a solid, wide crosshair; the cursor readout large at the bottom. Keys (and
a presentation remote, which sends the same keys): Page Down / → next lesson step
(without a lesson: next slice), Page Up / ← previous, ↑/↓ slices, B or . black
screen.
"""

from __future__ import annotations

import re
from typing import Any

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.ui.views.view_legend import COMPACT_POINT_SIZE

__all__ = ["LINE_SCALE", "PRESENTER_MIN_PT", "PresenterMode", "attach_presenter"]

#: No text in presenter mode is smaller than this (points): readable at the back of a
#: room from a 1024×768 projector.
PRESENTER_MIN_PT = 14
#: Contour and isodose widths are multiplied by this in presenter mode.
LINE_SCALE = 2.0
#: The crosshair in presenter mode: opaque yellow, solid, 3 px.
_CROSSHAIR = pg.mkPen((255, 255, 0), width=3)
_STYLE = (f"QWidget {{ font-size: {PRESENTER_MIN_PT + 2}pt; }}"
          f"QStatusBar QLabel {{ font-size: {PRESENTER_MIN_PT + 2}pt; font-weight: bold; }}"
          "QTextBrowser#lesson_caption { background: black; color: white; }")
#: The on-view legend's own size (points, ``view_legend``), restored on leaving.
_LEGEND_PT = 8
#: The side panel's share of the width in presenter mode, by page (default one half):
#: pages of tables and tool rows need more than a picture does.
PLOT_SCREEN_SHARE = 0.45  # the DVH plot's least height in presenter mode, of the screen's
_PANEL_SHARE = {"dvh": 0.72, "brachy": 0.72, "plan": 0.65, "records": 0.65}
#: Widgets that take typed text: presenter keys leave them alone.
_TYPING = (QtWidgets.QLineEdit, QtWidgets.QAbstractSpinBox, QtWidgets.QPlainTextEdit)
_FONT_SIZE = re.compile(r"font-size:\s*(\d+(?:\.\d+)?)pt")


def _at_least(match: re.Match[str]) -> str:
    return f"font-size: {max(float(match.group(1)), PRESENTER_MIN_PT + 2):g}pt"


#: Events after which a side-panel label may need another height (new width, text, page).
_REFLOW = {QtCore.QEvent.Type.Resize, QtCore.QEvent.Type.LayoutRequest,
           QtCore.QEvent.Type.Show}
_NEXT = {QtCore.Qt.Key.Key_PageDown, QtCore.Qt.Key.Key_Right, QtCore.Qt.Key.Key_Space}
_PREVIOUS = {QtCore.Qt.Key.Key_PageUp, QtCore.Qt.Key.Key_Left, QtCore.Qt.Key.Key_Backspace}
_SLICE = {QtCore.Qt.Key.Key_Up: 1, QtCore.Qt.Key.Key_Down: -1}
_BLACK = {QtCore.Qt.Key.Key_B, QtCore.Qt.Key.Key_Period}


class PresenterMode(QtCore.QObject):
    """Switches a main window (with viewer controller and lesson dock) to a projector.

    Attributes
    ----------
    full_screen : bool
        Take the whole screen (default); tests at a set window size turn it off.
    """

    full_screen = True

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.active = False
        self._saved: dict[str, Any] = {}
        self._panel_scroll: QtWidgets.QScrollArea | None = None
        self.black = QtWidgets.QWidget(window)
        self.black.setObjectName("presenter_black")
        self.black.setStyleSheet("background: black;")
        self.black.setAutoFillBackground(True)
        self.black.hide()
        self.action = QtGui.QAction("&Presenter mode", window)
        self.action.setCheckable(True)
        self.action.setShortcut(QtGui.QKeySequence(QtCore.Qt.Key.Key_F5))
        self.action.setShortcutContext(QtCore.Qt.ShortcutContext.ApplicationShortcut)
        self.action.toggled.connect(self.set_active)
        window.addAction(self.action)  # F5 works with the menu bar hidden

    @property
    def viewer(self) -> Any:
        """The window's viewer."""
        return self.window.viewer_controller.viewer

    def set_active(self, on: bool) -> None:
        """Enter or leave presenter mode."""
        if on == self.active:
            return
        self.active = on
        with QtCore.QSignalBlocker(self.action):
            self.action.setChecked(on)
        if on:
            self._enter()
        else:
            self._leave()

    def _enter(self) -> None:
        window, viewer = self.window, self.viewer
        self._saved = {
            "state": window.saveState(), "geometry": window.saveGeometry(),
            "maximised": window.isMaximized(), "style": window.styleSheet(),
            "menu": window.menuBar().isVisible(),
            "docks": [d for d in window.findChildren(QtWidgets.QDockWidget) if d.isVisible()],
            "readout_min": viewer.readout.minimumWidth(),
            "split": viewer.splitter.sizes(),
        }
        lessons = getattr(window, "lessons", None)
        for dock in self._saved["docks"]:
            if dock is not lessons:
                dock.hide()
        if lessons is not None:  # the caption under the pictures: long lines, few of them
            window.addDockWidget(QtCore.Qt.DockWidgetArea.BottomDockWidgetArea, lessons)
            lessons.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
            lessons.record_button.hide()  # authoring, not presenting
        window.menuBar().hide()
        viewer._toolbar.hide()
        viewer.tab_strip.hide()  # the lesson step chooses the page
        # the hidden pages' minimum sizes (the DVH tab's tables and tool row) must not
        # push the window past a 1024x768 screen: the shown page gets what is left
        # by index: a page built while presenting replaces its placeholder (LazyTabs)
        self._page_policies: dict[int, QtWidgets.QSizePolicy] = {}
        for index in range(viewer.tabs.count()):
            page = viewer.tabs.widget(index)
            self._page_policies[index] = page.sizePolicy()
            # the width is the splitter's; the height is what the page's text needs:
            # the panel scrolls (below) rather than squeeze a DVH plot or overlap a table
            page.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                               QtWidgets.QSizePolicy.Policy.Preferred)
        self._scroll_panel(True)
        # the panel scrolls, so its pages take their preferred height: the DVH plot's
        # is a 60 px strip at 1024x768, too small for a room to read curves from
        plot = viewer.dvh_panel.plot
        self._plot_min_height = plot.minimumHeight()
        plot.setMinimumHeight(int(PLOT_SCREEN_SHARE * window.screen().geometry().height()))
        self.show_side_panel(self._step_tab() is not None)
        window.setStyleSheet(_STYLE)
        # a projector shows text wrapped, never cut off
        # (the readout stays one line: wrapped, the status bar would grow to fit a
        # narrow first layout pass and push the window past the screen)
        self._wrapped: list[QtWidgets.QLabel] = []
        self._own_styles: dict[QtWidgets.QWidget, str] = {}
        self._present_widgets(window.findChildren(QtWidgets.QWidget))
        # a side-panel page built while presenting (LazyTabs) is presented the same way
        viewer.tabs.pageBuilt.connect(self._on_page_built)
        self._style_views(LINE_SCALE, _CROSSHAIR, PRESENTER_MIN_PT)
        self._place_readout(stretch=1)  # the whole bottom line: read from the back
        window.installEventFilter(self)
        _application().installEventFilter(self)  # keys of every child
        # the minimum size of the presenter layout, not the normal one, before the window
        # takes the screen: else a narrow projector keeps the wider normal minimum
        window.layout().invalidate()
        window.layout().activate()
        if self.full_screen:
            window.showFullScreen()
            # without a window manager (a kiosk PC at the projector) nothing else
            # gives the full-screen window the screen's size
            window.setGeometry(window.screen().geometry())
        if lessons is not None and lessons.isVisible():
            window.resizeDocks([lessons], [int(0.3 * window.height())],
                               QtCore.Qt.Orientation.Vertical)

    def _present_widgets(self, widgets: list[QtWidgets.QWidget]) -> None:
        """Labels wrapped and own font sizes raised (undone by :meth:`_leave`)."""
        labels = [w for w in widgets if isinstance(w, QtWidgets.QLabel)
                  and not w.wordWrap() and w is not self.viewer.readout]
        for label in labels:
            label.setWordWrap(True)
        self._wrapped += labels
        # a widget's own style sheet (the patient banner's) wins over the window's
        own = {w: w.styleSheet() for w in widgets if "font-size" in w.styleSheet()}
        for widget, style in own.items():
            widget.setStyleSheet(_FONT_SIZE.sub(_at_least, style))
        self._own_styles.update(own)

    def _on_page_built(self, _key: str, page: QtWidgets.QWidget) -> None:
        if self.active:
            self._present_widgets([page, *page.findChildren(QtWidgets.QWidget)])

    def _leave(self) -> None:
        window, viewer, saved = self.window, self.viewer, self._saved
        viewer.tabs.pageBuilt.disconnect(self._on_page_built)
        _application().removeEventFilter(self)
        window.removeEventFilter(self)
        self.black.hide()
        for label in getattr(self, "_wrapped", []):
            label.setWordWrap(False)
        for label, height in self.__dict__.pop("_label_min_heights", {}).items():
            label.setMinimumHeight(height)
        for widget, style in getattr(self, "_own_styles", {}).items():
            widget.setStyleSheet(style)
        lessons = getattr(window, "lessons", None)
        if lessons is not None:
            lessons.record_button.show()
            lessons.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetClosable
                                | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable
                                | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        window.setStyleSheet(saved.get("style", ""))
        self._style_views(1.0, None, None)
        self._place_readout(stretch=0, min_width=saved.get("readout_min", 0))
        viewer._toolbar.show()
        viewer.tab_strip.show()
        self._scroll_panel(False)
        viewer.dvh_panel.plot.setMinimumHeight(getattr(self, "_plot_min_height", 0))
        for index, policy in getattr(self, "_page_policies", {}).items():
            viewer.tabs.widget(index).setSizePolicy(policy)
        viewer.tabs.show()
        viewer.side_panel.show()
        viewer.show_tabs_for(viewer.scene)  # the panel's minimum width at normal size
        viewer.splitter.setSizes(saved.get("split", viewer.splitter.sizes()))
        window.menuBar().setVisible(saved.get("menu", True))
        if self.full_screen:
            window.showNormal()
        if saved.get("maximised"):
            window.showMaximized()
        if "geometry" in saved:
            window.restoreGeometry(saved["geometry"])
            window.restoreState(saved["state"])
        for dock in saved.get("docks", []):
            dock.show()

    def _scroll_panel(self, on: bool) -> None:
        """The side panel inside a vertical scroll area (presenting) or back in place.

        At 1024×768 a DVH page (plot, notes, statistics, goals) needs more height than
        the screen has; scrolled, each part keeps a readable size.
        """
        splitter, tabs = self.viewer.splitter, self.viewer.side_panel
        scroll = self._panel_scroll
        if on and scroll is None:
            scroll = QtWidgets.QScrollArea()
            scroll.setObjectName("presenter_panel_scroll")
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            sizes = splitter.sizes()
            self._tabs_policy = tabs.sizePolicy()
            # the splitter sets the width: no page's tool row may widen it past the view
            tabs.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                               QtWidgets.QSizePolicy.Policy.Preferred)
            splitter.replaceWidget(splitter.indexOf(tabs), scroll)
            scroll.setWidget(tabs)
            tabs.show()
            splitter.setSizes(sizes)
            self._panel_scroll = scroll
        elif not on and scroll is not None:
            sizes = splitter.sizes()
            splitter.replaceWidget(splitter.indexOf(scroll), scroll.takeWidget())
            tabs.setSizePolicy(self._tabs_policy)
            splitter.setSizes(sizes)
            scroll.deleteLater()
            self._panel_scroll = None

    def _schedule_fit(self) -> None:
        if not getattr(self, "_fit_pending", False):
            self._fit_pending = True
            QtCore.QTimer.singleShot(0, self._fit_wrapped_labels)

    def _fit_wrapped_labels(self) -> None:
        """Give each wrapped side-panel label the height its text needs at its width.

        Box layouts size a word-wrapped label by its one-width size hint, not by its
        height for the width it gets, so at projector sizes a long note (the TG-43
        source line, the structure-model note, a goal set's citation) was cut at the
        bottom. The tables beside it scroll; the label's text must not.
        """
        self._fit_pending = False
        if not self.active:
            return
        saved = self.__dict__.setdefault("_label_min_heights", {})
        for label in self.viewer.tabs.findChildren(QtWidgets.QLabel):
            if not label.wordWrap() or not label.isVisible() or label.width() <= 0:
                continue
            saved.setdefault(label, label.minimumHeight())
            need = label.heightForWidth(label.width()) if label.text() else saved[label]
            if need >= 0 and need != label.minimumHeight():
                label.setMinimumHeight(need)

    def _place_readout(self, *, stretch: int, min_width: int = 0) -> None:
        bar, readout = self.window.statusBar(), self.viewer.readout
        bar.removeWidget(readout)
        bar.addPermanentWidget(readout, stretch)
        readout.setMinimumWidth(min_width)
        # presenting: a long reading never widens the window past the screen
        policy = readout.sizePolicy()
        policy.setHorizontalPolicy(QtWidgets.QSizePolicy.Policy.Ignored if stretch
                                   else QtWidgets.QSizePolicy.Policy.Preferred)
        readout.setSizePolicy(policy)
        readout.show()
        bar.clearMessage()

    def _style_views(self, scale: float, crosshair: QtGui.QPen | None,
                     min_pt: int | None) -> None:
        for view in self.viewer.views.values():
            view.line_scale = scale
            if crosshair is None:
                crosshair = pg.mkPen((255, 255, 0, 150), width=1,
                                     style=QtCore.Qt.PenStyle.DashLine)  # slice_view's own
            view.h_line.setPen(crosshair)
            view.v_line.setPen(crosshair)
            legend = view.legend
            for item in legend.text_items():
                font = item.font()
                # out of presenter mode the compact layouts take their smaller font again
                font.setPointSize(min_pt or (COMPACT_POINT_SIZE if item in legend.compact
                                             else _LEGEND_PT))
                item.setFont(font)
            view.redraw()
            view.place_labels()

    def _step_tab(self) -> str | None:
        lessons = getattr(self.window, "lessons", None)
        step = getattr(lessons, "shown_step", None)
        return getattr(step, "tab", None)

    def show_side_panel(self, on: bool) -> None:
        """The side panel (DVH, beam's eye, ...) beside the views, or the views alone."""
        viewer = self.viewer
        viewer.side_panel.setVisible(on)
        if self._panel_scroll is not None:
            self._panel_scroll.setVisible(on)
        if on:  # half the width or more: a DVH or a table is read from the back too
            # (the hidden tab bar at presenter size must not set the panel's width)
            viewer.tabs.setMinimumWidth(0)
            width = viewer.splitter.width()
            share = _PANEL_SHARE.get(self._step_tab() or "", 0.5)
            viewer.splitter.setSizes([width - int(share * width), int(share * width)])
        lessons = getattr(self.window, "lessons", None)
        if lessons is not None and lessons.isVisible():  # a page of tables needs the height
            tall = on and _PANEL_SHARE.get(self._step_tab() or "", 0.5) > 0.5
            self.window.resizeDocks([lessons], [int((0.2 if tall else 0.3) * self.window.height())],
                                    QtCore.Qt.Orientation.Vertical)

    def on_step_shown(self, _index: int) -> None:
        """A lesson step is on screen: the side panel when it names one of its pages."""
        if self.active:
            self.show_side_panel(self._step_tab() is not None)

    # -- keys ---------------------------------------------------------------------------
    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        """Presenter keys before any widget sees them; the black screen follows resizes."""
        if event.type() == QtCore.QEvent.Type.Resize and watched is self.window:
            self.black.setGeometry(self._window_rect())
        if event.type() in _REFLOW and isinstance(watched, QtWidgets.QWidget) \
                and self.viewer.tabs.isAncestorOf(watched):
            self._schedule_fit()
        if event.type() != QtCore.QEvent.Type.KeyPress or not isinstance(event, QtGui.QKeyEvent):
            return False
        if not self._in_window(watched):
            return False
        key = QtCore.Qt.Key(event.key())
        if isinstance(watched, _TYPING) and key != QtCore.Qt.Key.Key_Escape:
            return False  # a field being typed in keeps its keys (Backspace, arrows, B)
        return self.handle_key(key)

    def _window_rect(self) -> QtCore.QRect:
        return QtCore.QRect(QtCore.QPoint(0, 0), self.window.size())

    def _in_window(self, watched: QtCore.QObject) -> bool:
        return isinstance(watched, QtWidgets.QWidget) and watched.window() is self.window

    def handle_key(self, key: QtCore.Qt.Key) -> bool:
        """Act on a presenter key; False for keys it leaves to the widgets."""
        if key == QtCore.Qt.Key.Key_Escape:
            if self.black.isVisible():
                self.black.hide()
            else:
                self.set_active(False)
            return True
        if key in _BLACK:
            self.black.setGeometry(self._window_rect())
            self.black.setVisible(not self.black.isVisible())
            self.black.raise_()
            return True
        lessons = getattr(self.window, "lessons", None)
        if key in _NEXT or key in _PREVIOUS:
            forward = key in _NEXT
            if lessons is not None and lessons.lesson is not None:
                (lessons.next_step if forward else lessons.previous_step)()
            else:
                self._slice(1 if forward else -1)
            return True
        if key in _SLICE:
            self._slice(_SLICE[key])
            return True
        return False

    def _slice(self, steps: int) -> None:
        state = self.viewer.state
        name = state.single_view if state.layout == 1 else "axial"
        self.viewer.views[name].scroll(steps)


def _application() -> QtCore.QCoreApplication:
    app = QtCore.QCoreApplication.instance()
    if app is None:  # pragma: no cover - a window exists only inside an application
        raise RuntimeError("presenter mode needs a running QApplication")
    return app


def attach_presenter(window: Any) -> PresenterMode:
    """View → Presenter mode (F5) on ``window``; returns the controller."""
    presenter = PresenterMode(window)
    window.view_menu.addSeparator()
    window.view_menu.addAction(presenter.action)
    lessons = getattr(window, "lessons", None)
    if lessons is not None:
        lessons.stepShown.connect(presenter.on_step_shown)
    window.presenter = presenter
    return presenter
