"""One unit of work per ROI: the rows and notes of the whole-structure-set path."""

from __future__ import annotations

import sys

import pytest

from rtviewer.cli import dvh_table, fork_share
from rtviewer.cli.dvh import load_head_pair, load_pair
from rtviewer.cli.dvh_per_roi import roi_outcomes, rows_of, source_of
from rtviewer.model.dvh_rois import dvh_rois


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork even on a one-core runner and with the test runner's threads."""
    monkeypatch.setattr(fork_share, "usable_cores", lambda: 2)
    monkeypatch.setattr(fork_share.threading, "active_count", lambda: 1)


@pytest.mark.corpus
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks only on Linux")
@pytest.mark.parametrize("model", ["slab", "smooth"])
def test_rows_and_notes_per_roi_equal_the_whole_structure_sets(corpus, two_cores, model):
    rs, rd = corpus / "dicompyler-core" / "rtss.dcm", corpus / "dicompyler-core" / "rtdose.dcm"
    structure_set, dose = load_pair(rs, rd)
    rois = dvh_rois(structure_set).polygons()
    expected_rows = dvh_table.compute_rows(rois, dose.dose_gy, dose.grid, model=model)
    expected_notes = dvh_table.model_dependence(rois, dose.dose_gy, dose.grid, model)
    head, dose = load_head_pair(rs, rd)
    for source in (source_of(head), source_of(structure_set)):
        outcomes = roi_outcomes(source, dose.dose_gy, dose.grid, model=model, notes=True)
        assert [o.roi_number for o in outcomes] == [r.roi_number for r in structure_set.rois]
        assert [o.name for o in outcomes if not o.closed] == ["Areola"]  # no contours
        rows = rows_of(outcomes)
        assert dvh_table.statistics_csv(rows) == dvh_table.statistics_csv(expected_rows)
        noted = [o for o in outcomes if o.model_note]
        assert len(noted) == len(expected_notes) == 3 and all(o.polygons for o in noted)
        notes = dvh_table.model_spreads(
            [(o.roi_number, o.name, o.polygons, o.model_note) for o in noted],
            dose.dose_gy, dose.grid, model, known=[o.dvh for o in noted])
        assert notes == expected_notes


@pytest.mark.corpus
def test_only_the_named_rois_get_a_dvh(corpus):
    head, dose = load_head_pair(corpus / "dicompyler-core" / "rtss.dcm",
                                corpus / "dicompyler-core" / "rtdose.dcm")
    outcomes = roi_outcomes(source_of(head), dose.dose_gy, dose.grid, names=["Heart", "Areola"])
    assert [row.roi_name for row in rows_of(outcomes)] == ["Heart"]
    assert sum(o.closed for o in outcomes) == 9  # every ROI read, closed or not
