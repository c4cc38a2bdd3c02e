"""A folder of junk: every file accounted for as skipped or problem, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from rtviewer.dicom.scan import scan

REPO = Path(__file__).resolve().parents[2]


def _make_junk(folder: Path, corpus: Path) -> None:
    rng = __import__("random").Random(20261126)
    (folder / "random.bin").write_bytes(bytes([0x42]) + rng.randbytes(4095))
    (folder / "notes.txt").write_text("Plan review notes\n" * 50)
    (folder / os.fsdecode(b"bad\xffname.txt")).write_text("a name that is not UTF-8")
    (folder / "empty.dcm").write_bytes(b"")
    rtss = (corpus / "dicompyler-core" / "rtss.dcm").read_bytes()
    (folder / "truncated_rtss.dcm").write_bytes(rtss[: len(rtss) // 2])
    ct = (corpus / "dicompyler-core" / "ct.0.dcm").read_bytes()
    (folder / "truncated_ct.dcm").write_bytes(ct[:-1000])
    (folder / "header_only_ct.dcm").write_bytes(ct[:1200])
    shutil.copy(corpus / "dicompyler-core" / "rtplan.dcm", folder / "good_plan.dcm")
    os.mkfifo(folder / "pipe.dcm")
    sub = folder / "sub"
    sub.mkdir()
    (sub / "loop").symlink_to("..", target_is_directory=True)
    (sub / "same_plan.dcm").symlink_to(folder / "good_plan.dcm")
    (sub / "DICOMDIR").write_bytes(b"\0" * 128 + b"DICM")


@pytest.fixture()
def junk(tmp_path, corpus) -> Path:
    folder = tmp_path / "junk"
    folder.mkdir()
    _make_junk(folder, corpus)
    return folder


def test_junk_folder_in_process(junk):
    result = scan(junk, use_cache=False)
    reasons = {s.path.relative_to(junk).as_posix(): s.reason for s in result.skipped}
    problems = {p.path.relative_to(junk).as_posix(): p.reason for p in result.problems}
    assert reasons["random.bin"] == reasons["notes.txt"] == "not a DICOM file"
    assert reasons["empty.dcm"] == "empty file"
    assert reasons["pipe.dcm"] == "not a regular file: a FIFO (named pipe)"
    assert reasons["sub/loop"].startswith("second path to a folder already scanned")
    assert reasons["sub/same_plan.dcm"].startswith("second path to a file already scanned")
    assert reasons["sub/DICOMDIR"].startswith("DICOMDIR")
    assert problems["truncated_rtss.dcm"].startswith("truncated")
    assert problems["truncated_ct.dcm"].startswith("truncated")
    assert "Pixel Data" in problems["header_only_ct.dcm"]
    assert [i.path.name for i in result.instances()] == ["good_plan.dcm"]
    on_disk = {p.relative_to(junk).as_posix() for p in junk.rglob("*")
               if not p.is_dir() or p.is_symlink()}
    assert set(reasons) | set(problems) | {"good_plan.dcm"} == on_disk | {"sub/loop"}


def test_file_without_sop_instance_uid_is_a_problem(tmp_path):
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian

    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.481.5"
    ds.Modality = "RTPLAN"
    ds.save_as(tmp_path / "nouid.dcm", enforce_file_format=False)
    result = scan(tmp_path, use_cache=False)
    assert [p.reason for p in result.problems] == [
        "DICOM file without SOP Instance UID: it cannot be identified"]


@pytest.mark.privileges
def test_junk_folder_cli_unprivileged(corpus):
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv is not installed: cannot drop privileges")
    if os.geteuid() != 0:
        pytest.skip("dropping privileges needs root")
    base = Path(tempfile.mkdtemp(prefix="rtviewer-junk-"))
    try:
        base.chmod(0o755)
        folder = base / "junk"
        folder.mkdir()
        _make_junk(folder, corpus)
        secret = folder / "unreadable.dcm"
        shutil.copy(corpus / "dicompyler-core" / "rtss.dcm", secret)
        secret.chmod(0o000)
        cache = base / "cache"
        cache.mkdir()
        cache.chmod(0o777)
        for p in [folder, folder / "sub"]:
            p.chmod(0o755)
        env = dict(os.environ, RTVIEWER_CACHE_DIR=str(cache))
        out = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
             sys.executable, "-m", "rtviewer", "scan", str(folder), "--json"],
            capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
        assert out.returncode == 0, out.stderr
        assert "Traceback" not in out.stderr
        doc = json.loads(out.stdout)
        problems = {p["path"]: p["reason"] for p in doc["problems"]}
        assert "Permission denied" in problems["unreadable.dcm"]
        assert {"truncated_rtss.dcm", "truncated_ct.dcm", "header_only_ct.dcm"} < set(problems)
        skipped = {s["path"] for s in doc["skipped"]}
        assert {"random.bin", "notes.txt", "empty.dcm", "pipe.dcm", "sub/loop",
                "bad\udcffname.txt"} <= skipped
        assert not (folder / ".rtviewer").exists()
        assert list(cache.rglob("*.json"))  # the cache went where it was told
    finally:
        shutil.rmtree(base)


def test_tree_output_with_undecodable_name(junk):
    out = subprocess.run([sys.executable, "-m", "rtviewer", "scan", str(junk), "--no-cache"],
                         capture_output=True, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr
    assert b"bad\\udcffname.txt: not a DICOM file" in out.stdout


def test_deeply_nested_folders(tmp_path, corpus):
    deep = str(tmp_path)
    for _ in range(1100):  # deeper than Python's recursion limit
        deep = os.path.join(deep, "d")
        os.mkdir(deep)
    deep = Path(deep)
    shutil.copy(corpus / "dicompyler-core" / "rtplan.dcm", deep / "plan.dcm")
    try:
        result = scan(tmp_path, use_cache=False)
        assert [i.path for i in result.instances()] == [deep / "plan.dcm"]
    finally:  # shutil.rmtree recurses: remove the tower iteratively
        (deep / "plan.dcm").unlink()
        level = str(deep)
        while level != str(tmp_path):
            os.rmdir(level)
            level = os.path.dirname(level)


def test_without_inode_numbers_files_are_told_apart_by_real_path(tmp_path):
    """Windows' DirEntry.stat() reports inode 0: fall back to the resolved path."""
    from rtviewer.dicom.discover import _Walker

    (tmp_path / "a.dcm").write_bytes(b"a")
    (tmp_path / "b.dcm").write_bytes(b"bb")
    (tmp_path / "link.dcm").symlink_to(tmp_path / "a.dcm")
    walker = _Walker(lambda: False)
    for name in ("a.dcm", "b.dcm", "link.dcm"):
        st = os.stat(tmp_path / name)
        no_inode = os.stat_result((st.st_mode, 0, 0, st.st_nlink, st.st_uid, st.st_gid,
                                   st.st_size, 0, st.st_mtime, 0))
        walker.visit(str(tmp_path / name), no_inode)
    assert [Path(f.path).name for f in walker.out.files] == ["a.dcm", "b.dcm"]
    assert [Path(p).name for p, _reason in walker.out.skipped] == ["link.dcm"]
