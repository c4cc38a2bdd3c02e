"""The one registry of rtviewer's readers: kind of object → reader → model type.

Every :class:`~rtviewer.model.kind.Kind` is either read here (:data:`READERS`) or
named in :data:`NOT_READ` with the reason; ``tests/dicom/test_kinds.py`` checks both,
and that each reader returns its model type. Who reads by kind (``rtviewer check``,
the viewer's loader) goes through this table, typed, instead of importing modules by
name.

The reader modules are imported on first use, so that importing the registry (the
main window does) costs nothing: a reader pulls in pydicom's pixel handlers and the
geometry code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from rtviewer.model.dose import Dose
from rtviewer.model.image import ImageVolume
from rtviewer.model.kind import Kind
from rtviewer.model.plan import Plan
from rtviewer.model.record import TreatmentRecord
from rtviewer.model.registration import SpatialRegistration
from rtviewer.model.rtimage import RtImage
from rtviewer.model.structure import StructureSet

__all__ = ["ObjectReader", "IMAGE_SERIES", "STRUCTURE_SET", "DOSE", "PLAN", "RT_IMAGE",
           "RECORD", "REGISTRATION", "READERS", "NOT_READ"]

S = TypeVar("S")
T = TypeVar("T")


@dataclass(frozen=True)
class ObjectReader(Generic[S, T]):
    """How the objects of some kinds are read.

    Parameters
    ----------
    kinds : tuple of Kind
        The kinds this reader reads (an RT Plan and an RT Ion Plan share one).
    model : type
        What :attr:`read` returns.
    read : callable
        ``read(source) -> model``: one file (``Path``), or for an image series its files.
        Raises :class:`~rtviewer.errors.RtViewerError` naming the file when it cannot.
    checked : bool
        ``rtviewer check`` reads each file of these kinds and reports its findings.
    """

    kinds: tuple[Kind, ...]
    model: type[T]
    read: Callable[[S], T]
    checked: bool = True


def _image_series(paths: Sequence[Path]) -> ImageVolume:
    from rtviewer.dicom.image import read_image_volume

    return read_image_volume(paths)


def _structure_set(path: Path) -> StructureSet:
    from rtviewer.dicom.structure import read_structure_set

    return read_structure_set(path)


def _dose(path: Path) -> Dose:
    from rtviewer.dicom.dose import read_dose

    return read_dose(path)


def _plan(path: Path) -> Plan:
    from rtviewer.dicom.plan import read_plan

    return read_plan(path)


def _rt_image(path: Path) -> RtImage:
    from rtviewer.dicom.rtimage import read_rt_image

    return read_rt_image(path)


def _record(path: Path) -> TreatmentRecord:
    from rtviewer.dicom.record import read_treatment_record

    return read_treatment_record(path)


def _registration(path: Path) -> SpatialRegistration:
    from rtviewer.dicom.registration import read_registration

    return read_registration(path)


#: An image series (its slices' files, in any order) into one volume; the scan checks
#: each slice's header, the check does not read pixels.
IMAGE_SERIES: ObjectReader[Sequence[Path], ImageVolume] = ObjectReader(
    (Kind.IMAGE,), ImageVolume, _image_series, checked=False)
STRUCTURE_SET: ObjectReader[Path, StructureSet] = ObjectReader(
    (Kind.STRUCTURE_SET,), StructureSet, _structure_set)
DOSE: ObjectReader[Path, Dose] = ObjectReader((Kind.DOSE,), Dose, _dose)
PLAN: ObjectReader[Path, Plan] = ObjectReader((Kind.PLAN, Kind.ION_PLAN), Plan, _plan)
RT_IMAGE: ObjectReader[Path, RtImage] = ObjectReader((Kind.RT_IMAGE,), RtImage, _rt_image)
RECORD: ObjectReader[Path, TreatmentRecord] = ObjectReader(
    (Kind.RECORD,), TreatmentRecord, _record)
#: Read when ``rtviewer compare --registration`` applies one; the check does not read it.
REGISTRATION: ObjectReader[Path, SpatialRegistration] = ObjectReader(
    (Kind.REGISTRATION,), SpatialRegistration, _registration, checked=False)

#: The reader of each kind that has one.
READERS: Mapping[Kind, ObjectReader[Any, Any]] = {
    kind: reader
    for reader in (IMAGE_SERIES, STRUCTURE_SET, DOSE, PLAN, RT_IMAGE, RECORD, REGISTRATION)
    for kind in reader.kinds}

#: The kinds without a reader, and why.
NOT_READ: Mapping[Kind, str] = {
    Kind.SEGMENTATION: "listed, not displayed (out of scope)",
    Kind.DICOMDIR: "a media directory: the scan reads the files themselves",
    Kind.OTHER: "listed, not displayed",
}
