"""The plan-review profile: limits and conventions in one human-editable YAML file.

The default profile (``default_profile.yaml`` next to this module) cites its sources;
a user's file overrides any of its keys and must not invent new ones (a typo would
otherwise silently keep the default).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from rtviewer.errors import RtViewerError

__all__ = ["Profile", "load_profile", "default_profile_text"]


def default_profile_text() -> str:
    """The default profile, comments and sources included."""
    return resources.files("rtviewer.review").joinpath("default_profile.yaml").read_text(
        encoding="utf-8")


@dataclass(frozen=True)
class Profile:
    """The merged limits, by section and key.

    Parameters
    ----------
    sections : dict
        ``{section: {key: value}}`` as in the YAML file.
    source : str
        Where the overrides came from (``"default"`` or a path).
    """

    sections: dict[str, dict[str, Any]]
    source: str = "default"

    def number(self, section: str, key: str) -> float:
        """A numeric limit."""
        return float(self.sections[section][key])

    def value(self, section: str, key: str) -> Any:
        """Any value (list, text, mapping)."""
        return self.sections[section][key]


def load_profile(path: str | Path | None = None) -> Profile:
    """Load the default profile, overridden by ``path`` when given.

    Raises
    ------
    rtviewer.errors.RtViewerError
        The file cannot be read, is not YAML, or names a section or key the default
        profile does not have (the message names the file and the key).
    """
    defaults: dict[str, dict[str, Any]] = yaml.safe_load(default_profile_text())
    if path is None:
        return Profile(defaults)
    try:
        user = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RtViewerError(f"cannot read the plan-review profile {path}: {exc}") from exc
    if not isinstance(user, dict):
        raise RtViewerError(f"the plan-review profile {path} is not a mapping of sections")
    merged = copy.deepcopy(defaults)
    for section, values in user.items():
        if section not in merged or not isinstance(values, dict):
            raise RtViewerError(f"the plan-review profile {path}: unknown section {section!r}"
                                f" (known: {', '.join(sorted(merged))})")
        for key, value in values.items():
            if key not in merged[section]:
                raise RtViewerError(f"the plan-review profile {path}: unknown key "
                                    f"{section}.{key}")
            merged[section][key] = value
    return Profile(merged, str(path))
