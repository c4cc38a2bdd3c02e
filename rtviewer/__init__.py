"""rtviewer: a desktop viewer for DICOM-RT data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rtviewer")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
