"""Loading a chain: a file that cannot be read becomes a problem; the rest still shows."""

from __future__ import annotations

import pytest

from rtviewer.ui.workers.loader import load_scene
from rtviewer.view.chain import Chain


@pytest.mark.corpus
def test_unreadable_structure_set_is_a_problem_not_a_crash(tmp_path, corpus):
    junk = tmp_path / "RS.dcm"
    junk.write_bytes(b"\x00" * 128 + b"DICM" + bytes(range(256)) * 4)
    chain = Chain(dose=corpus / "dicompyler-core" / "rtdose.dcm", structures=junk)
    partials = []
    steps = []
    result = load_scene(chain, lambda d, t, w: steps.append((d, t, w)), partials.append)
    assert result.scene.dose is not None and result.scene.structures is None
    assert [p for p, _ in result.problems] == [junk]
    assert len(partials) == 1 and partials[0].scene.dose is not None  # shown before the failure
    assert steps[-1] == (2, 2, "done")
