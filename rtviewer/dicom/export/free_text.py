"""RT free text that anonymisation keeps (the clinical meaning is in it), for review.

PS3.15 Annex E's Clean Descriptors option keeps descriptions once cleaned of identifying
text. Cleaning free text cannot be automated safely, so the values are listed for the
user to review and edit (``rtviewer export --list-text``, the export dialog); the
verification pass then checks what was kept for the patient's name, ID and birth date.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping

from pydicom.dataset import Dataset

__all__ = ["KEPT_TEXT_KEYWORDS", "TextEdits", "collect_free_text", "apply_text_edits"]

#: Free-text elements kept: RT labels and names, and the descriptors Annex E marks C
#: (clean) under the Clean Descriptors option.
KEPT_TEXT_KEYWORDS: frozenset[str] = frozenset({
    "ROIName", "ROIDescription", "ROIObservationLabel", "ROIObservationDescription",
    "StructureSetLabel", "StructureSetName", "StructureSetDescription",
    "RTPlanLabel", "RTPlanName", "RTPlanDescription", "PrescriptionDescription",
    "BeamName", "BeamDescription", "DoseReferenceDescription", "FractionGroupDescription",
    "RTImageLabel", "RTImageName", "RTImageDescription", "DoseComment",
    "ApplicationSetupName", "SetupTechniqueDescription", "PatientSetupLabel",
    "ToleranceTableLabel",
    "StudyDescription", "SeriesDescription", "ProtocolName", "ImageComments",
    "PerformedProcedureStepDescription", "RequestedProcedureDescription",
    "DerivationDescription", "AcquisitionDeviceProcessingDescription",
})

#: Replacements the user chose: (keyword, original value) → new value.
TextEdits = Mapping[tuple[str, str], str]


def _kept(ds: Dataset) -> Iterator[tuple[Dataset, str, str]]:
    for elem in ds:
        if elem.VR == "SQ":
            for item in elem.value:
                yield from _kept(item)
        elif elem.keyword in KEPT_TEXT_KEYWORDS and elem.value not in (None, ""):
            yield ds, elem.keyword, str(elem.value)


def collect_free_text(datasets: Iterable[Dataset]) -> list[tuple[str, str, int]]:
    """Every kept free-text value: (keyword, value, number of occurrences), sorted."""
    counts: Counter[tuple[str, str]] = Counter()
    for ds in datasets:
        counts.update((kw, value) for _, kw, value in _kept(ds))
    return sorted((kw, value, n) for (kw, value), n in counts.items())


def apply_text_edits(ds: Dataset, edits: TextEdits) -> int:
    """Replace the kept values the user edited, in place; return how many changed."""
    changed = 0
    for item, keyword, value in list(_kept(ds)):
        new = edits.get((keyword, value))
        if new is not None and new != value:
            setattr(item, keyword, new)
            changed += 1
    return changed
