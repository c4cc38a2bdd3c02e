"""Store names and atomic writes (no network)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from rtviewer.config import (
    Node,
    ReceiverSettings,
    Settings,
    load_settings,
    parse_node,
    save_settings,
)
from rtviewer.net.store import INCOMING, clean_incoming, safe_component, store_bytes


@pytest.mark.parametrize("uid", ["1.2.840.10008.5.1.4.1.1.481.5", "0.1", "1." + "2" * 62])
def test_valid_uids_are_kept(uid):
    assert safe_component(uid) == uid


@pytest.mark.parametrize("bad", ["UNKNOWN", "../x", "..", "/etc/passwd", "1.2/3", "1.2\\3",
                                 "1." + "2" * 63, "1..2", "01.2", "", None, "1.2\x00/..",
                                 "C:\\x", "1.2.", ".1.2"])
def test_invalid_or_escaping_uids_are_hashed(bad):
    name = safe_component(bad)
    text = "" if bad is None else str(bad).strip("\x00 ")
    assert name == "h" + hashlib.sha1(text.encode()).hexdigest()[:16]
    assert "/" not in name and "\\" not in name and ".." not in name


def test_crafted_uids_never_leave_the_store(tmp_path):
    store = tmp_path / "store"
    out = store_bytes(store, b"DICM-ish", "../../up", "/abs/olute", "../x")
    assert out.path.resolve().is_relative_to(store.resolve())
    assert out.path.parent.parent.parent == store
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_duplicate_uid_with_different_content_is_kept_beside(tmp_path):
    first = store_bytes(tmp_path, b"first object", "1.2", "1.3", "1.4")
    second = store_bytes(tmp_path, b"second object", "1.2", "1.3", "1.4")
    again = store_bytes(tmp_path, b"second object", "1.2", "1.3", "1.4")
    sha = hashlib.sha1(b"second object").hexdigest()
    assert first.path.name == "1.4.dcm" and first.duplicate_of is None
    assert second.path.name == f"1.4.{sha[:8]}.dcm" and second.duplicate_of == first.path
    assert again.already_present and again.path == second.path
    assert first.path.read_bytes() == b"first object"
    assert second.path.read_bytes() == b"second object"
    assert store_bytes(tmp_path, b"first object", "1.2", "1.3", "1.4").already_present


def test_no_temporary_file_remains_and_leftovers_are_cleaned(tmp_path):
    store_bytes(tmp_path, b"x" * 1000, "1.2", "1.3", "1.4")
    assert list((tmp_path / INCOMING).iterdir()) == []
    (tmp_path / INCOMING / "tmpabc.part").write_bytes(b"half")
    assert clean_incoming(tmp_path) == 1
    assert list((tmp_path / INCOMING).iterdir()) == []


def test_settings_round_trip_and_node_parsing(tmp_path):
    settings = Settings(receiver=ReceiverSettings(port=104, allowed_calling_aets=("TPS",)),
                        nodes=(Node("pacs", "ORTHANC", "10.0.0.5", 4242),))
    path = save_settings(settings)
    assert path.parent == Path(os.environ["RTVIEWER_CONFIG_DIR"])
    assert load_settings() == settings
    assert parse_node("pacs") == Node("pacs", "ORTHANC", "10.0.0.5", 4242)
    assert parse_node("STORESCP@127.0.0.1:11113") == Node(
        "STORESCP@127.0.0.1:11113", "STORESCP", "127.0.0.1", 11113)
    with pytest.raises(ValueError, match="unknown node"):
        parse_node("nowhere")
    with pytest.raises(ValueError, match="out of range"):
        parse_node("A@h:70000")


def test_defaults_listen_on_loopback_only():
    receiver = load_settings().receiver
    assert (receiver.ae_title, receiver.port, receiver.bind) == ("RTVIEWER", 11112, "127.0.0.1")


def test_files_being_written_are_not_in_the_store_index(tmp_path):
    from rtviewer.net.indexer import StoreIndexer

    store_bytes(tmp_path, b"not really DICOM", "1.2", "1.3", "1.4")
    (tmp_path / INCOMING / "tmp123.part").write_bytes(b"\0" * 128 + b"DICM")  # mid-write
    indexer = StoreIndexer(tmp_path)
    try:
        indexer.request()
        assert indexer.wait_idle(60)
    finally:
        indexer.stop()
    index = indexer.latest
    assert index is not None
    listed = [f.path for f in (*index.skipped, *index.problems)]
    assert tmp_path / "1.2" / "1.3" / "1.4.dcm" in listed  # the stored (junk) file is seen
    assert not any(INCOMING in p.parts for p in listed)


def test_simultaneous_different_objects_with_one_uid_all_survive(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    blobs = [f"object {n}".encode() * 1000 for n in range(8)]
    with ThreadPoolExecutor(8) as pool:
        stored = list(pool.map(lambda b: store_bytes(tmp_path, b, "1.2", "1.3", "1.4"), blobs))
    files = sorted((tmp_path / "1.2" / "1.3").iterdir())
    assert len(files) == 8 and len({s.path for s in stored}) == 8
    assert sorted(f.read_bytes() for f in files) == sorted(blobs)
    assert sum(s.duplicate_of is None for s in stored) == 1
