"""Read an RT Plan or RT Ion Plan (external beam, ion or brachytherapy) into a :class:`Plan`.

The kind of plan is decided by content (Ion Beam Sequence, Application Setup
Sequence, Beam Sequence) and checked against the SOP Class. A private SOP Class
carrying standard plan content (Varian Halcyon/Ethos ``1.2.246.352.70.1.70``) is
read as a plan with a ``PRIVATE_SOP_CLASS`` finding.
"""

from __future__ import annotations

from pathlib import Path

from pydicom.dataset import Dataset

from rtviewer.dicom._plan_beams import read_beams
from rtviewer.dicom._plan_brachy import read_brachy
from rtviewer.dicom.captured import with_warnings_as_findings
from rtviewer.dicom.files import read_dataset
from rtviewer.dicom.read_once import once
from rtviewer.dicom.sop_classes import RT_ION_PLAN, RT_PLAN
from rtviewer.dicom.sop_inference import infer_sop_class, missing_sop_class_finding
from rtviewer.dicom.values import (
    Notes,
    coded,
    date_of,
    integer,
    items,
    number,
    numbered_items,
    text,
    time_of,
    vector,
)
from rtviewer.errors import UnsupportedObjectError
from rtviewer.model.findings import Severity
from rtviewer.model.kind import Kind
from rtviewer.model.plan import (
    Beam,
    DoseReference,
    DoseReferenceStructureType,
    DoseReferenceType,
    FractionGroup,
    FractionGroupDoseReference,
    PatientSetup,
    Plan,
    PlanKind,
    Prescription,
    ReferencedBeam,
    ReferencedBrachySetup,
    ToleranceTable,
)

__all__ = ["read_plan", "choose_prescription", "PRIVATE_PLAN_CLASSES"]

#: Vendors' private SOP Classes known to carry standard RT Plan content.
PRIVATE_PLAN_CLASSES = {"1.2.246.352.70.1.70": "Varian RT Plan (Halcyon / Ethos)"}
_PLAN_CONTENT = ("BeamSequence", "IonBeamSequence", "ApplicationSetupSequence",
                 "FractionGroupSequence")


def read_plan(path: str | Path) -> Plan:
    """Read an RT Plan / RT Ion Plan file.

    Parameters
    ----------
    path : str or Path
        The DICOM file.

    Returns
    -------
    Plan
        With beams (external or ion) or a brachy treatment, the prescription the
        viewer uses, and every recoverable quirk as a finding.

    Raises
    ------
    NotDicomError, UnreadableFileError
        The file is not DICOM or cannot be parsed.
    UnsupportedObjectError
        The file is DICOM but not a treatment plan.
    """
    return once(Kind.PLAN, Path(path), lambda: _read_plan(Path(path)))


def _read_plan(path: Path) -> Plan:
    """:func:`read_plan` without the read-once cache."""
    ds, read_findings = read_dataset(path)
    notes = Notes(read_findings)
    return with_warnings_as_findings(lambda: _build_plan(ds, path, notes), skip_known=True)


def _plan_kind(ds: Dataset, path: Path, notes: Notes) -> PlanKind:
    sop_class = text(ds, "SOPClassUID", notes)
    has_content = any(k in ds for k in _PLAN_CONTENT)
    if sop_class in PRIVATE_PLAN_CLASSES:
        notes.add("PRIVATE_SOP_CLASS", f"The SOP Class {sop_class} is the private "
                  f"'{PRIVATE_PLAN_CLASSES[sop_class]}' class; its standard RT Plan content is "
                  "read, private parts are ignored.", attribute="SOPClassUID",
                  assumption="RT Plan Storage")
    elif not sop_class:  # reported with the class inferred (the scan and the check)
        if not has_content and text(ds, "Modality", notes) != "RTPLAN":
            raise UnsupportedObjectError("this is not a treatment plan (no SOP Class UID, "
                                         f"Modality {text(ds, 'Modality', notes)}, no beams, "
                                         "fraction groups or application setups)", path=path)
        notes.append(missing_sop_class_finding(infer_sop_class(ds)))
    elif sop_class not in (RT_PLAN, RT_ION_PLAN):
        if not has_content and text(ds, "Modality", notes) != "RTPLAN":
            raise UnsupportedObjectError(
                f"this is not a treatment plan (SOP Class {sop_class}, Modality "
                f"{text(ds, 'Modality', notes)}, no beams, fraction groups or application setups)",
                path=path)
        notes.add("PRIVATE_SOP_CLASS", f"The SOP Class {sop_class} is not a standard RT Plan "
                  "class, but the file holds RT Plan content; it is read as a plan.",
                  attribute="SOPClassUID", assumption="RT Plan Storage")
    if "IonBeamSequence" in ds:
        kind = PlanKind.ION
    elif "ApplicationSetupSequence" in ds or "BrachyTreatmentType" in ds:
        kind = PlanKind.BRACHY
    elif "BeamSequence" in ds:
        kind = PlanKind.EXTERNAL
    else:
        kind = PlanKind.ION if sop_class == RT_ION_PLAN else PlanKind.EXTERNAL
    if (kind is PlanKind.ION) != (sop_class == RT_ION_PLAN) and sop_class in (RT_PLAN,
                                                                             RT_ION_PLAN):
        notes.add("SOP_CLASS_CONTENT_MISMATCH", f"The SOP Class ({sop_class}) does not match "
                  f"the content, which is an {kind.value} plan; the content is followed.",
                  attribute="SOPClassUID")
    return kind


def _build_plan(ds: Dataset, path: Path, notes: Notes) -> Plan:
    kind = _plan_kind(ds, path, notes)
    setups = _patient_setups(ds, notes)
    dose_refs = _dose_references(ds, notes)
    groups = _fraction_groups(ds, notes)
    beams: tuple[Beam, ...] = ()
    if kind is not PlanKind.BRACHY:
        beams = read_beams(ds, groups, notes, ion=kind is PlanKind.ION)
    brachy = read_brachy(ds, notes) if kind is PlanKind.BRACHY else None
    _check_structure(kind, beams, brachy is not None and bool(brachy.application_setups),
                     groups, setups, notes)
    prescription = choose_prescription(dose_refs, notes, groups)
    ref_ss = items(ds, "ReferencedStructureSetSequence", notes)
    return Plan(
        path=str(path), sop_class_uid=text(ds, "SOPClassUID", notes),
        sop_instance_uid=text(ds, "SOPInstanceUID", notes), kind=kind,
        label=text(ds, "RTPlanLabel", notes), name=text(ds, "RTPlanName", notes),
        description=text(ds, "RTPlanDescription", notes),
        date=date_of(ds, "RTPlanDate", notes, "plan"),
        time=time_of(ds, "RTPlanTime", notes, "plan"),
        intent=text(ds, "PlanIntent", notes), geometry=text(ds, "RTPlanGeometry", notes),
        manufacturer=text(ds, "Manufacturer", notes),
        model_name=text(ds, "ManufacturerModelName", notes),
        patient_id=text(ds, "PatientID", notes), patient_name=_person(ds, "PatientName"),
        study_instance_uid=text(ds, "StudyInstanceUID", notes),
        series_instance_uid=text(ds, "SeriesInstanceUID", notes),
        frame_of_reference_uid=text(ds, "FrameOfReferenceUID", notes),
        approval_status=text(ds, "ApprovalStatus", notes),
        referenced_structure_set_uid=text(ref_ss[0], "ReferencedSOPInstanceUID", notes)
        if ref_ss else None,
        patient_setups=setups, dose_references=dose_refs, fraction_groups=groups,
        beams=beams, prescription=prescription, brachy=brachy, findings=tuple(notes),
        reviewer_name=_person(ds, "ReviewerName"),
        review_date=date_of(ds, "ReviewDate", notes, "review"),
        review_time=time_of(ds, "ReviewTime", notes, "review"),
        tolerance_tables=tuple(
            ToleranceTable(integer(t, "ToleranceTableNumber", notes, "tolerance table"),
                           text(t, "ToleranceTableLabel", notes))
            for t in items(ds, "ToleranceTableSequence", notes)))


def _person(ds: Dataset, keyword: str) -> str | None:
    """A Person Name as one string, ``^`` shown as spaces.

    Not :func:`text`: a PersonName is iterable (by character), so "the first value"
    would keep only its initial.
    """
    value = ds.get(keyword)
    name = " ".join(str(value or "").replace("^", " ").split())
    return name or None


def _patient_setups(ds: Dataset, notes: Notes) -> tuple[PatientSetup, ...]:
    setups = []
    for item in items(ds, "PatientSetupSequence", notes):
        number_ = integer(item, "PatientSetupNumber", notes, "patient setup")
        position = text(item, "PatientPosition", notes)
        if position is None:
            notes.add("NO_PATIENT_POSITION", f"Patient setup {number_} has no Patient "
                      "Position (it may use Patient Additional Position instead).",
                      attribute="PatientPosition")
        setups.append(PatientSetup(number_, position, text(item, "SetupTechnique", notes),
                                   text(item, "PatientSetupLabel", notes)))
    return tuple(setups)


def _dose_references(ds: Dataset, notes: Notes) -> tuple[DoseReference, ...]:
    refs = []
    for item, number_, where in numbered_items(ds, "DoseReferenceSequence",
                                               "DoseReferenceNumber", "dose reference", notes):

        def dose(keyword: str, item: Dataset = item, where: str = where) -> float | None:
            return number(item, keyword, notes, where)

        raw_type = text(item, "DoseReferenceType", notes)
        refs.append(DoseReference(
            number=number_, uid=text(item, "DoseReferenceUID", notes),
            structure_type=coded(DoseReferenceStructureType, item,
                                 "DoseReferenceStructureType", notes, where),
            reference_type=next((t for t in DoseReferenceType if t.value == raw_type), None),
            raw_reference_type=raw_type,
            description=text(item, "DoseReferenceDescription", notes),
            point_mm=vector(item, "DoseReferencePointCoordinates", notes, where, 3),
            referenced_roi_number=integer(item, "ReferencedROINumber", notes, where),
            target_prescription_dose_gy=dose("TargetPrescriptionDose"),
            target_minimum_dose_gy=dose("TargetMinimumDose"),
            target_maximum_dose_gy=dose("TargetMaximumDose"),
            delivery_maximum_dose_gy=dose("DeliveryMaximumDose"),
            delivery_warning_dose_gy=dose("DeliveryWarningDose"),
            organ_at_risk_maximum_dose_gy=dose("OrganAtRiskMaximumDose"),
            organ_at_risk_full_volume_dose_gy=dose("OrganAtRiskFullVolumeDose"),
            organ_at_risk_limit_dose_gy=dose("OrganAtRiskLimitDose")))
    odd = sorted({str(r.raw_reference_type) for r in refs if r.reference_type is None})
    if odd:
        numbers = [r.number for r in refs if r.reference_type is None]
        notes.add("UNKNOWN_CODE", f"Dose references {numbers} have Dose Reference Type "
                  f"{', '.join(odd)}, not TARGET or ORGAN_AT_RISK; they are treated as "
                  "neither.", attribute="DoseReferenceType")
    return tuple(refs)


def _fraction_groups(ds: Dataset, notes: Notes) -> tuple[FractionGroup, ...]:
    groups = []
    for item, number_, where in numbered_items(ds, "FractionGroupSequence",
                                               "FractionGroupNumber", "fraction group", notes):
        beams = tuple(
            ReferencedBeam(integer(rb, "ReferencedBeamNumber", notes, where) or 0,
                           number(rb, "BeamMeterset", notes, where),
                           number(rb, "BeamDose", notes, where),
                           vector(rb, "BeamDoseSpecificationPoint", notes, where, 3),
                           text(rb, "BeamDoseType", notes))
            for rb in items(item, "ReferencedBeamSequence", notes))
        group_refs = tuple(
            FractionGroupDoseReference(
                integer(rd, "ReferencedDoseReferenceNumber", notes, where) or 0,
                number(rd, "TargetPrescriptionDose", notes, where),
                number(rd, "DeliveryMaximumDose", notes, where))
            for rd in items(item, "ReferencedDoseReferenceSequence", notes))
        setups = tuple(
            ReferencedBrachySetup(
                integer(rs, "ReferencedBrachyApplicationSetupNumber", notes, where) or 0,
                number(rs, "BrachyApplicationSetupDose", notes, where),
                vector(rs, "BrachyApplicationSetupDoseSpecificationPoint", notes, where, 3))
            for rs in items(item, "ReferencedBrachyApplicationSetupSequence", notes))
        fractions = integer(item, "NumberOfFractionsPlanned", notes, where)
        if fractions is None or fractions < 1:
            notes.add("NO_FRACTIONS", f"{where}: Number of Fractions Planned is "
                      f"{fractions}.", attribute="NumberOfFractionsPlanned")
        stated = integer(item, "NumberOfBeams", notes, where)
        if stated is not None and stated != len(beams):
            notes.add("BEAM_COUNT", f"{where}: Number of Beams says {stated} but "
                      f"{len(beams)} beams are referenced.", attribute="NumberOfBeams")
        groups.append(FractionGroup(number_, fractions, beams, setups,
                                    text(item, "FractionGroupDescription", notes), group_refs))
    return tuple(groups)


def _check_structure(kind: PlanKind, beams: tuple[Beam, ...], has_setups: bool,
                     groups: tuple[FractionGroup, ...], setups: tuple[PatientSetup, ...],
                     notes: Notes) -> None:
    if kind is PlanKind.BRACHY and not has_setups:
        notes.add("NO_APPLICATION_SETUPS", "The brachytherapy plan holds no application "
                  "setup: there are no channels or dwell positions to show.",
                  attribute="ApplicationSetupSequence")
    if kind is not PlanKind.BRACHY and not beams:
        notes.add("NO_BEAMS", f"The {kind.value} plan holds no beams: only its header "
                  "(label, date, intent) can be shown.", attribute="BeamSequence")
    if not groups:
        notes.add("NO_FRACTION_GROUPS", "The plan has no fraction group: the number of "
                  "fractions and the beam metersets are unknown.",
                  attribute="FractionGroupSequence")
    known = {s.setup_number for s in setups}
    for beam in beams:
        setup = beam.referenced_patient_setup_number
        if setup is None:
            only = f"the plan's only setup ({setups[0].patient_position})" \
                if len(setups) == 1 else None
            notes.add("MISSING_PATIENT_SETUP", f"Beam {beam.number} has no Referenced Patient "
                      "Setup Number.", attribute="ReferencedPatientSetupNumber",
                      assumption=only)
        elif setup not in known:
            notes.add("MISSING_PATIENT_SETUP", f"Beam {beam.number} references patient setup "
                      f"{setup}, which the plan does not define: the patient position of "
                      "this beam is unknown.", attribute="ReferencedPatientSetupNumber")


def choose_prescription(dose_references: tuple[DoseReference, ...], notes: Notes,
                        fraction_groups: tuple[FractionGroup, ...] = ()) -> Prescription:
    """The prescription the viewer uses: the largest Target Prescription Dose of TARGETs.

    Never scaled by the number of fractions (DICOM states it for the whole plan).
    TARGET dose references without a (positive) Target Prescription Dose are skipped
    with a finding. When no Dose Reference Sequence item qualifies, a Target
    Prescription Dose that a single fraction group states for a TARGET dose reference
    (Referenced Dose Reference Sequence) is used, saying so; otherwise the source says
    the user must set it.
    """
    candidates = _target_candidates(dose_references, notes)
    if candidates:
        best = max(candidates, key=lambda r: r.target_prescription_dose_gy or 0.0)
        label = f" '{best.description}'" if best.description else ""
        return Prescription(
            best.target_prescription_dose_gy,
            f"Target Prescription Dose (300A,0026) of TARGET dose reference {best.number}"
            f"{label} (largest of {len(candidates)})", best.number)
    from_group = _fraction_group_prescription(dose_references, fraction_groups)
    if from_group is not None:
        return from_group
    notes.add("NO_PRESCRIPTION", "No TARGET dose reference with a Target Prescription "
              "Dose: the prescription must be set by the user.",
              attribute="TargetPrescriptionDose")
    return Prescription(None, "none — user must set it (no TARGET dose reference "
                        "with a Target Prescription Dose)")


def _target_candidates(dose_references: tuple[DoseReference, ...],
                       notes: Notes) -> list[DoseReference]:
    candidates, non_target = [], []
    for ref in dose_references:
        dose = ref.target_prescription_dose_gy
        if ref.reference_type is DoseReferenceType.TARGET:
            if dose is None or dose <= 0:
                notes.add("TARGET_WITHOUT_PRESCRIPTION", f"TARGET dose reference {ref.number}"
                          f" has no usable Target Prescription Dose ({dose}); it is skipped "
                          "when choosing the prescription.", severity=Severity.INFO,
                          attribute="TargetPrescriptionDose")
            else:
                candidates.append(ref)
        elif dose is not None:
            non_target.append(f"{ref.number} ({ref.raw_reference_type}, {dose:g} Gy)")
    if non_target:
        notes.add("PRESCRIPTION_ON_NON_TARGET", "Dose references that are not TARGET carry a "
                  f"Target Prescription Dose: {'; '.join(non_target)}. Only TARGET dose "
                  "references define the prescription.", severity=Severity.INFO,
                  attribute="DoseReferenceType")
    return candidates


def _fraction_group_prescription(dose_references: tuple[DoseReference, ...],
                                 fraction_groups: tuple[FractionGroup, ...]
                                 ) -> Prescription | None:
    if len(fraction_groups) != 1:
        return None  # several groups' doses would have to be summed: leave it to the user
    targets = {r.number: r for r in dose_references
               if r.reference_type is DoseReferenceType.TARGET}
    stated = [g for g in fraction_groups[0].dose_references
              if g.dose_reference_number in targets and g.target_prescription_dose_gy
              and g.target_prescription_dose_gy > 0]
    if not stated:
        return None
    best = max(stated, key=lambda g: g.target_prescription_dose_gy or 0.0)
    return Prescription(
        best.target_prescription_dose_gy,
        f"Target Prescription Dose (300A,0026) that fraction group "
        f"{fraction_groups[0].number} states for TARGET dose reference "
        f"{best.dose_reference_number} (Referenced Dose Reference Sequence)",
        best.dose_reference_number)
