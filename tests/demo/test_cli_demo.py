"""``rtviewer demo --out`` refusals and the ``--demo`` cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from rtviewer import __version__
from rtviewer.cli import main as cli_main
from rtviewer.demo import generate


def test_non_empty_folder_exits_2_and_nothing_is_written(tmp_path, capsys):
    out = tmp_path / "full"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert cli_main(["demo", "--out", str(out)]) == 2
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert "not an empty folder" in capsys.readouterr().err


def test_a_file_in_place_of_the_folder_exits_2(tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x")
    assert cli_main(["demo", "--out", str(target)]) == 2
    assert target.read_text() == "x"


def _fake_generate(calls: list[Path]):
    def fake(out_dir, **_):
        out = Path(out_dir)
        calls.append(out)
        (out / "RTV-DEMO").mkdir(parents=True)
        (out / "RTV-DEMO" / "x.dcm").write_bytes(b"DICM")
        return [out / "RTV-DEMO" / "x.dcm"]
    return fake


def test_cached_demo_is_generated_once_under_the_cache_root(monkeypatch, _isolated_cache):
    calls: list[Path] = []
    monkeypatch.setattr(generate, "generate_demo", _fake_generate(calls))
    first = generate.ensure_cached_demo()
    assert first == _isolated_cache / "demo" / __version__  # beside the scan index
    assert (first / "RTV-DEMO" / "x.dcm").is_file()
    assert generate.ensure_cached_demo() == first
    assert len(calls) == 1  # the second call reuses the cache
    assert calls[0] != first  # generated elsewhere, then renamed into place
    assert [p.name for p in first.parent.iterdir()] == [__version__]  # no temporary left


def test_failed_generation_leaves_no_cache(monkeypatch, _isolated_cache):
    def broken(out_dir, **_):
        (Path(out_dir) / "half.dcm").write_bytes(b"")
        raise RuntimeError("disk full")
    monkeypatch.setattr(generate, "generate_demo", broken)
    with pytest.raises(RuntimeError):
        generate.ensure_cached_demo()
    assert not generate.cached_demo_dir().exists()
    assert list(generate.cached_demo_dir().parent.iterdir()) == []


def test_demo_flag_opens_the_window_on_the_cached_demo(monkeypatch, _isolated_cache):
    import rtviewer.app

    calls: list[Path] = []
    monkeypatch.setattr(generate, "generate_demo", _fake_generate(calls))
    opened: list[tuple[list[str], bool]] = []
    monkeypatch.setattr(rtviewer.app, "main",
                        lambda paths, demo, **_: opened.append((list(paths), demo)) or 0)
    assert cli_main(["--demo"]) == 0  # first run: the window generates it
    assert opened == [([], True)] and calls == []
    generate.ensure_cached_demo()
    assert cli_main(["--demo"]) == 0  # later runs: the cached demo opens as a folder
    assert opened[1] == ([str(generate.cached_demo_dir())], False)
