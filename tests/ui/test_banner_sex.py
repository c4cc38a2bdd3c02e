"""The banner's Patient's Sex: the code as the standard names it, an invalid value marked."""

from __future__ import annotations

import pytest

from rtviewer.ui.panels.patient_banner import PatientBanner, patient_facts, sex_words


@pytest.mark.parametrize(("stored", "words"), [
    ("M", "sex M"), ("F", "sex F"), ("O", "sex O (other)"), ("", ""),
    ("0000", "sex '0000' (not a valid code: M, F or O)"),
    ("m", "sex 'm' (not a valid code: M, F or O)"),  # CS is upper case
])
def test_sex_words(stored, words):
    assert sex_words(stored) == words


def test_the_brainix_banner_marks_sex_0000_as_no_valid_code(corpus, qtbot):
    """orthanc-tests' MR stores Patient's Sex '0000': shown as stored, said to be invalid."""
    path = next((corpus / "orthanc-tests" / "Brainix_MR").rglob("*.dcm"))
    facts = patient_facts(path)
    assert facts.sex == "0000"
    banner = PatientBanner()
    qtbot.addWidget(banner)
    banner.resize(1100, 40)
    banner.show_patient(facts, "")
    banner.show()
    qtbot.waitExposed(banner)
    text = banner.text()
    assert "sex '0000' (not a valid code: M, F or O)" in text
    assert "sex 0000" not in text
    # the whole line fits the banner at this width: one line, nothing cut
    assert banner.height() <= banner.fontMetrics().lineSpacing() * 1.5 + 16
