"""The committed standard tables are exactly what ``scripts/make_standard_tables.py`` makes.

highdicom (a development dependency, pinned) is the generator's source; the runtime
reads only the generated package data.
"""

from __future__ import annotations

import importlib.util
import json
from importlib import resources

from testsupport import REPO_ROOT


def _generator():
    path = REPO_ROOT / "scripts" / "make_standard_tables.py"
    spec = importlib.util.spec_from_file_location("make_standard_tables", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_tables_match_the_script_output():
    generator = _generator()
    committed = (REPO_ROOT / "rtviewer" / "dicom" / "conformance" / "standard_tables.json")
    expected = generator.build(generator._installed_reader())
    assert committed.read_text(encoding="utf-8") == expected, (
        "stale: run python scripts/make_standard_tables.py")


def test_the_package_ships_the_tables_and_runtime_needs_no_highdicom():
    text = resources.files("rtviewer.dicom.conformance").joinpath("standard_tables.json")
    tables = json.loads(text.read_text(encoding="utf-8"))
    assert tables["source"].startswith("highdicom 0.28.2 wheel")
    assert tables["sop_class_iod"]["1.2.840.10008.5.1.4.1.1.481.5"] == "rt-plan"
    runtime = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    dependencies = runtime.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert "highdicom" not in dependencies
