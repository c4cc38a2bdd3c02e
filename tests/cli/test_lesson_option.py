"""`rtviewer --lesson FILE`, `rtviewer open FOLDER --lesson FILE`, a lesson file as a path."""

from __future__ import annotations

import pytest

import rtviewer.app
from rtviewer.cli import main


@pytest.fixture
def opened(monkeypatch):
    calls = []
    monkeypatch.setattr(rtviewer.app, "main",
                        lambda paths, demo=False, lesson=None: calls.append(
                            (list(paths), lesson)) or 0)
    return calls


@pytest.mark.parametrize(("argv", "expected"), [
    (["--lesson", "a.rtlesson.yaml"], ([], "a.rtlesson.yaml")),
    (["open", "/data", "--lesson", "a.rtlesson.yaml"], (["/data"], "a.rtlesson.yaml")),
    (["/data/b.rtlesson.yaml"], ([], "/data/b.rtlesson.yaml")),  # a double-click
    (["/data", "/x/C.RTLESSON.YAML"], (["/data"], "/x/C.RTLESSON.YAML")),
    (["/data"], (["/data"], None)),
])
def test_the_window_gets_the_lesson(opened, argv, expected):
    assert main(argv) == 0
    assert opened == [expected]
