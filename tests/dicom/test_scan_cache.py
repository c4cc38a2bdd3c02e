"""The index cache: per-file invalidation by size and mtime, never inside the scanned folder."""

from __future__ import annotations

import os
import shutil
import threading

import pydicom
import pytest

import rtviewer.dicom.scan as scan_module
from rtviewer.dicom.scan import scan
from rtviewer.dicom.scan_cache import cache_file


@pytest.fixture()
def folder(tmp_path, corpus):
    out = tmp_path / "export"
    out.mkdir()
    for name in ("rtplan.dcm", "rtss.dcm", "ct.0.dcm"):
        shutil.copy(corpus / "dicompyler-core" / name, out / name)
    shutil.copy(corpus / "rt-utils" / "mock_data" / "ct_1.dcm", out / "other_ct.dcm")
    return out


@pytest.fixture()
def reads(monkeypatch):
    calls: list[str] = []
    original = scan_module.read_record

    def counting(path, size):
        calls.append(os.path.basename(path))
        return original(path, size)

    monkeypatch.setattr(scan_module, "read_record", counting)
    return calls


def _summaries(result):
    return {i.path.name: i.summary for i in result.instances()}


def test_modify_add_delete_are_reflected(folder, reads, corpus, _isolated_cache):
    first = scan(folder)
    assert sorted(reads) == ["ct.0.dcm", "other_ct.dcm", "rtplan.dcm", "rtss.dcm"]
    assert cache_file(str(folder)).is_file()
    assert cache_file(str(folder)).is_relative_to(_isolated_cache)
    assert sorted(p.name for p in folder.iterdir()) == sorted(_summaries(first))

    reads.clear()
    again = scan(folder)
    assert reads == []  # everything from the cache
    assert again == first

    ds = pydicom.dcmread(folder / "rtplan.dcm")
    ds.RTPlanLabel = "B1 edited"
    ds.save_as(folder / "rtplan.dcm")
    os.utime(folder / "rtplan.dcm", ns=(1, 2_000_000_000_000_000_000))
    shutil.copy(corpus / "dicompyler-core" / "rtdose.dcm", folder / "rtdose.dcm")
    (folder / "other_ct.dcm").unlink()

    reads.clear()
    changed = scan(folder)
    assert sorted(reads) == ["rtdose.dcm", "rtplan.dcm"]
    summaries = _summaries(changed)
    assert summaries["rtplan.dcm"] == "Plan 'B1 edited': 4 beams, 7 fractions"
    assert "other_ct.dcm" not in summaries
    assert summaries["rtdose.dcm"].startswith("Dose grid 194×129×98")
    dose = next(i for i in changed.instances() if i.path.name == "rtdose.dcm")
    assert all(r.resolved for r in dose.references)


def test_cache_is_never_written_into_the_scanned_folder(folder, monkeypatch):
    monkeypatch.setenv("RTVIEWER_CACHE_DIR", str(folder / "cache-inside"))
    scan(folder)
    assert not (folder / "cache-inside").exists()


def test_corrupt_caches_are_ignored(folder, reads):
    first = scan(folder)
    index = cache_file(str(folder)).with_suffix(".index.pickle")
    assert index.is_file()
    index.write_bytes(b"not a pickle")
    reads.clear()
    assert scan(folder) == first and reads == []  # records still valid
    index.write_bytes(b"not a pickle")
    cache_file(str(folder)).write_text("{not json")
    reads.clear()
    result = scan(folder)
    assert len(reads) == 4 and result == first


def test_index_is_not_reused_when_a_problem_may_go_away(folder, reads):
    (folder / "cut.dcm").write_bytes((folder / "rtss.dcm").read_bytes()[:3000])
    first = scan(folder)
    assert [p.path.name for p in first.problems] == ["cut.dcm"]
    assert not cache_file(str(folder)).with_suffix(".index.pickle").exists()
    reads.clear()
    scan(folder)
    assert reads == ["cut.dcm"]  # problems are read again, the rest comes from the cache


def test_progress_and_cancel(folder):
    seen: list[tuple[int, int]] = []
    scan(folder, progress=lambda done, total: seen.append((done, total)), use_cache=False)
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)
    stop = threading.Event()
    stop.set()
    cancelled = scan(folder, cancel=stop, use_cache=False)
    assert cancelled.cancelled and cancelled.instances() == []
