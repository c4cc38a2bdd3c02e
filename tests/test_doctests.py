"""The examples in rtviewer's docstrings run and print what they show (doctests).

Every module under ``rtviewer/`` whose source holds an example (``>>>``) is one test:
a new example is picked up without a list to update. ``doctest.testmod`` prints each
failing example, its expected and its actual output, in the test's captured stdout.
(pytest's ``--doctest-modules`` would do the same, but it also collects each
``conftest.py`` as a module and then fails on the suite's several ``conftest.py`` when
test files of different folders are named on one command line.)
"""

from __future__ import annotations

import doctest
import importlib

import pytest
from test_import_cycles import module_files
from testsupport import REPO_ROOT

WITH_EXAMPLES = sorted(name for name, path in module_files(REPO_ROOT / "rtviewer").items()
                       if ">>> " in path.read_text(encoding="utf-8"))


def test_the_examples_are_found():
    assert len(WITH_EXAMPLES) >= 15
    assert {"rtviewer.core.grid", "rtviewer.dicom.sop_classes"} <= set(WITH_EXAMPLES)


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name}: its '>>>' is not in a docstring doctest finds"
    assert result.failed == 0
