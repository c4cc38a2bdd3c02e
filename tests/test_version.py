"""``rtviewer.__version__`` is the release of ``pyproject.toml`` and of the installed package.

It is a literal in ``rtviewer/__init__.py`` (the window's start reads no package
metadata); this keeps the two places equal when the release changes.
"""

from __future__ import annotations

import tomllib
from importlib import metadata

from testsupport import REPO_ROOT

import rtviewer


def test_the_version_is_pyprojects():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert rtviewer.__version__ == project["project"]["version"]


def test_the_installed_metadata_says_the_same_version():
    # the venv holds rtviewer installed (editable): its metadata came from pyproject.toml
    assert metadata.version("rtviewer") == rtviewer.__version__
