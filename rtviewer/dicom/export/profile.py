"""dicognito configured for PS3.15 Annex E as it applies to RT objects.

dicognito does the work that must be consistent across files: every UID is remapped by
a keyed hash (the same source UID gives the same new UID in every file of the export,
so dose → plan → structures → images still resolve), every PN and ID is replaced, dates
are shifted. Configured here:

* Basic Application Level Confidentiality Profile (113100): on top of dicognito's
  actions, the Annex E attributes dicognito leaves alone are removed (X) or emptied (Z)
  (:data:`REMOVED`, :data:`EMPTIED`; written by hand because dicognito has no Annex E
  table and these few are the ones RT files carry), private tags dropped unless kept.
* Retain Longitudinal Temporal Information with Modified Dates (113107): one shift in
  whole days per patient, so times of day and intervals between fractions survive.
* Clean Descriptors (113105): descriptions and RT labels kept, reviewed by the user
  (:mod:`rtviewer.dicom.export.free_text`) and checked by the verification pass.
"""

from __future__ import annotations

from dicognito.anonymizer import Anonymizer
from dicognito.datetimeanonymizer import DateTimeAnonymizer
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset

__all__ = ["REMOVED", "EMPTIED", "PROFILE_CODES", "make_anonymiser", "prepare_profile",
           "finish_profile"]

#: Annex E "X" attributes found in RT data that dicognito does not remove.
REMOVED: frozenset[str] = frozenset({
    "PatientBirthTime", "PatientAge", "PatientSize", "PatientWeight", "PatientBirthName",
    "OtherPatientIDsSequence", "IssuerOfPatientID", "PatientComments",
    "AdditionalPatientHistory", "EthnicGroup", "PatientMotherBirthName", "MedicalAlerts",
    "Allergies", "PregnancyStatus", "SmokingStatus", "PatientState", "PatientAddress",
    "CountryOfResidence", "RegionOfResidence", "DeviceSerialNumber", "PlateID",
    "DetectorID", "RequestAttributesSequence", "ReferencedPatientSequence",
    "TextComments", "InterpretationText", "AdmittingDiagnosesDescription",
    "ImagePresentationComments", "VisitComments", "ReasonForStudy",
    "RequestingPhysician", "ScheduledPerformingPhysicianName", "PerformedLocation",
    "PerformedStationName", "PerformedStationAETitle", "ScheduledStationAETitle",
    "ModifiedAttributesSequence", "OriginalAttributesSequence",
})

#: Annex E "Z" attributes: kept present (type 2) but empty. A brachy source's serial
#: number names the site's equipment as a Device Serial Number does.
EMPTIED: frozenset[str] = frozenset({"PatientBirthDate", "PatientSex", "SourceSerialNumber"})

#: PS3.16 CID 7050 codes of what was done (DCM coding scheme).
PROFILE_CODES: tuple[tuple[str, str], ...] = (
    ("113100", "Basic Application Confidentiality Profile"),
    ("113107", "Retain Longitudinal Temporal Information Modified Dates Option"),
    ("113105", "Clean Descriptors Option"),
)


class _WholeDayShift(DateTimeAnonymizer):
    """dicognito's date shift, emptying a date it cannot parse instead of failing.

    A malformed DA ("2018", "UNKNOWN") cannot be shifted; kept, it would leak the
    original, so it is emptied (and named by the verification pass if anything stays).
    """

    def __call__(self, dataset: Dataset, data_element: DataElement) -> bool:
        try:
            return bool(super().__call__(dataset, data_element))
        except (ValueError, TypeError):
            data_element.value = ""
            return True


def make_anonymiser(seed: str, shift_days: int) -> Anonymizer:
    """A dicognito anonymiser for one patient.

    Parameters
    ----------
    seed : str
        Secret for the whole export: every anonymiser of one export shares it, so a
        UID, name or ID maps to the same new value in every file and patient.
    shift_days : int
        Days added to every date of this patient (negative: earlier).
    """
    anonymiser = Anonymizer(seed=seed)
    # Put first, so it handles DA/DT before dicognito's own (random-hour) shift.
    anonymiser.add_element_handler(_WholeDayShift(shift_days * 24))
    return anonymiser


def _strip(ds: Dataset) -> None:
    for elem in list(ds):
        if elem.keyword in REMOVED:
            del ds[elem.tag]
        elif elem.keyword in EMPTIED:
            elem.value = ""
        elif elem.VR == "SQ":
            for item in elem.value:
                _strip(item)


def prepare_profile(ds: Dataset, keep_private: bool) -> None:
    """Before dicognito: drop Annex E X attributes, empty the Z ones, drop private tags."""
    if not keep_private:
        ds.remove_private_tags()
    _strip(ds)


def finish_profile(ds: Dataset, identity_removed: bool, keep_private: bool) -> None:
    """After dicognito: record what was done in the dataset (PS3.15 E.1.1, PS3.3 C.7.1.1).

    Parameters
    ----------
    ds : Dataset
    identity_removed : bool
        False for an image that may still hold burnt-in text.
    keep_private : bool
        Private tags were kept unreviewed: the method says so.
    """
    for keyword in EMPTIED:
        if keyword in ds:
            setattr(ds, keyword, "")
    ds.PatientIdentityRemoved = "YES" if identity_removed else "NO"
    ds.LongitudinalTemporalInformationModified = "MODIFIED"
    method = "rtviewer export: dicognito, PS3.15 Annex E basic profile"
    if keep_private:
        method += "; private tags retained unreviewed"
    ds.DeidentificationMethod = method
    codes = []
    for value, meaning in PROFILE_CODES:
        item = Dataset()
        item.CodeValue = value
        item.CodingSchemeDesignator = "DCM"
        item.CodeMeaning = meaning
        codes.append(item)
    ds.DeidentificationMethodCodeSequence = codes
