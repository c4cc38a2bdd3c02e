"""Type 1C and 2C attributes of the RT modules, with their conditions as data.

Each :class:`ConditionalRule` is one row of a PS3.3 module table whose Type is 1C
or 2C: the attribute, where it sits, the section of PS3.3 that states it, and its
condition, written with the small vocabulary below so that it can be evaluated
(:mod:`rtviewer.dicom.conformance.conditional`). ``condition_text`` is the
standard's wording, shown in the finding.

Only the part of a condition that can be decided from the object itself is
encoded. "Required for the first item of the Control Point Sequence, or if Gantry
Angle changes during the Beam" becomes :class:`FirstItem`: when the attribute is
absent, a change cannot be seen, but the first control point must carry it.
Conditions that depend on what is outside the object ("Required if RT Dose is
being sent") are not listed.

Kept apart from ``tables.py`` (the generated Type 1/2 tables): these rows are
written by hand from the standard, each with its section.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydicom.dataset import Dataset

__all__ = ["CONDITIONAL_RULES", "ConditionalRule", "Context", "Condition", "Present",
           "Absent", "ValueIn", "GreaterThan", "FirstItem", "AnyItemHas", "AllOf"]

Scope = Literal["item", "parent", "root"]


@dataclass(frozen=True)
class Context:
    """Where a condition is evaluated: an item, its index, its parent item and the root."""

    item: Dataset
    index: int
    parent: Dataset | None
    root: Dataset

    def scoped(self, scope: Scope) -> Dataset | None:
        """The dataset a condition of ``scope`` looks at."""
        return {"item": self.item, "parent": self.parent, "root": self.root}[scope]


def _value(ds: Dataset | None, keyword: str) -> Any:
    if ds is None or keyword not in ds:
        return None
    try:
        return ds[keyword].value
    except Exception:  # noqa: BLE001 - an undecodable value decides nothing
        return None


def _non_empty(ds: Dataset | None, keyword: str) -> bool:
    value = _value(ds, keyword)
    return value is not None and value != "" and value != []


class Condition:
    """A condition of a PS3.3 module table; :meth:`holds` evaluates it."""

    def holds(self, ctx: Context) -> bool:  # pragma: no cover - abstract
        """Whether the condition is met in ``ctx``."""
        raise NotImplementedError


@dataclass(frozen=True)
class Present(Condition):
    """``keyword`` is present (and not empty)."""

    keyword: str
    scope: Scope = "item"

    def holds(self, ctx: Context) -> bool:  # noqa: D102
        return _non_empty(ctx.scoped(self.scope), self.keyword)


@dataclass(frozen=True)
class Absent(Condition):
    """``keyword`` is absent (or empty)."""

    keyword: str
    scope: Scope = "item"

    def holds(self, ctx: Context) -> bool:  # noqa: D102
        return not _non_empty(ctx.scoped(self.scope), self.keyword)


@dataclass(frozen=True)
class ValueIn(Condition):
    """``keyword`` has one of ``values`` (a multi-valued attribute: any of its values)."""

    keyword: str
    values: tuple[Any, ...]
    scope: Scope = "item"

    def holds(self, ctx: Context) -> bool:  # noqa: D102
        value = _value(ctx.scoped(self.scope), self.keyword)
        if value is None:
            return False
        single = isinstance(value, str | bytes) or not hasattr(value, "__iter__")
        found = [value] if single else list(value)
        return any(_same(v, want) for v in found for want in self.values)


def _same(value: Any, want: Any) -> bool:
    if isinstance(want, str):
        return str(value).strip().upper() == want
    return bool(value == want)


@dataclass(frozen=True)
class GreaterThan(Condition):
    """``keyword`` is a number greater than ``limit``."""

    keyword: str
    limit: float
    scope: Scope = "item"

    def holds(self, ctx: Context) -> bool:  # noqa: D102
        try:
            return float(_value(ctx.scoped(self.scope), self.keyword)) > self.limit
        except (TypeError, ValueError):
            return False


@dataclass(frozen=True)
class FirstItem(Condition):
    """The item is the first of its sequence."""

    def holds(self, ctx: Context) -> bool:  # noqa: D102
        return ctx.index == 0


@dataclass(frozen=True)
class AnyItemHas(Condition):
    """Some item of ``sequence`` (in the current item) has a non-empty ``keyword``."""

    sequence: str
    keyword: str

    def holds(self, ctx: Context) -> bool:  # noqa: D102
        items = _value(ctx.item, self.sequence) or []
        return any(isinstance(i, Dataset) and _non_empty(i, self.keyword) for i in items)


@dataclass(frozen=True)
class AllOf(Condition):
    """Every one of ``conditions`` holds."""

    conditions: tuple[Condition, ...]

    def holds(self, ctx: Context) -> bool:  # noqa: D102
        return all(c.holds(ctx) for c in self.conditions)


@dataclass(frozen=True)
class ConditionalRule:
    """One Type 1C/2C row of a PS3.3 module table.

    Parameters
    ----------
    iods : tuple of str
        The IODs (highdicom keys, ``"rt-plan"``) whose module holds the row.
    module : str
        The module's name.
    section : str
        The PS3.3 section of the module table (``"C.8.8.14"``).
    path : tuple of str
        Keywords of the enclosing sequences, outermost first.
    keyword : str
        The attribute.
    attribute_type : {"1C", "2C"}
    condition : Condition
    condition_text : str
        The standard's wording of the condition.
    """

    iods: tuple[str, ...]
    module: str
    section: str
    path: tuple[str, ...]
    keyword: str
    attribute_type: Literal["1C", "2C"]
    condition: Condition
    condition_text: str


_PLAN = ("rt-plan",)
_ION = ("rt-ion-plan",)
_PLANS = ("rt-plan", "rt-ion-plan")
_DOSE = ("rt-dose",)
_PIXEL_DATA = Present("PixelData")
_PIXEL_TEXT = "Required if Pixel Data (7FE0,0010) is present"
_DOSE_WITH_PLAN = ("PLAN", "MULTI_PLAN", "FRACTION", "BEAM", "BRACHY", "FRACTION_SESSION",
                   "BEAM_SESSION", "BRACHY_SESSION", "CONTROL_POINT")


def _count(iods: tuple[str, ...], module: str, section: str, path: tuple[str, ...],
           sequence: str, number: str, number_tag: str) -> ConditionalRule:
    """The "Required if Number of X is non-zero" row of a sequence of X."""
    return ConditionalRule(iods, module, section, path, sequence, "1C",
                           GreaterThan(number, 0),
                           f"Required if {_spaced(number)} ({number_tag}) is non-zero")


def _spaced(keyword: str) -> str:
    out = "".join(f" {c}" if c.isupper() else c for c in keyword).strip()
    return out.replace("R T ", "RT ").replace(" Of ", " of ")


def _first_control_point(iods: tuple[str, ...], module: str, section: str, sequence: str,
                         keyword: str, attribute_type: Literal["1C", "2C"]) -> ConditionalRule:
    """A control point attribute required in the first item, or where it changes."""
    return ConditionalRule(
        iods, module, section, ("IonBeamSequence" if iods == _ION else "BeamSequence",
                                sequence), keyword, attribute_type, FirstItem(),
        f"Required for the first item of the {_spaced(sequence)}, or if "
        f"{_spaced(keyword)} changes during the Beam")


_CONTROL_POINT_1C = ("GantryAngle", "GantryRotationDirection", "BeamLimitingDeviceAngle",
                     "BeamLimitingDeviceRotationDirection", "PatientSupportAngle",
                     "PatientSupportRotationDirection", "TableTopEccentricAngle",
                     "TableTopEccentricRotationDirection")
_CONTROL_POINT_2C = ("TableTopVerticalPosition", "TableTopLongitudinalPosition",
                     "TableTopLateralPosition", "IsocenterPosition")

# Beam accessories: (RT Beams sequence, RT Ion Beams sequence, its count, the count's tag);
# each sequence is 1C, "Required if Number of ... is non-zero".
_ACCESSORIES = (
    ("WedgeSequence", "IonWedgeSequence", "NumberOfWedges", "300A,00D0"),
    ("CompensatorSequence", "IonRangeCompensatorSequence", "NumberOfCompensators",
     "300A,00E0"),
    ("ReferencedBolusSequence", "ReferencedBolusSequence", "NumberOfBoli", "300A,00ED"),
    ("BlockSequence", "IonBlockSequence", "NumberOfBlocks", "300A,00F0"),
)
_ION_DEVICES = (
    ("", "RangeShifterSequence", "NumberOfRangeShifters", "300A,0312"),
    ("", "LateralSpreadingDeviceSequence", "NumberOfLateralSpreadingDevices", "300A,0330"),
    ("", "RangeModulatorSequence", "NumberOfRangeModulators", "300A,0340"),
)

#: The Type 1C/2C rows evaluated, RT modules first.
CONDITIONAL_RULES: tuple[ConditionalRule, ...] = (
    # RT Dose module, PS3.3 C.8.8.3
    *(ConditionalRule(_DOSE, "RT Dose", "C.8.8.3", (), kw, "1C", _PIXEL_DATA, _PIXEL_TEXT)
      for kw in ("SamplesPerPixel", "PhotometricInterpretation", "BitsAllocated",
                 "BitsStored", "HighBit", "PixelRepresentation", "DoseGridScaling")),
    ConditionalRule(_DOSE, "RT Dose", "C.8.8.3", (), "GridFrameOffsetVector", "1C",
                    ValueIn("FrameIncrementPointer", (0x3004000C,)),
                    "Required if multi-frame pixel data are present and Frame Increment "
                    "Pointer (0028,0009) points to Grid Frame Offset Vector (3004,000C)"),
    ConditionalRule(_DOSE, "RT Dose", "C.8.8.3", (), "ReferencedRTPlanSequence", "1C",
                    ValueIn("DoseSummationType", _DOSE_WITH_PLAN),
                    "Required if Dose Summation Type (3004,000A) is PLAN, MULTI_PLAN, "
                    "FRACTION, BEAM, BRACHY, FRACTION_SESSION, BEAM_SESSION, BRACHY_SESSION "
                    "or CONTROL_POINT"),
    ConditionalRule(_DOSE, "RT Dose", "C.8.8.3", ("ReferencedRTPlanSequence",),
                    "ReferencedFractionGroupSequence", "1C",
                    ValueIn("DoseSummationType", _DOSE_WITH_PLAN[2:], "root"),
                    "Required if Dose Summation Type (3004,000A) is FRACTION, BEAM, BRACHY, "
                    "FRACTION_SESSION, BEAM_SESSION, BRACHY_SESSION or CONTROL_POINT"),
    ConditionalRule(_DOSE, "RT Dose", "C.8.8.3",
                    ("ReferencedRTPlanSequence", "ReferencedFractionGroupSequence"),
                    "ReferencedBeamSequence", "1C",
                    ValueIn("DoseSummationType", ("BEAM", "BEAM_SESSION", "CONTROL_POINT"),
                            "root"),
                    "Required if Dose Summation Type (3004,000A) is BEAM, BEAM_SESSION or "
                    "CONTROL_POINT"),
    ConditionalRule(_DOSE, "RT Dose", "C.8.8.3",
                    ("ReferencedRTPlanSequence", "ReferencedFractionGroupSequence"),
                    "ReferencedBrachyApplicationSetupSequence", "1C",
                    ValueIn("DoseSummationType", ("BRACHY", "BRACHY_SESSION"), "root"),
                    "Required if Dose Summation Type (3004,000A) is BRACHY or BRACHY_SESSION"),
    # RT ROI Observations module, PS3.3 C.8.8.8
    ConditionalRule(("rt-structure-set",), "RT ROI Observations", "C.8.8.8",
                    ("RTROIObservationsSequence", "ROIPhysicalPropertiesSequence"),
                    "ROIElementalCompositionSequence", "1C",
                    ValueIn("ROIPhysicalProperty", ("ELEM_FRACTION",)),
                    "Required if ROI Physical Property (3006,00B2) equals ELEM_FRACTION"),
    # RT Image module, PS3.3 C.8.8.2
    ConditionalRule(("rt-image",), "RT Image", "C.8.8.2", (), "PixelIntensityRelationshipSign",
                    "1C", Present("PixelIntensityRelationship"),
                    "Required if Pixel Intensity Relationship (0028,1040) is present"),
    # RT General Plan module, PS3.3 C.8.8.9
    ConditionalRule(_PLANS, "RT General Plan", "C.8.8.9", (), "ReferencedStructureSetSequence",
                    "1C", ValueIn("RTPlanGeometry", ("PATIENT",)),
                    "Required if RT Plan Geometry (300A,000C) is PATIENT"),
    # RT Patient Setup module, PS3.3 C.8.8.12
    ConditionalRule(_PLANS, "RT Patient Setup", "C.8.8.12", ("PatientSetupSequence",),
                    "PatientPosition", "1C", Absent("PatientAdditionalPosition"),
                    "Required if Patient Additional Position (300A,0184) is not present"),
    ConditionalRule(_PLANS, "RT Patient Setup", "C.8.8.12", ("PatientSetupSequence",),
                    "PatientAdditionalPosition", "1C", Absent("PatientPosition"),
                    "Required if Patient Position (0018,5100) is not present"),
    # RT Fraction Scheme module, PS3.3 C.8.8.13
    _count(_PLANS, "RT Fraction Scheme", "C.8.8.13", ("FractionGroupSequence",),
           "ReferencedBeamSequence", "NumberOfBeams", "300A,0080"),
    _count(_PLANS, "RT Fraction Scheme", "C.8.8.13", ("FractionGroupSequence",),
           "ReferencedBrachyApplicationSetupSequence", "NumberOfBrachyApplicationSetups",
           "300A,00A0"),
    # RT Beams module, PS3.3 C.8.8.14
    *(_count(_PLAN, "RT Beams", "C.8.8.14", ("BeamSequence",), photon, number, tag)
      for photon, _ion, number, tag in _ACCESSORIES),
    ConditionalRule(_PLAN, "RT Beams", "C.8.8.14", ("BeamSequence",),
                    "FinalCumulativeMetersetWeight", "1C",
                    AnyItemHas("ControlPointSequence", "CumulativeMetersetWeight"),
                    "Required if Cumulative Meterset Weight is non-null in Control Points "
                    "specified within Control Point Sequence (300A,0111)"),
    ConditionalRule(_PLAN, "RT Beams", "C.8.8.14",
                    ("BeamSequence", "BeamLimitingDeviceSequence"), "LeafPositionBoundaries",
                    "2C", ValueIn("RTBeamLimitingDeviceType", ("MLCX", "MLCY")),
                    "Required if RT Beam Limiting Device Type (300A,00B8) is MLCX or MLCY"),
    _first_control_point(_PLAN, "RT Beams", "C.8.8.14", "ControlPointSequence",
                         "BeamLimitingDevicePositionSequence", "1C"),
    *(_first_control_point(_PLAN, "RT Beams", "C.8.8.14", "ControlPointSequence", kw, "1C")
      for kw in _CONTROL_POINT_1C),
    *(_first_control_point(_PLAN, "RT Beams", "C.8.8.14", "ControlPointSequence", kw, "2C")
      for kw in _CONTROL_POINT_2C),
    ConditionalRule(_PLAN, "RT Beams", "C.8.8.14", ("BeamSequence", "ControlPointSequence"),
                    "WedgePositionSequence", "1C",
                    AllOf((FirstItem(), GreaterThan("NumberOfWedges", 0, "parent"))),
                    "Required for the first item of the Control Point Sequence if Number of "
                    "Wedges (300A,00D0) is non-zero, and in subsequent Control Points if "
                    "Wedge Position (300A,0118) changes during the Beam"),
    # RT Ion Beams module, PS3.3 C.8.8.25
    *(_count(_ION, "RT Ion Beams", "C.8.8.25", ("IonBeamSequence",), ion, number, tag)
      for _photon, ion, number, tag in _ACCESSORIES + _ION_DEVICES),
    ConditionalRule(_ION, "RT Ion Beams", "C.8.8.25", ("IonBeamSequence",),
                    "FinalCumulativeMetersetWeight", "1C",
                    AnyItemHas("IonControlPointSequence", "CumulativeMetersetWeight"),
                    "Required if Cumulative Meterset Weight is non-null in Control Points "
                    "specified within Ion Control Point Sequence (300A,03A8)"),
    *(_first_control_point(_ION, "RT Ion Beams", "C.8.8.25", "IonControlPointSequence", kw,
                           "1C") for kw in _CONTROL_POINT_1C),
    # RT Brachy Application Setups module, PS3.3 C.8.8.15
    ConditionalRule(_PLAN, "RT Brachy Application Setups", "C.8.8.15",
                    ("ApplicationSetupSequence", "ChannelSequence"), "FinalCumulativeTimeWeight",
                    "1C", AnyItemHas("BrachyControlPointSequence", "CumulativeTimeWeight"),
                    "Required if Cumulative Time Weight (300A,02D6) is non-null in Control "
                    "Points specified within Brachy Control Point Sequence (300A,02D0)"),
)
