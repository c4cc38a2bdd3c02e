"""Network settings dialog: rtviewer's receiver and the remote nodes (the shared settings file)."""

from __future__ import annotations

import re
from dataclasses import replace

from PySide6 import QtWidgets

from rtviewer.config import Node, ReceiverSettings, Settings

__all__ = ["NetworkSettingsDialog"]

_AET = re.compile(r"^[\x20-\x5b\x5d-\x7e]{1,16}$")  # PS3.5 AE: 16 chars, no backslash
_NODE_COLUMNS = ("Name", "AE title", "Host", "Port")


class NetworkSettingsDialog(QtWidgets.QDialog):
    """Edit :class:`~rtviewer.config.Settings`; :meth:`settings` returns the edited copy."""

    def __init__(self, settings: Settings, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Network settings")
        self.resize(640, 520)
        self._original = settings
        form = self._receiver_form(settings)
        self.nodes = QtWidgets.QTableWidget(0, len(_NODE_COLUMNS))
        self.nodes.setHorizontalHeaderLabels(list(_NODE_COLUMNS))
        for node in settings.nodes:
            self._add_row(node.name, node.ae_title, node.host, str(node.port))
        add, remove = QtWidgets.QPushButton("Add node"), QtWidgets.QPushButton("Remove node")
        add.clicked.connect(lambda: self._add_row("", "", "", "104"))
        remove.clicked.connect(lambda: self.nodes.removeRow(self.nodes.currentRow()))
        self.error = QtWidgets.QLabel("")
        box = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Save
                                         | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self._accept)
        box.rejected.connect(self.reject)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QtWidgets.QLabel("Remote nodes (PACS, planning systems):"))
        layout.addWidget(self.nodes, 1)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(box)

    def _receiver_form(self, settings: Settings) -> QtWidgets.QFormLayout:
        rec = settings.receiver
        self.local_aet = QtWidgets.QLineEdit(settings.local_ae_title)
        self.aet = QtWidgets.QLineEdit(rec.ae_title)
        self.port = QtWidgets.QSpinBox(minimum=1, maximum=65535, value=rec.port)
        self.bind = QtWidgets.QLineEdit(rec.bind)
        self.bind.setToolTip("127.0.0.1 = this computer only; 0.0.0.0 = every interface")
        self.allow = QtWidgets.QLineEdit(" ".join(rec.allowed_calling_aets))
        self.allow.setPlaceholderText("any calling AE title (space-separated list to restrict)")
        self.max_assoc = QtWidgets.QSpinBox(minimum=1, maximum=64, value=rec.max_associations)
        self.max_mb = QtWidgets.QDoubleSpinBox(minimum=1, maximum=1e6, decimals=0,
                                               value=rec.max_object_mb)
        self.store = QtWidgets.QLineEdit(rec.store or "")
        self.store.setPlaceholderText("default store in the user data folder")
        form = QtWidgets.QFormLayout()
        for label, widget in (("Our AE title (calling)", self.local_aet),
                              ("Receiver AE title", self.aet), ("Receiver port", self.port),
                              ("Listen on address", self.bind),
                              ("Allowed calling AE titles", self.allow),
                              ("Simultaneous associations", self.max_assoc),
                              ("Largest object (MiB)", self.max_mb), ("Store folder", self.store)):
            form.addRow(label, widget)
        return form

    def _add_row(self, *values: str) -> None:
        r = self.nodes.rowCount()
        self.nodes.insertRow(r)
        for c, value in enumerate(values):
            self.nodes.setItem(r, c, QtWidgets.QTableWidgetItem(value))

    def _cell(self, r: int, c: int) -> str:
        item = self.nodes.item(r, c)
        return item.text().strip() if item is not None else ""

    def settings(self) -> Settings:
        """The settings as edited.

        Raises
        ------
        ValueError
            An AE title, node name or port is not valid (the message says which).
        """
        for label, aet in (("our AE title", self.local_aet.text()),
                           ("receiver AE title", self.aet.text())):
            _check_aet(aet.strip(), label)
        allowed = tuple(self.allow.text().split())
        for aet in allowed:
            _check_aet(aet, "allowed calling AE title")
        receiver = replace(ReceiverSettings(), ae_title=self.aet.text().strip(),
                           port=self.port.value(), bind=self.bind.text().strip() or "127.0.0.1",
                           allowed_calling_aets=allowed, max_associations=self.max_assoc.value(),
                           max_object_mb=float(self.max_mb.value()),
                           store=self.store.text().strip() or None)
        return Settings(receiver=receiver, local_ae_title=self.local_aet.text().strip(),
                        nodes=tuple(self._node(r) for r in range(self.nodes.rowCount())))

    def _node(self, r: int) -> Node:
        name, aet, host, port = (self._cell(r, c) for c in range(len(_NODE_COLUMNS)))
        if not name or not host:
            raise ValueError(f"node {r + 1}: give a name and a host")
        _check_aet(aet, f"node {name!r} AE title")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"node {name!r}: port must be 1-65535, not {port!r}")
        return Node(name, aet, host, int(port))

    def _accept(self) -> None:
        try:
            self.settings()
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        self.accept()


def _check_aet(aet: str, label: str) -> None:
    if not _AET.match(aet) or not aet.strip():
        raise ValueError(f"{label} must be 1-16 characters without backslash, not {aet!r}")
