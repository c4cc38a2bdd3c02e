"""The Network menu: receive (the tree follows the store live), query/retrieve, send.

The UI may not import :mod:`rtviewer.net` (sibling layers): ``rtviewer.app`` passes a
``NetworkService`` (:mod:`rtviewer.net.service`), whose blocking calls run here in
:class:`NetworkJob` threads; results come back to the GUI thread as Qt signals.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.model.kind import Kind
from rtviewer.printable import printable
from rtviewer.ui.window.scan_tree import PATH_ROLE
from rtviewer.ui.workers.network_job import NetworkJob

if TYPE_CHECKING:
    from rtviewer.ui.window.main_window import MainWindow

__all__ = ["NetworkJob", "NetworkMenu", "attach_network"]


class _Bridge(QtCore.QObject):
    """Carries receiver callbacks (network threads) to the GUI thread."""

    received = QtCore.Signal(str)


class NetworkMenu(QtCore.QObject):
    """The Network menu of a main window, driving a ``NetworkService``."""

    def __init__(self, window: MainWindow, service: Any) -> None:
        super().__init__(window)
        self.window = window
        self.service = service
        self.messages: list[str] = []
        self._bridge = _Bridge(self)
        self._bridge.received.connect(self._on_received)
        self._refresh = QtCore.QTimer(self, singleShot=True, interval=400)
        self._refresh.timeout.connect(self._show_store)
        menu = window.menuBar().addMenu("&Network")
        self.receive_action = QtGui.QAction("&Receive from the network", self, checkable=True)
        self.receive_action.toggled.connect(self._toggle_receive)
        menu.addAction(self.receive_action)
        for text, slot in (("&Query / Retrieve…", self.open_query_dialog),
                           ("&Send selected plan with its chain…", self.send_selected_chain),
                           ("Network s&ettings…", self.open_settings)):
            action = QtGui.QAction(text, self)
            action.triggered.connect(slot)
            menu.addAction(action)
        self.log = QtWidgets.QListWidget()
        dock = QtWidgets.QDockWidget("Network", window)
        dock.setObjectName("network_dock")
        dock.setWidget(self.log)
        window.addDockWidget(QtCore.Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        dock.hide()  # empty until something is received, sent or queried (then it opens)
        self.dock = dock
        menu.addAction(dock.toggleViewAction())
        #: The worker starting the receiver, while it runs.
        self.start_job: NetworkJob | None = None
        window.destroyed.connect(lambda *_: self._window_gone())
        if service.settings_error:
            self._note(f"Settings file ignored: {service.settings_error}")

    def _toggle_receive(self, on: bool) -> None:
        if not on:
            self.service.stop_receiving()
            self.window.statusBar().showMessage("Receiving stopped.")
            return
        # the first start imports pynetdicom and binds: in a worker, the action greyed
        self.receive_action.setEnabled(False)
        self.window.statusBar().showMessage("Starting the receiver…")
        service, emit = self.service, self._bridge.received.emit

        def start(_progress: Any, cancelled: Any) -> None:  # stops again if the window closed
            service.start_receiving(emit)
            if cancelled():
                service.stop_receiving()

        job = NetworkJob(start)
        job.succeeded.connect(self._receiving_started)
        job.failed.connect(self._receiving_failed)
        self.start_job = job
        job.start_detached()

    def _receiving_started(self, _result: object) -> None:
        self.start_job = None
        self.receive_action.setEnabled(True)
        # the store joins the tree when objects arrive: opened now (often empty) it would
        # take the views from the patient on screen
        self._note(f"Receiving as {self.service.receiver_address()} into "
                   f"{self.service.store}; received objects open here")

    def _receiving_failed(self, text: str) -> None:
        self.start_job = None
        with QtCore.QSignalBlocker(self.receive_action):
            self.receive_action.setChecked(False)
        self.receive_action.setEnabled(True)
        self._note(f"Cannot receive: {text}")

    def _window_gone(self) -> None:
        if self.start_job is not None:  # a receiver still starting stops itself
            self.start_job.cancel()
        self.service.stop_receiving()

    def _note(self, message: str) -> None:
        """Show a network event in the status bar and keep it in the Network dock."""
        self.messages.append(message)
        shown = printable(message)  # peer-supplied labels and AE titles
        self.log.addItem(QtCore.QDateTime.currentDateTime().toString("HH:mm:ss  ") + shown)
        self.log.scrollToBottom()
        self.dock.show()
        self.window.statusBar().showMessage(shown, 15_000)

    def _on_received(self, message: str) -> None:
        self._note(message)
        self._refresh.start()  # one rescan per burst, not per object

    def _show_store(self) -> None:
        if self.service.store.is_dir():
            self.window.open_path(self.service.store)

    def open_query_dialog(self) -> QtWidgets.QDialog:
        """Show the Query / Retrieve dialog (non-modal); return it."""
        from rtviewer.ui.dialogs.query_dialog import QueryDialog

        dialog = QueryDialog(self.service, self.window, on_retrieved=self._on_retrieved)
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def _on_retrieved(self, message: str) -> None:
        self._note(message)
        self._show_store()

    def open_settings(self) -> QtWidgets.QDialog:
        """Show the Network settings dialog; saving applies and writes the settings file."""
        from rtviewer.ui.dialogs.network_settings import NetworkSettingsDialog

        dialog = NetworkSettingsDialog(self.service.settings, self.window)
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.settings()))
        dialog.show()
        return dialog

    def apply_settings(self, settings: Any) -> None:
        """Save and use ``settings`` (a running receiver restarts on the new address)."""
        try:
            self.service.apply_settings(settings)
        except OSError as exc:
            self.receive_action.setChecked(self.service.receiving)
            QtWidgets.QMessageBox.warning(self.window, "Network settings", str(exc))
            return
        where = f"; receiving as {self.service.receiver_address()}" \
            if self.service.receiving else ""
        self._note(f"Network settings saved{where}")

    def selected_path(self) -> Path | None:
        """The file of the tree's current item, if it is one."""
        item = self.window.tree.currentItem()
        path = item.data(0, PATH_ROLE) if item is not None else None
        return Path(path) if path and Path(path).is_file() else None

    def send_selected_chain(self) -> NetworkJob | None:
        """Ask for a node, then send the selected plan and its chain (or the selected file)."""
        path = self.selected_path()
        if path is None:
            self.window.statusBar().showMessage("Select an RT Plan (or a file) in the tree first.")
            return None
        names = self.service.node_names()
        node, ok = QtWidgets.QInputDialog.getItem(
            self.window, "Send", "Node (a configured name or AET@host:port):", names or [""],
            0, True)
        if not ok or not node.strip():
            return None
        return self.send_chain(path, node.strip())

    def send_chain(self, path: Path, node: str) -> NetworkJob:
        """Send ``path`` (with its chain when it is a plan) to ``node`` in the background."""
        scan = next((r for r in self.window.results.values()
                     if any(i.path == path for i in r.instances())), None)
        paths = [path]
        if scan is not None:
            inst = next(i for i in scan.instances() if i.path == path)
            if inst.kind in (Kind.PLAN, Kind.ION_PLAN):
                paths = self.service.plan_chain(scan, path)
        job = NetworkJob(lambda progress, cancel: self.service.send(node, paths, progress,
                                                                    cancel))
        job.succeeded.connect(self._sent)
        job.failed.connect(self._send_failed)
        self.window.statusBar().showMessage(f"Sending {len(paths)} objects to {node}…")
        job.start_detached()
        return job


    def _sent(self, text: str) -> None:
        self._note(text)

    def _send_failed(self, text: str) -> None:
        self._note(f"Send failed: {text}")


def attach_network(window: MainWindow, service: Any) -> NetworkMenu:
    """Add the Network menu to ``window``; ``service`` is a ``NetworkService``."""
    return NetworkMenu(window, service)
