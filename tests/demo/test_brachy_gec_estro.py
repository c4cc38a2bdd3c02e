"""``rtviewer brachy-check --dvh`` on the demo HDR patient: the TG-43 grid dose's DVH agrees
with the written RT Dose's, and the GEC-ESTRO parameters are the DVH's values and EQD2s."""

from __future__ import annotations

import json

import pytest

from rtviewer.cli import main
from rtviewer.core.dvh import compute_dvh
from rtviewer.core.dvh_metrics import dose_at_volume_cc, dose_at_volume_percent
from rtviewer.core.radiobiology import eqd2_gy
from rtviewer.dicom.dose import read_dose
from rtviewer.dicom.structure import read_structure_set
from rtviewer.model.gec_estro import roi_role


def _one(h, find, modality):
    (path,) = find(h, PatientID="RTV-DEMO-GYN-HDR", Modality=modality)
    return path


def test_gec_estro_parameters_of_the_demo_plan(demo_dir, demo_headers, find, capsys):
    folder = demo_dir / "RTV-DEMO-GYN-HDR"
    status = main(["brachy-check", str(folder), "--json", "--dvh", "--ebrt-eqd2-target",
                   "44.25", "--alpha-beta-oar", "3"])
    assert status == 0
    (plan,) = json.loads(capsys.readouterr().out)["plans"]
    gec = plan["gec_estro"]
    assert gec["fractions"] == 4 and gec["prescription_gy"] == 7.0
    by_name = {m["name"]: m for m in gec["structures"]}
    assert set(by_name) == {"CTV-HR", "Bladder", "Rectum", "Sigmoid"}
    # the written RT Dose (4 fractions, 2.5 mm grid) gives the same parameters within 3 %
    dose = read_dose(_one(demo_headers, find, "RTDOSE"))
    rois = {r.name: r for r in read_structure_set(_one(demo_headers, find, "RTSTRUCT")).rois}
    ctv = compute_dvh(rois["CTV-HR"].closed_polygons_mm(), dose.dose_gy / 4, dose.grid)
    assert by_name["CTV-HR"]["values_gy"]["D90"] == pytest.approx(
        dose_at_volume_percent(ctv, 90.0), rel=0.03)
    bladder = compute_dvh(rois["Bladder"].closed_polygons_mm(), dose.dose_gy / 4, dose.grid)
    assert by_name["Bladder"]["values_gy"]["D2cc"] == pytest.approx(
        dose_at_volume_cc(bladder, 2.0), rel=0.03)
    d90 = by_name["CTV-HR"]["values_gy"]["D90"]
    assert by_name["CTV-HR"]["eqd2_gy"]["D90"] == pytest.approx(eqd2_gy(d90, 4, 10.0) + 44.25)
    d2 = by_name["Rectum"]["values_gy"]["D2cc"]
    assert by_name["Rectum"]["eqd2_gy"]["D2cc"] == pytest.approx(eqd2_gy(d2, 4, 3.0))
    assert by_name["CTV-HR"]["volumes_pct"]["V100"] > 90.0  # 7 Gy covers the HR-CTV


def test_roles_by_name_then_type():
    assert roi_role("HR-CTV", None) == "target" and roi_role("CTV_IR", None) == "target"
    assert roi_role("Bladder", "ORGAN") == "oar" and roi_role("Rectum", None) == "oar"
    assert roi_role("Applicator", None) is None and roi_role("x", "PTV") == "target"


def test_the_brachy_tab_computes_the_same_parameters_in_a_worker(demo_headers, find, qapp,
                                                                   capsys):
    """The window's GEC-ESTRO tab: the CLI's numbers; EQD2s follow α/β and fractions."""
    from rtviewer.dicom.plan import read_plan
    from rtviewer.ui.panels.brachy_panel import BrachyPanel

    plan_path = _one(demo_headers, find, "RTPLAN")
    assert main(["brachy-check", str(plan_path.parent), "--json", "--dvh"]) == 0
    cli = {m["name"]: m for m in
           json.loads(capsys.readouterr().out)["plans"][0]["gec_estro"]["structures"]}
    panel = BrachyPanel()
    section = panel.gec_estro
    section.set_plan(read_plan(plan_path),
                     read_structure_set(_one(demo_headers, find, "RTSTRUCT")))
    assert section.fractions.value() == 4 and section.prescription.value() == 7.0
    assert section.table.rowCount() == 0  # computed on request, not on load
    section.start()
    assert section.task.running  # off the GUI thread
    section.wait()
    by_name = {m.name: m for m in section.metrics()}
    assert set(by_name) == set(cli)
    for name, m in by_name.items():
        for key, value in m.values_gy.items():
            assert value == pytest.approx(cli[name]["values_gy"][key], rel=1e-9)
    assert section.table.rowCount() == 2 * len(by_name)  # two parameters per structure
    assert "TG-43" in section.status.text()
    d2 = by_name["Rectum"].values_gy["D2cc"]
    section.ab_oar.setValue(2.0)
    section.fractions.setValue(3)
    rectum = next(m for m in section.metrics() if m.name == "Rectum")
    assert rectum.eqd2_gy["D2cc"] == pytest.approx(eqd2_gy(d2, 3, 2.0))
    from rtviewer.ui.panels.brachy_gec_estro_section import GEC_COLUMNS

    param, total = GEC_COLUMNS.index("Param-\neter"), GEC_COLUMNS.index("EQD2\ntotal (Gy)")
    shown = {(section.table.item(r, 0).text(), section.table.item(r, param).text()):
             section.table.item(r, total).text() for r in range(section.table.rowCount())}
    # the EQD2 total in sight in the Brachy tab at 1280x800 (340 px)
    import time

    from PySide6 import QtWidgets

    panel.resize(340, 900)
    panel.sections.setCurrentWidget(section)
    panel.show()
    table = section.table
    deadline = time.monotonic() + 5
    while (table.columnViewportPosition(total) + table.columnWidth(total)
           > table.viewport().width() or not table.isVisible()) and time.monotonic() < deadline:
        QtWidgets.QApplication.processEvents()
    assert table.columnViewportPosition(total) + table.columnWidth(total) <= \
        table.viewport().width()
    assert shown[("Rectum", "D2cc")] == f"{eqd2_gy(d2, 3, 2.0):.3f}"
    panel.close()
