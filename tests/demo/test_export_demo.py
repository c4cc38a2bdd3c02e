"""The demo patients exported anonymised: same chains, one date shift each, nothing left."""

from __future__ import annotations

import datetime
import warnings

import pytest
from dicom_export_support import compare_graphs, date_pairs

from rtviewer.dicom.export.writer import ExportOptions, export
from rtviewer.dicom.scan import scan


@pytest.mark.slow
def test_demo_exports_clean(demo_dir, tmp_path):
    result_scan = scan(demo_dir, use_cache=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = export(result_scan, result_scan.instances(), tmp_path / "out",
                        ExportOptions(anonymise=True))
    assert [lk.message() for lk in result.leaks] == []
    assert result.withheld == ()  # the demo's RT Images say Burned In Annotation NO
    assert len(result.files) == len(result_scan.instances())
    compare_graphs(demo_dir, result)
    per_group: dict[str, set[int]] = {}
    for f in result.files:
        days = {(datetime.date.fromisoformat(b) - datetime.date.fromisoformat(a)).days
                for _, a, b in date_pairs(f.source, f.path)}
        per_group.setdefault(f.source.parent.name, set()).update(days)
    assert len(per_group) == 3 and all(len(d) == 1 for d in per_group.values())
