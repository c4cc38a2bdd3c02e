"""The patient banner above the views and the window title: whose data is on screen.

Name, ID, birth date and sex come from the shown files' own header (read once per
load, header only, by :mod:`rtviewer.dicom.patient_header`); the plan label and
the reference dose from the loaded scene.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from html import escape
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.dicom.patient_header import PatientHeader, read_patient_header
from rtviewer.model.patient_identity import is_placeholder
from rtviewer.view.reference_dose import ReferenceDose
from rtviewer.view.tree_labels import person_name

__all__ = ["PatientBanner", "PatientFacts", "other_patients", "patient_facts", "plan_words",
           "reference_words", "sex_words", "window_title"]


#: Who the shown files belong to, the name as displayed (``"Family, Given"``).
PatientFacts = PatientHeader


def patient_facts(path: Path, headers: Mapping[Path, PatientHeader] | None = None
                  ) -> PatientFacts:
    """The banner's facts from ``path``'s header, the name as ``"Family, Given"``.

    ``headers``: headers already read (:attr:`LoadResult.headers`); others are read here.
    """
    header = _header(path, headers)
    return replace(header, name=person_name(header.name))


def _header(path: Path, headers: Mapping[Path, PatientHeader] | None) -> PatientHeader:
    known = headers.get(Path(path)) if headers else None
    return known if known is not None else read_patient_header(Path(path))


def other_patients(first: Path, files: Mapping[str, Path | None],
                   headers: Mapping[Path, PatientHeader] | None = None) -> str:
    """Which shown files belong to another patient than ``first``; ``""`` when none.

    ``files`` maps what a file is (``"dose"``) to its path. References may join files
    of two Patient IDs (the corpus proton plan's ID is not its dose's): the views show
    them together, and the banner must then say so rather than name one patient.
    ``headers``: headers already read, as for :func:`patient_facts`.

    Returns
    -------
    str
        ``"dose, structure set of patient ID WTR303030"``, one clause per other patient.
    """
    from rtviewer.model.patient_identity import different_patients  # the check's rule

    def key(header: PatientHeader) -> tuple[str | None, str | None]:
        return header.patient_id or None, header.name or None

    mine = key(_header(first, headers))
    others: dict[tuple[str | None, str | None], list[str]] = {}
    for what, path in files.items():
        if path is not None and Path(path) != Path(first):
            theirs = key(_header(Path(path), headers))
            if different_patients(mine, theirs):
                others.setdefault(theirs, []).append(what)
    return "; ".join(f"{', '.join(whats)} of patient ID {pid or '(none)'}"
                     + (f" ({person_name(name)})" if name else "")
                     for (pid, name), whats in others.items())


def plan_words(plan: object | None, reference: ReferenceDose | None) -> str:
    """``"Plan 'Lung 3DCRT' (Lung 3DCRT v2) · Rx 60 Gy"``; empty without plan or Rx."""
    words = []
    if plan is not None:
        label = getattr(plan, "label", None) or "(no label)"
        name = getattr(plan, "name", None)
        words.append(f"Plan '{label}'" + (f" ({name})" if name and name != label else ""))
    if reference is not None and reference.is_prescription:
        words.append(reference_words(reference))
    return " · ".join(words)


def reference_words(reference: ReferenceDose) -> str:
    """``"Rx 60 Gy"`` for the plan's prescription; any other 100 % says what it is.

    A brachy plan's Application Setup Dose, a FRACTION dose's share or the user's own
    value is no prescription the plan states (its Plan tab says "not stated").

    Examples
    --------
    >>> reference_words(ReferenceDose(14.0, "plan prescription 14 Gy (PLAN)"))
    'Rx 14 Gy'
    >>> reference_words(ReferenceDose(2.0, "prescription 60 Gy ÷ 30 fractions (FRACTION dose)"))
    '100 % = 2 Gy (prescription 60 Gy ÷ 30 fractions)'
    >>> reference_words(ReferenceDose(6.00155707, "Brachy Application Setup Dose 6.00156 Gy"))
    '100 % = 6.002 Gy (Application Setup Dose)'
    """
    value = f"{reference.dose_gy:.4g} Gy"
    source = reference.source
    if source.startswith("plan prescription"):
        return f"Rx {value}"
    if "Application Setup Dose" in source:
        source = "Application Setup Dose"
    return f"100 % = {value} ({source.split(' (')[0]})"


#: Patient's Sex (0010,0040): the standard's enumerated values (PS3.3 C.7.1.1).
_SEX_CODES = {"M": "M", "F": "F", "O": "O (other)"}


def sex_words(value: str | None) -> str:
    """The banner's words for Patient's Sex: the code, or the stored value marked invalid.

    The standard allows M, F and O; anything else is shown as stored, quoted, and said
    not to be one of them (the corpus' PET/CT pair stores ``0000``). ``""`` when empty.

    Examples
    --------
    >>> sex_words("F"), sex_words("O"), sex_words("")
    ('sex F', 'sex O (other)', '')
    >>> sex_words("0000")
    "sex '0000' (not a valid code: M, F or O)"
    """
    code = (value or "").strip()
    if not code:
        return ""
    if code in _SEX_CODES:
        return f"sex {_SEX_CODES[code]}"
    return f"sex '{code}' (not a valid code: M, F or O)"


def window_title(facts: PatientFacts | None, plan: object | None) -> str:
    """``"Demo, Thorax (RTV-DEMO-THORAX) — Plan 'Lung 3DCRT' — rtviewer"``."""
    parts = []
    if facts is not None:  # an anonymous patient is still said to be one
        parts.append(f"{facts.name or '(no name)'} ({facts.patient_id or 'no ID'})")
    if plan is not None:
        parts.append(f"Plan '{getattr(plan, 'label', None) or '(no label)'}'")
    return " — ".join([*parts, "rtviewer"])


class PatientBanner(QtWidgets.QLabel):
    """One line, always above the views: the patient shown, or why nothing is shown."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patient_banner")
        self.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.setStyleSheet("QLabel#patient_banner { background: #20324a; color: white;"
                           " padding: 4px 8px; font-size: 11pt; }")
        # a second line rather than a cut (a warning ends it); its height is set for
        # its width (_fit_height): a wrapped label's own size hint assumes a narrow
        # width and made the banner 116 px tall, which pushed the window past a
        # 1280x800 screen
        self.setWordWrap(True)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                           QtWidgets.QSizePolicy.Policy.Fixed)
        #: Plain text of the patient and plan shown ("" when none): burnt into screenshots.
        self.caption = ""
        self.show_message("No patient open. File → Open Folder, or drop a folder here.")

    def show_patient(self, facts: PatientFacts, plan_text: str, others: str = "") -> None:
        """Name, ID, birth date, sex, then the plan and its prescription.

        ``others`` (:func:`other_patients`): shown files of another patient, in amber.
        """
        who = [f"<b>{escape(facts.name or '(no name)')}</b>",
               f"ID <b>{escape(facts.patient_id or '(none)')}</b>"]
        if facts.birth_date:
            who.append(f"born {escape(facts.birth_date)}")
        if sex_words(facts.sex):
            who.append(escape(sex_words(facts.sex), quote=False))
        text = " · ".join(who)
        if plan_text:
            text += f"&nbsp;&nbsp;|&nbsp;&nbsp;{escape(plan_text, quote=False)}"
        warnings = [f"also shown: {others}"] if others else []
        if facts.patient_id.strip() and is_placeholder(facts.patient_id):
            # the corpus' three unrelated brachy patients are all 'UNKNOWN'
            warnings.append(f"'{facts.patient_id.strip()}' is a placeholder ID: files of "
                            "different patients may share it")
        for warning in warnings:
            text += (f"&nbsp;&nbsp;<span style='color:#ffb020'>⚠ "
                     f"{escape(warning, quote=False)}</span>")
        self.setText(text)
        plain = f"{facts.name or '(no name)'} · ID {facts.patient_id or '(none)'}"
        self.caption = " · ".join([plain, *([plan_text] if plan_text else []), *warnings])
        self.setToolTip(self.caption)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        """Set the text, then the height it needs at the banner's width."""
        super().setText(text)
        self._fit_height()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt override
        """A new width may need another number of lines."""
        super().resizeEvent(event)
        self._fit_height()

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt override
        """A new font or style sheet (presenter mode) needs another height."""
        super().changeEvent(event)
        if event.type() in (QtCore.QEvent.Type.FontChange, QtCore.QEvent.Type.StyleChange):
            self._fit_height()

    def _fit_height(self) -> None:
        fixed = self.minimumHeight()
        self.setMinimumHeight(0)  # QLabel's height for a width never drops below it
        height = self.heightForWidth(max(self.width(), 1))
        self.setMinimumHeight(fixed)
        if height > 0 and (height != self.height() or height != self.minimumHeight()):
            self.setFixedHeight(height)

    def show_message(self, message: str) -> None:
        """Nothing shown: say why (``"3 files, none DICOM"``)."""
        self.setText(escape(message, quote=False))
        self.setToolTip(message)
        self.caption = ""
