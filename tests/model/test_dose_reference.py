"""What 100 % means follows the dose's Dose Summation Type (issue 13.4)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from rtviewer.core.grid import Grid
from rtviewer.model.dose import Dose, DoseSummationType, DoseType, DoseUnits
from rtviewer.model.dose_reference import (
    dose_warnings,
    percent_reference,
    reference_without_plan,
)


def _dose(summation: DoseSummationType, peak_gy: float = 15.0, plan_uid: str = "1.2.3") -> Dose:
    grid = Grid.from_dicom_geometry(image_position_mm=(0, 0, 0),
                                    image_orientation=(1, 0, 0, 0, 1, 0),
                                    pixel_spacing_mm=(2, 2), slice_step_mm=(0, 0, 2),
                                    shape=(3, 4, 5))
    dose = np.zeros(grid.shape, dtype=np.float32)
    dose[1, 2, 3] = peak_gy
    return Dose(path=Path("RD.dcm"), sop_instance_uid="9", grid=grid, dose_gy=dose,
                units=DoseUnits.GY, dose_type=DoseType.PHYSICAL, summation_type=summation,
                referenced_plan_uid=plan_uid, referenced_plan_uids=(plan_uid,))


def _plan(rx_gy: float | None = 14.0, fractions: int | None = 7, uid: str = "1.2.3"):
    return SimpleNamespace(sop_instance_uid=uid, fractions_planned=fractions, brachy=None,
                           prescription=SimpleNamespace(dose_gy=rx_gy, source="Target"))


def test_plan_dose_is_a_percentage_of_the_prescription():
    reference = percent_reference(_dose(DoseSummationType.PLAN), _plan())
    assert reference.dose_gy == 14.0 and "PLAN" in reference.label


def test_fraction_dose_is_a_percentage_of_the_prescription_per_fraction():
    reference = percent_reference(_dose(DoseSummationType.FRACTION, 2.1), _plan())
    assert reference.dose_gy == pytest.approx(2.0)
    assert "÷ 7 fractions" in reference.label and "FRACTION" in reference.label


@pytest.mark.parametrize("summation", [DoseSummationType.BEAM, DoseSummationType.BEAM_SESSION,
                                       DoseSummationType.CONTROL_POINT])
def test_beam_dose_has_no_percentage_of_the_prescription(summation):
    reference = percent_reference(_dose(summation), _plan())
    assert reference.dose_gy is None and summation.value in reference.label


def test_no_prescription_or_no_fractions_gives_no_reference_and_says_why():
    assert percent_reference(_dose(DoseSummationType.PLAN), _plan(rx_gy=None)).label == \
        "the plan states no prescription"
    fraction = percent_reference(_dose(DoseSummationType.FRACTION), _plan(fractions=None))
    assert fraction.dose_gy is None and "number of fractions" in fraction.label
    assert percent_reference(_dose(DoseSummationType.PLAN), None).dose_gy is None


def test_warnings_name_another_plan_and_an_implausible_peak():
    dose = _dose(DoseSummationType.PLAN, peak_gy=15.0, plan_uid="1.2.3")
    assert dose_warnings(dose, _plan()) == ()
    other = dose_warnings(dose, _plan(uid="7.7.7"))
    assert len(other) == 1 and "1.2.3" in other[0] and "7.7.7" in other[0]
    low = dose_warnings(dataclasses.replace(dose, dose_gy=dose.dose_gy * 0.5), _plan())
    assert len(low) == 1 and "54 % of the prescription" in low[0]


@pytest.mark.corpus
@pytest.mark.parametrize(("folder", "expected"), [
    ("monaco_plans_VMAT", "The PLAN dose peaks at 10.26 Gy, 51 % of the prescription (20 Gy)"),
    ("pinnacle_plan1", "The FRACTION dose peaks at 61.45 Gy, 61.4 Gy per fraction of a "
                       "10-fraction plan"),
])
def test_corpus_doses_with_implausible_peaks_are_flagged(corpus, folder, expected):
    from rtviewer.dicom.dose import read_dose
    from rtviewer.dicom.plan import read_plan

    root = corpus / "pps-vendor-plans" / folder
    files = sorted(root.glob("*.dcm"))
    dose = read_dose(next(f for f in files if "DOSE" in f.name.upper()))
    plan = read_plan(next(f for f in files if "DOSE" not in f.name.upper()))
    warnings = dose_warnings(dose, plan)
    assert any(expected in w for w in warnings), warnings


@pytest.mark.parametrize(("summation", "said"), [
    (DoseSummationType.PLAN, "PLAN dose whose RT Plan 1.2.3 is not loaded: no prescription"),
    (DoseSummationType.FRACTION, "FRACTION dose whose RT Plan 1.2.3 is not loaded: no "
                                 "prescription (it would be read per fraction)"),
    (DoseSummationType.BEAM, "BEAM dose (a part of the delivery, no share of a prescription "
                             "stated) whose RT Plan 1.2.3 is not loaded"),
])
def test_without_its_plan_a_dose_says_which_plan_is_missing(summation, said):
    reference = reference_without_plan(_dose(summation))
    assert reference.dose_gy is None and reference.label == said
    alone = dataclasses.replace(_dose(summation), referenced_plan_uid=None,
                                referenced_plan_uids=())
    assert reference_without_plan(alone, "in /x").label.startswith(
        f"{summation.value} dose") and "that references no RT Plan" in \
        reference_without_plan(alone, "in /x").label


def test_without_its_plan_only_a_fraction_peak_beyond_any_fraction_is_flagged():
    assert dose_warnings(_dose(DoseSummationType.FRACTION, peak_gy=59.0), None) == ()
    assert dose_warnings(_dose(DoseSummationType.PLAN, peak_gy=80.0), None) == ()
    (warning,) = dose_warnings(_dose(DoseSummationType.FRACTION, peak_gy=61.0), None)
    assert "peaks at 61 Gy: more than 60 Gy in one fraction" in warning


@pytest.mark.corpus
def test_the_pinnacle_fraction_dose_is_flagged_without_its_plan(corpus):
    from rtviewer.dicom.dose import read_dose

    path = next((corpus / "pps-vendor-plans" / "pinnacle_plan1").glob("RTDOSE*.dcm"))
    (warning,) = dose_warnings(read_dose(path), None)
    assert "The FRACTION dose peaks at 61.45 Gy" in warning
