"""rtviewer: a desktop viewer for DICOM-RT data."""

#: The release: the ``version`` of ``pyproject.toml`` (tests/test_version.py keeps them
#: equal). Written here rather than read from the installed metadata: importing
#: ``importlib.metadata`` (the email package, zipfile, ...) and the lookup took about
#: 25 ms of the window's start, before its first image.
__version__ = "0.1.0"

__all__ = ["__version__"]
