"""The Dose combo box: human labels (summation type and maximum), full path in the tooltip.

The maximum of a dose that is not on screen is read in a daemon thread (the whole grid,
never a sample: it is an extreme), so offering five doses never blocks the window; until
it is known the item says only its kind ("BEAM dose").
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from rtviewer.model.dose import Dose
from rtviewer.model.index import Instance
from rtviewer.ui.views.combo_fit import fit_combo_width
from rtviewer.view.dose_labels import distinct_labels, dose_label, format_maximum

__all__ = ["DoseMaxima", "dose_words", "fill_dose_combo", "fit_dose_combo"]

#: The Dose combo grows with its labels from MIN_LABEL_CHARS up to MAX_LABEL_CHARS widths
#: of an 'x' in its font (Qt's unit for a combo's contents), measured on the labels'
#: own text (the toolbar in one row at 1280 px).
MIN_LABEL_CHARS, MAX_LABEL_CHARS = 14, 26


class DoseMaxima(QtCore.QObject):
    """Maxima of RT Dose files, read once per file in the background.

    Signals
    -------
    found(str)
        The maximum of the file with this path is now known (:meth:`get`).
    """

    found = QtCore.Signal(str)
    _read = QtCore.Signal(str, object)  # path, maximum text or None

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._known: dict[Path, str | None] = {}
        self._reading: set[Path] = set()
        self._read.connect(self._on_read)

    def get(self, path: Path) -> str | None:
        """``"max 63.3 Gy"``, or None while unknown (or unreadable: the load says why)."""
        return self._known.get(path)

    def remember(self, dose: Dose) -> None:
        """The maximum of a dose already loaded (no second read)."""
        self._known[Path(dose.path)] = dose_words(dose)

    def request(self, paths: Sequence[Path]) -> None:
        """Read in one daemon thread the maxima not yet known."""
        wanted = [p for p in paths if p not in self._known and p not in self._reading]
        if not wanted:
            return
        self._reading.update(wanted)
        threading.Thread(target=self._run, args=(wanted,), daemon=True,
                         name="rtviewer-dose-maxima").start()

    def _run(self, paths: list[Path]) -> None:
        from rtviewer.dicom.dose import read_dose  # the reader only when needed

        for path in paths:
            try:
                text: str | None = dose_words(read_dose(path))
            except Exception:  # noqa: BLE001 - loading this dose names the problem
                text = None
            with contextlib.suppress(RuntimeError):  # the window was closed meanwhile
                self._read.emit(str(path), text)

    def _on_read(self, path: str, text: str | None) -> None:
        self._reading.discard(Path(path))
        self._known[Path(path)] = text
        if text is not None:
            self.found.emit(path)


def _natural(label: str) -> tuple[bool, list[int | str]]:
    """Sort key: BEAM doses after the others, numbers in a label by value."""
    parts = [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", label)]
    return label.startswith("BEAM"), parts


def dose_words(dose: Dose) -> str:
    """``"max 63.3 Gy"``; a BEAM dose names its beam first: ``"beam 3, max 13.7 Gy"``.

    Six BEAM doses of one plan differ by their beam, which the file names do not say.
    """
    maximum = format_maximum(dose.max_gy, dose.units.value)
    beams = dose.referenced_beam_numbers
    if getattr(dose.summation_type, "value", None) != "BEAM" or not beams:
        return maximum
    which = "beam" if len(beams) == 1 else "beams"
    return f"{which} {', '.join(map(str, beams))}, {maximum}"


def fill_dose_combo(combo: QtWidgets.QComboBox, paths: Sequence[Path],
                    instances: Mapping[Path, Instance], maxima: DoseMaxima) -> None:
    """Items ``"PLAN dose, max 63.3 Gy"`` (file tail only between equal labels), data = path.

    The first path is the dose shown.
    """
    labels = distinct_labels(paths, [dose_label(p, instances.get(p), maxima.get(p))
                                     for p in paths])
    # the shown dose first; the others whole-plan first, then beam 1, 2, ..., 10
    order = [0, *sorted(range(1, len(paths)), key=lambda i: _natural(labels[i]))][:len(paths)]
    paths, labels = [paths[i] for i in order], [labels[i] for i in order]
    with QtCore.QSignalBlocker(combo):
        combo.clear()
        for path, label in zip(paths, labels, strict=True):
            combo.addItem(label, str(path))
            combo.setItemData(combo.count() - 1, str(path), QtCore.Qt.ItemDataRole.ToolTipRole)
        if paths:
            combo.setToolTip(f"Dose shown: {labels[0]}\n{paths[0]}\n"
                             "Doses of this plan / study: one at a time")
        else:
            combo.addItem("No dose")
        # a dose's label is read first in the toolbar: in black even when it is the only
        # one (a disabled combo greyed "PLAN dose, max 63.9 Gy" as if it were unavailable)
        combo.setEnabled(bool(paths))
    fit_dose_combo(combo)


def fit_dose_combo(combo: QtWidgets.QComboBox) -> None:
    """Wide enough for the combo's longest label as drawn, never for a vendor file name.

    Measured in the combo's font, not counted in characters: the HDR demo's
    "TG-43 (rtviewer) from dwells" (28 characters, 172 px in DejaVu Sans 9) asked for 28
    widths of an 'x' (196 px), and the toolbar wrapped to a second row at 1280x800.
    """
    fit_combo_width(combo, min_chars=MIN_LABEL_CHARS, max_chars=MAX_LABEL_CHARS)
