"""The kinds of DICOM object rtviewer tells apart: what the viewer does with an instance.

A :class:`Kind` is a ``str`` whose value is the word the scan's JSON, CSV and cache
have always carried (``"rtrecord"``), so those contracts read the same.

=========================  ==================================================================
``IMAGE``                  a slice or multi-frame image: CT (also CBCT), MR, PET, NM, ...
``STRUCTURE_SET``          RT Structure Set
``PLAN``                   RT Plan (external beam and brachy), incl. known private classes
``ION_PLAN``               RT Ion Plan
``DOSE``                   RT Dose
``RT_IMAGE``               RT Image (portal images, DRRs)
``RECORD``                 RT Beams / Ion Beams / Brachy Treatment Record, Treatment Summary
``REGISTRATION``           Spatial and Deformable Spatial Registration
``SEGMENTATION``           Segmentation, Surface Segmentation (listed, not displayed)
``DICOMDIR``               Media Storage Directory: skipped by the scan
``OTHER``                  anything else (listed, not displayed)
=========================  ==================================================================

Which SOP Class is which kind: :mod:`rtviewer.dicom.sop_classes`; which reader reads a
kind into which model type: :mod:`rtviewer.dicom.readers`.

Examples
--------
>>> Kind("rtrecord") is Kind.RECORD, f"{Kind.RECORD}", Kind.PLAN.is_plan
(True, 'rtrecord', True)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Kind", "PLAN_KINDS", "KindText", "KIND_TEXT"]


class Kind(enum.StrEnum):
    """What rtviewer does with an instance (see the module docstring)."""

    IMAGE = "image"
    STRUCTURE_SET = "rtstruct"
    PLAN = "rtplan"
    ION_PLAN = "rtionplan"
    DOSE = "rtdose"
    RT_IMAGE = "rtimage"
    RECORD = "rtrecord"
    REGISTRATION = "registration"
    SEGMENTATION = "segmentation"
    DICOMDIR = "dicomdir"
    OTHER = "other"

    @property
    def is_plan(self) -> bool:
        """An RT Plan or RT Ion Plan: what a dose, RT Image or record may name as its plan."""
        return self in PLAN_KINDS


#: The kinds a dose, RT Image or treatment record may name as its plan.
PLAN_KINDS: frozenset[Kind] = frozenset({Kind.PLAN, Kind.ION_PLAN})


@dataclass(frozen=True)
class KindText:
    """What rtviewer says about one kind of object.

    Parameters
    ----------
    name : str or None
        How the About box names it (None: not named there).
    usage : str
        What the viewer does with it (the conformance statement's table).
    displayed : bool
        The viewer shows it, so the storage SCP accepts its SOP Classes.
    """

    name: str | None
    usage: str
    displayed: bool


#: Every kind's names and statements (About box, docs/CONFORMANCE.md, the network tables).
KIND_TEXT: dict[Kind, KindText] = {
    Kind.IMAGE: KindText(
        "images (CT, MR, PET, NM, CR/DX, secondary capture)",
        "Displayed; slices stacked into a volume by Image Position/Orientation "
        "(Patient) when present; Modality LUT applied (HU for CT)", True),
    Kind.STRUCTURE_SET: KindText(
        "RT Structure Set",
        "Contours displayed on the images; volumes and DVHs of closed planar ROIs", True),
    Kind.PLAN: KindText(
        "RT Plan (external beam and brachytherapy)",
        "Beams, control points, MLC/jaw apertures (stacked MLC layers intersected), "
        "wedges, blocks, applicators, compensators, boli, fluence, fractions, "
        "prescription shown; per beam energy, MU, dose rate, jaw field size, SSD, "
        "isocentre and tolerance table listed with the plan's total MU; brachy "
        "channels, dwell positions, sources and reference points shown", True),
    Kind.ION_PLAN: KindText(
        "RT Ion Plan",
        "Ion beams (both virtual source distances), energy layers and spots, "
        "snouts, range shifters and modulators shown; fractions, prescription", True),
    Kind.DOSE: KindText(
        "RT Dose",
        "Dose grid displayed as isodoses or colour wash; DVHs; embedded DVHs compared", True),
    Kind.RT_IMAGE: KindText(
        "RT Image",
        "Displayed with field outline and beam axis when the plan is present; "
        "NON_NORMAL planes placed by RT Image Orientation", True),
    Kind.RECORD: KindText(
        "RT treatment records",
        "Delivered metersets, interruptions and sessions listed against the plan", True),
    Kind.REGISTRATION: KindText(
        "spatial registrations",
        "Spatial Registration (rigid matrices) applied by rtviewer compare "
        "--registration; Deformable Spatial Registration refused (out of scope)", False),
    Kind.SEGMENTATION: KindText("segmentations", "Listed; not displayed", False),
    Kind.DICOMDIR: KindText(None, "Skipped: the files themselves are read", False),
    Kind.OTHER: KindText(None, "Listed; not displayed", False),
}
