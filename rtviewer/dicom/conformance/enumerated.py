"""Enumerated values of the attributes rtviewer reads.

A short hand list, on purpose: highdicom's tables carry attribute types but not
value sets, and rtviewer only needs to know when a value it *interprets* is
outside the standard's list (it then falls back, and says so). Values are from
PS3.3 (C.8.8 RT modules, C.7.3.1 patient position).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.tag import BaseTag

from rtviewer.model.findings import Finding, Severity

__all__ = ["ENUMERATED_VALUES", "check_enumerated_values"]

#: keyword -> the values the standard allows (enumerated values or the defined terms
#: rtviewer interprets).
ENUMERATED_VALUES: dict[str, frozenset[str]] = {
    "DoseUnits": frozenset({"GY", "RELATIVE"}),
    "DoseType": frozenset({"PHYSICAL", "EFFECTIVE", "ERROR"}),
    "DoseSummationType": frozenset({
        "PLAN", "MULTI_PLAN", "PLAN_OVERVIEW", "FRACTION", "BEAM", "BRACHY",
        "FRACTION_SESSION", "BEAM_SESSION", "BRACHY_SESSION", "CONTROL_POINT", "RECORD"}),
    "ContourGeometricType": frozenset({"POINT", "OPEN_PLANAR", "OPEN_NONPLANAR",
                                       "CLOSED_PLANAR"}),
    "PatientPosition": frozenset({
        "HFP", "HFS", "HFDR", "HFDL", "FFDR", "FFDL", "FFP", "FFS",
        "LFP", "LFS", "RFP", "RFS", "AFDR", "AFDL", "PFDR", "PFDL"}),
    "BeamType": frozenset({"STATIC", "DYNAMIC"}),
    "RTBeamLimitingDeviceType": frozenset({"X", "Y", "ASYMX", "ASYMY", "MLCX", "MLCY"}),
    "PrimaryDosimeterUnit": frozenset({"MU", "MINUTE", "NP"}),
    "TreatmentDeliveryType": frozenset({
        "TREATMENT", "OPEN_PORTFILM", "TRAILING_PORTFILM", "CONTINUATION", "SETUP",
        "VERIFICATION"}),
    "TreatmentTerminationStatus": frozenset({"NORMAL", "OPERATOR", "MACHINE", "UNKNOWN"}),
    "GantryRotationDirection": frozenset({"CW", "CC", "NONE"}),
    "BeamLimitingDeviceRotationDirection": frozenset({"CW", "CC", "NONE"}),
    "PatientSupportRotationDirection": frozenset({"CW", "CC", "NONE"}),
    "RTImagePlane": frozenset({"NORMAL", "NON_NORMAL"}),
    "DVHType": frozenset({"DIFFERENTIAL", "CUMULATIVE", "NATURAL"}),
    "DVHVolumeUnits": frozenset({"CM3", "PERCENT", "PER_U"}),
    "DoseReferenceStructureType": frozenset({"POINT", "VOLUME", "COORDINATES", "SITE"}),
    "DoseReferenceType": frozenset({"TARGET", "ORGAN_AT_RISK"}),
}


_ENUMERATED_TAGS = {tag_for_keyword(k): k for k in ENUMERATED_VALUES}


def _is_sequence(tag: BaseTag) -> bool:
    try:
        return bool(dictionary_VR(tag) == "SQ")
    except KeyError:  # private or unknown: rtviewer interprets nothing inside
        return False


def _walk(ds: Dataset, depth: int = 0) -> Iterator[tuple[str, object]]:
    # Iterate over tags, not elements: touching an element decodes its value, and
    # decoding every ContourData would cost seconds per structure set.
    for tag in list(ds.keys()):
        if tag in _ENUMERATED_TAGS:
            yield _ENUMERATED_TAGS[tag], ds[tag].value
        elif depth < 4 and _is_sequence(tag):
            for item in ds[tag].value or ():
                yield from _walk(item, depth + 1)


def check_enumerated_values(ds: Dataset) -> list[Finding]:
    """Report values outside the standard's list for the attributes rtviewer interprets.

    Parameters
    ----------
    ds : pydicom.Dataset
        Any dataset; nested sequences are searched to 4 levels.

    Returns
    -------
    list of Finding
        One ``ENUMERATED_VALUE`` information per (attribute, value), with how often
        it occurs.
    """
    counts: dict[tuple[str, str], int] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # malformed values are reported by the readers
        try:
            pairs = list(_walk(ds))
        except Exception:  # a dataset too damaged to walk is reported by the readers
            return []
    for keyword, value in pairs:
        values = value if isinstance(value, MultiValue | list | tuple) else [value]
        for single in values:
            text = str(single).strip()
            if text and text not in ENUMERATED_VALUES[keyword]:
                counts[(keyword, text)] = counts.get((keyword, text), 0) + 1
    return [
        Finding("ENUMERATED_VALUE",
                f"{keyword} is {text!r}, not one of the standard's values "
                f"({', '.join(sorted(ENUMERATED_VALUES[keyword]))})"
                + (f"; {n} occurrences." if n > 1 else "."),
                Severity.INFO, keyword, _assumption(keyword, text))
        for (keyword, text), n in sorted(counts.items())
    ]


#: Vendor values outside the standard's list that rtviewer understands, and how.
_UNDERSTOOD = {
    "RTBeamLimitingDeviceType": (
        re.compile(r"MLC[XY]\d+"),
        "a layer of a stacked MLC (Varian Halcyon, Ethos: MLCX1, MLCX2): the field is drawn "
        "where every layer and the jaws are open"),
}


def _assumption(keyword: str, value: str) -> str:
    understood = _UNDERSTOOD.get(keyword)
    if understood is not None and understood[0].fullmatch(value):
        return understood[1]
    return "rtviewer treats the value as unknown"
