"""What 100 % means for a dose: the prescription as the dose's own summation type reads it.

A percentage of the prescription (isodose levels, V(Rx), the readout's % and the DVH's
% axis) is only meaningful when the dose and the prescription describe the same
delivery (DICOM PS3.3 C.8.8.3, Dose Summation Type):

* ``PLAN`` (and ``MULTI_PLAN``, ``RECORD``, ``BRACHY``): the whole plan, so 100 % is the plan's
  prescription;
* ``FRACTION``: one fraction, so 100 % is the prescription ÷ Number of Fractions
  Planned, and the label says so;
* ``BEAM``, ``BEAM_SESSION``, ``CONTROL_POINT``, ``FRACTION_SESSION`` and
  ``BRACHY_SESSION``: a part of
  the delivery whose share of the prescription no file states, so there is no
  percentage of the prescription unless the user sets a reference;
* a plan without a prescription: no percentage of the prescription either.

:func:`dose_warnings` names what makes a dose's percentages doubtful: a dose that
references another plan than the one shown, and a peak implausible for the
prescription (the thresholds of ``rtviewer check``).  Without the plan, what can still
be said is said: :func:`reference_without_plan` states which plan is missing and what
the summation type implies, and :func:`dose_warnings` still flags a FRACTION dose whose
peak no single fraction can deliver.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rtviewer.model.dose import Dose, DoseSummationType, DoseUnits

__all__ = ["MAX_FRACTION_PEAK_GY", "PLAUSIBLE_PEAK_TO_PRESCRIPTION", "PercentReference",
           "dose_warnings", "peak_warning", "percent_reference", "reference_without_plan"]

#: Peak dose over prescription (per the dose's summation) that is believable: SRS plans
#: prescribed to the 50 % isodose peak at twice the prescription.
PLAUSIBLE_PEAK_TO_PRESCRIPTION = (0.8, 2.5)
#: Without a prescription: the largest believable peak of one fraction, in Gy, for a
#: plan of several fractions (3 × 20 Gy SBRT at 80 % peaks near 25 Gy) and of one.
MAX_FRACTION_PEAK_GY = {"multi": 30.0, "single": 60.0}

_WHOLE = {DoseSummationType.PLAN, DoseSummationType.MULTI_PLAN, DoseSummationType.RECORD,
          DoseSummationType.BRACHY}
_PART = {DoseSummationType.BEAM, DoseSummationType.BEAM_SESSION,
         DoseSummationType.CONTROL_POINT, DoseSummationType.FRACTION_SESSION,
         DoseSummationType.BRACHY_SESSION}


@dataclass(frozen=True)
class PercentReference:
    """The dose that 100 % of the prescription means for one dose, or why there is none.

    Attributes
    ----------
    dose_gy : float or None
        Reference dose in Gy on the dose's own scale (per fraction for a FRACTION
        dose); None when no percentage of the prescription applies.
    label : str
        Where it comes from, or why there is none (shown beside every % value).
    """

    dose_gy: float | None
    label: str


def _prescription_gy(plan: object | None) -> float | None:
    prescription = getattr(plan, "prescription", None)
    value = getattr(prescription, "dose_gy", None)
    return float(value) if value else None


def _brachy_setup_total_gy(plan: object | None) -> tuple[float | None, str] | None:
    """A brachy plan's Brachy Application Setup Dose (per fraction) × its fractions.

    The dose the planning system normalised the dwell times to (Eclipse's Point A dose,
    the demo's 7 Gy per fraction): the reference of a brachy plan that states no
    prescription in its dose references.  Not for a pulsed (PDR) plan, whose setup dose
    is per pulse in some systems (Oncentra) and per fraction in others (Eclipse): then
    ``(None, why)``.  None when the plan is not brachy or states no setup dose.
    """
    groups = getattr(plan, "fraction_groups", ()) or ()
    brachy = getattr(plan, "brachy", None)
    if brachy is None or not groups:
        return None
    setup = next((s.dose_gy for s in groups[0].referenced_brachy_setups if s.dose_gy), None)
    if not setup:
        return None
    if any(getattr(c, "pulses", 1) > 1 for c in brachy.channels):
        return None, (f"the plan states no prescription (pulsed plan: its Brachy Application "
                      f"Setup Dose {setup:g} Gy may be per pulse or per fraction)")
    fractions = getattr(plan, "fractions_planned", None) or 1
    return setup * fractions, (f"Brachy Application Setup Dose {setup:g} Gy × {fractions} "
                               f"fraction{'s' if fractions != 1 else ''}")


def percent_reference(dose: Dose | None, plan: object | None) -> PercentReference:
    """The prescription reference that fits ``dose``'s Dose Summation Type (module doc).

    Parameters
    ----------
    dose : Dose or None
        The dose shown (None: the plan's prescription as it stands).
    plan : Plan or None
        The plan shown.
    """
    if plan is None:
        return PercentReference(None, "no plan loaded: no prescription")
    rx, setup_label = _plan_rx_gy(plan)
    if rx is None:
        return PercentReference(None, setup_label or "the plan states no prescription")
    summation = None if dose is None else dose.summation_type
    if dose is not None and dose.units is not DoseUnits.GY:
        return PercentReference(None, f"the dose is {dose.units.value}, not Gy")
    if summation in _PART:
        return PercentReference(None, f"{summation.value} dose: its share of the {rx:g} Gy "
                                      "prescription is not stated")
    if summation is DoseSummationType.FRACTION:
        fractions = getattr(plan, "fractions_planned", None)
        if not fractions:
            return PercentReference(None, "FRACTION dose and the plan states no number of "
                                          "fractions")
        if setup_label:
            return PercentReference(rx / fractions, f"Brachy Application Setup Dose "
                                                    f"{rx / fractions:g} Gy per fraction "
                                                    "(FRACTION dose)")
        return PercentReference(rx / fractions, f"prescription {rx:g} Gy ÷ {fractions} "
                                                "fractions (FRACTION dose)")
    what = summation.value if summation in _WHOLE else "dose of unknown summation"
    if setup_label:
        return PercentReference(rx, f"{setup_label} ({what})")
    return PercentReference(rx, f"plan prescription {rx:g} Gy ({what})")


def _plan_rx_gy(plan: object) -> tuple[float | None, str | None]:
    """The plan's prescription (Gy, whole course) or its brachy setup dose × fractions.

    The label is None for a prescription; for the brachy stand-in it names the setup dose,
    or (value None) why a pulsed plan's setup dose is not used.
    """
    rx = _prescription_gy(plan)
    if rx is not None:
        return rx, None
    brachy = _brachy_setup_total_gy(plan)
    return (None, None) if brachy is None else brachy


def reference_without_plan(dose: Dose, where: str = "loaded") -> PercentReference:
    """Why a dose shown without its RT Plan has no percentage of the prescription.

    Names the plan the dose references (or that it references none) and what its
    Dose Summation Type would make 100 % mean once the plan is there; ``where`` says
    where the plan was looked for ("whose RT Plan … is not {where}").
    """
    referenced = dose.referenced_plan_uids or (
        (dose.referenced_plan_uid,) if dose.referenced_plan_uid else ())
    missing = (f"whose RT Plan {referenced[0]} is not {where}" if referenced
               else "that references no RT Plan")
    summation = dose.summation_type
    if dose.units is not DoseUnits.GY:
        return PercentReference(None, f"{dose.units.value} dose (not Gy) {missing}")
    if summation in _PART:
        return PercentReference(None, f"{summation.value} dose (a part of the delivery, no "
                                      f"share of a prescription stated) {missing}")
    if summation is DoseSummationType.FRACTION:
        return PercentReference(None, f"FRACTION dose {missing}: no prescription (it would "
                                      "be read per fraction)")
    what = summation.value if summation in _WHOLE else "unknown summation"
    return PercentReference(None, f"{what} dose {missing}: no prescription")


def _planless_peak_warning(dose: Dose) -> str | None:
    """A FRACTION dose whose peak even a single-fraction plan would not deliver."""
    if dose.units is not DoseUnits.GY or dose.summation_type is not DoseSummationType.FRACTION:
        return None
    peak = float(np.max(dose.dose_gy)) if dose.dose_gy.size else 0.0
    limit = MAX_FRACTION_PEAK_GY["single"]
    if peak <= limit:
        return None
    return (f"The FRACTION dose peaks at {peak:.4g} Gy: more than {limit:g} Gy in one fraction "
            "is implausible even for a single-fraction plan (is it the whole plan's dose?); "
            "its RT Plan is not loaded to check it against the prescription.")


def peak_warning(peak_gy: float, summation: DoseSummationType | None, rx_gy: float | None,
                 fractions: int | None) -> str | None:
    """Why a dose's peak is implausible for its plan, or None (``rtviewer check``'s rule).

    Parameters
    ----------
    peak_gy : float
        The dose's maximum in Gy.
    summation : DoseSummationType or None
        Its Dose Summation Type; only PLAN and FRACTION doses have an expected peak.
    rx_gy : float or None
        The plan's prescription (whole plan).
    fractions : int or None
        Number of Fractions Planned.
    """
    if summation not in (DoseSummationType.PLAN, DoseSummationType.FRACTION):
        return None
    is_fraction = summation is DoseSummationType.FRACTION
    label = summation.value
    if rx_gy and fractions:
        expected = rx_gy / fractions if is_fraction else rx_gy
        ratio = peak_gy / expected
        low, high = PLAUSIBLE_PEAK_TO_PRESCRIPTION
        if low <= ratio <= high:
            return None
        per = (f"{rx_gy:g} Gy / {fractions} fractions = {expected:.3g} Gy" if is_fraction
               else f"{rx_gy:g} Gy")
        return (f"The {label} dose peaks at {peak_gy:.4g} Gy, {100 * ratio:.0f} % of the "
                f"prescription ({per}); a peak between {100 * low:.0f} % and "
                f"{100 * high:.0f} % is expected.")
    if fractions:
        per_fraction = peak_gy if is_fraction else peak_gy / fractions
        limit = MAX_FRACTION_PEAK_GY["multi" if fractions > 1 else "single"]
        if per_fraction > limit:
            return (f"The {label} dose peaks at {peak_gy:.4g} Gy, {per_fraction:.3g} Gy per "
                    f"fraction of a {fractions}-fraction plan: more than {limit:g} Gy per "
                    f"fraction is implausible (is it the whole plan's dose?).")
    return None


def dose_warnings(dose: Dose | None, plan: object | None) -> tuple[str, ...]:
    """What makes this dose's percentages doubtful with this plan (empty when nothing).

    A dose that references another RT Plan than ``plan``, and a peak implausible for
    the prescription (:func:`peak_warning`; brachytherapy doses are exempt, their
    peak near a source is unbounded).  Without a plan: a FRACTION dose peaking above
    what even one fraction delivers (``MAX_FRACTION_PEAK_GY["single"]``).
    """
    if dose is None:
        return ()
    if plan is None:
        message = _planless_peak_warning(dose)
        return (message,) if message else ()
    warnings = []
    shown = getattr(plan, "sop_instance_uid", None)
    referenced = dose.referenced_plan_uids or (
        (dose.referenced_plan_uid,) if dose.referenced_plan_uid else ())
    if shown and referenced and shown not in referenced:
        warnings.append(f"{dose.path.name} references RT Plan {referenced[0]}, not the plan "
                        f"shown ({shown}): its percentages may not fit this prescription.")
    if dose.units is DoseUnits.GY and getattr(plan, "brachy", None) is None:
        peak = float(np.max(dose.dose_gy)) if dose.dose_gy.size else 0.0
        message = peak_warning(peak, dose.summation_type, _prescription_gy(plan),
                               getattr(plan, "fractions_planned", None))
        if message:
            warnings.append(message)
    return tuple(warnings)
