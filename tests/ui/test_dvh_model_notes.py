"""The DVH panel's structure-model notes come from the DVH workers, not the window's thread.

On dicompyler-core the sub-cc and two-plane structures (Borders, Nodes, Scar) need a
smooth solid each for their note; built in the GUI thread that froze the window for
about 1.6 s right after the DVHs arrived (issue 17).
"""

from __future__ import annotations

import threading

import pytest

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def dicompyler(corpus):
    from rtviewer.dicom.dose import read_dose
    from rtviewer.dicom.structure import read_structure_set

    folder = corpus / "dicompyler-core"
    return read_structure_set(folder / "rtss.dcm"), read_dose(folder / "rtdose.dcm")


def _panel(qtbot, dicompyler, *, processes: bool):
    from rtviewer.ui.panels.dvh_panel import DvhPanel
    from rtviewer.ui.views.view_state import ViewState
    from rtviewer.view.scene import Scene

    structures, dose = dicompyler
    state = ViewState()
    panel = DvhPanel(state)
    panel.use_processes = processes
    qtbot.addWidget(panel)
    state.set_visible_rois({r.roi_number for r in structures.rois})
    panel.set_scene(Scene(dose=dose, structures=structures))
    return panel


@pytest.fixture
def smooth_builds(monkeypatch):
    """The threads in which this process builds smooth solids (the cache emptied first)."""
    import rtviewer.core.structure_model as structure_model

    structure_model.forget_solids()
    threads: list[threading.Thread] = []
    original = structure_model.build_smooth_model

    def recording(*args, **kwargs):
        threads.append(threading.current_thread())
        return original(*args, **kwargs)

    monkeypatch.setattr(structure_model, "build_smooth_model", recording)
    yield threads
    structure_model.forget_solids()


def _note_lines(panel) -> dict[str, str]:
    """The notes by structure name: in the info's tooltip, the names in its text."""
    notes = {line.split(": ")[0]: line for line in panel.info.toolTip().splitlines()
             if "depend on the structure model" in line}
    if notes:
        summary = next(line for line in panel.info.text().splitlines()
                       if line.startswith("⚠ Statistics depend on the structure model"))
        assert all(name in summary for name in notes)
        # and on the structure's table row
        headers = {panel.table.verticalHeaderItem(r).text():
                   panel.table.verticalHeaderItem(r).toolTip()
                   for r in range(panel.table.rowCount())}
        for name, note in notes.items():
            assert note in headers[f"{name} ⚠"]
    return notes


def test_the_thread_fallback_builds_smooth_solids_off_the_gui_thread(qtbot, dicompyler,
                                                                      smooth_builds):
    panel = _panel(qtbot, dicompyler, processes=False)
    panel.wait_all(120_000)
    notes = _note_lines(panel)
    assert set(notes) == {"Borders", "Nodes", "Scar"}
    # the spread computed from every model's DVH: Scar 0.368 (none) to 0.513 cc (slab)
    assert "Scar: 0.513 cc (slab model);" in notes["Scar"]
    assert "volume 0.3677–0.5131 cc" in notes["Scar"]
    assert "Borders: 2 contour planes;" in notes["Borders"]
    assert "Checking structure models" not in panel.info.text()
    assert smooth_builds, "no smooth solid was built: the notes were not computed"
    assert threading.main_thread() not in smooth_builds
    panel.stop_workers()


def test_worker_processes_compute_the_notes_and_this_process_builds_none(
        qtbot, dicompyler, smooth_builds):
    panel = _panel(qtbot, dicompyler, processes=True)
    panel.wait_all(120_000)
    assert set(_note_lines(panel)) == {"Borders", "Nodes", "Scar"}
    if panel._jobs is not None and panel._jobs.uses_processes:
        assert smooth_builds == []  # every smooth solid was built in a worker process
    assert threading.main_thread() not in smooth_builds
    panel.stop_workers()


def test_the_panel_says_it_is_checking_until_the_spreads_arrive(qtbot, dicompyler,
                                                                 monkeypatch):
    from rtviewer.view import dvh_jobs

    release = threading.Event()
    original = dvh_jobs.spread_of_contours

    def held(*args):
        assert release.wait(120)
        return original(*args)

    monkeypatch.setattr(dvh_jobs, "spread_of_contours", held)
    panel = _panel(qtbot, dicompyler, processes=False)
    structures, _dose = dicompyler
    # the curves arrive first (queued before the spreads), the check is still running
    qtbot.waitUntil(lambda: panel.computing == 0, timeout=120_000)
    qtbot.waitUntil(lambda: panel.table.rowCount() > 0, timeout=20_000)
    assert "Checking structure models…" in panel.info.text()
    assert _note_lines(panel) == {}
    release.set()
    panel.wait_all(120_000)
    assert "Checking structure models…" not in panel.info.text()
    assert set(_note_lines(panel)) == {"Borders", "Nodes", "Scar"}
    # another model: the DVHs again, the spreads (model-independent) stay
    panel.model_choice.setCurrentText("smooth")
    assert set(_note_lines(panel)) <= {"Borders", "Nodes", "Scar"}
    panel.wait_all(120_000)
    assert set(_note_lines(panel)) == {"Borders", "Nodes", "Scar"}
    panel.stop_workers()
