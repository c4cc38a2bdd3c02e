"""The structure models' names and one-line descriptions, without numpy.

Kept apart from :mod:`rtviewer.core.structure_model` (which builds the solids
with numpy) so that the command line's parser (``--structure-model`` choices and
default) builds without importing numpy: ``rtviewer --help`` and ``rtviewer open``
up to the window pay only for what they use (ARCHITECTURE, heavy imports at start).
"""

from __future__ import annotations

from typing import Literal, TypeAlias

__all__ = ["DEFAULT_MODEL", "MODEL_NAMES", "ModelName", "check_model_name", "describe_model"]

ModelName: TypeAlias = Literal["slab", "none", "smooth"]
#: The selectable structure models, default first.
MODEL_NAMES: tuple[ModelName, ...] = ("slab", "none", "smooth")
#: The model used when none is chosen.
DEFAULT_MODEL: ModelName = "slab"

_DESCRIPTIONS = {
    "slab": "contour stack, flat end caps half a contour spacing beyond the end contours",
    "none": "contour stack ending at the end contours (no end caps)",
    "smooth": "shape-based interpolation between planes, end caps from the contours' taper",
}


def describe_model(name: str) -> str:
    """One line saying what the model ``name`` assumes (for labels and stderr)."""
    return _DESCRIPTIONS[check_model_name(name)]


def check_model_name(name: str) -> ModelName:
    """``name`` as a model name; ValueError naming the choices otherwise."""
    if name not in MODEL_NAMES:
        raise ValueError(f"unknown structure model {name!r}; choose one of {MODEL_NAMES}")
    return name
