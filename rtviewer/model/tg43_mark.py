"""How rtviewer's own TG-43 dose is told from a planning system's RT Dose.

Apart from :mod:`rtviewer.model.brachy_tg43_dose` (the calculation and its source data),
so that the window's modules that only name or recognise that dose (the dose combo, the
isodose legend, the Dose tab) do not import the calculation before the first image.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rtviewer.model.dose import Dose

__all__ = ["TG43_DOSE_NAME", "TG43_FINDING", "is_tg43_dose"]

#: What the dose is called wherever a dose is named (file-name-like, 16 characters:
#: :func:`rtviewer.view.dose_labels.short_name` keeps it whole).
TG43_DOSE_NAME = "TG-43 (rtviewer)"
#: The finding that marks a :class:`Dose` as rtviewer's TG-43 calculation.
TG43_FINDING = "TG43_RTVIEWER_DOSE"


def is_tg43_dose(dose: Dose | None) -> bool:
    """Whether ``dose`` is rtviewer's TG-43 calculation (not a planning system's file)."""
    return dose is not None and any(f.code == TG43_FINDING for f in dose.findings)
