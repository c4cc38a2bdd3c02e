"""The report's DVH picture names only structures that have a curve (not the markers)."""

from __future__ import annotations

import json

from rtviewer.cli import main
from rtviewer.dicom.structure import read_structure_set


def test_dvh_legend_of_the_demo_thorax_has_no_marker(demo_dir, demo_headers, find, tmp_path,
                                                     qapp):
    folder = demo_dir / "RTV-DEMO-THORAX"
    status = main(["report", str(folder), "--out", str(tmp_path / "r.pdf"),
                   "--json", str(tmp_path / "r.json"), "--sections", "dvh_plot"])
    assert status == 0
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    section = next(s for s in doc["sections"] if s["key"] == "dvh_plot")
    legend = {row["label"] for row in section["blocks"][0]["legend"]}
    structure_sets = [read_structure_set(p) for p in
                      find(demo_headers, PatientID="RTV-DEMO-THORAX", Modality="RTSTRUCT")]
    markers = {roi.name for ss in structure_sets for roi in ss.rois if not roi.contours
               or all(len(c.points_mm) < 3 for c in roi.contours)}
    assert markers  # the demo has a fiducial and an isocentre marker
    assert legend and not legend & markers
    assert "PTV" in legend and "SpinalCord" in legend
