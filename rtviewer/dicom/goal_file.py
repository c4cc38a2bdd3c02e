"""Read a clinical goal set (YAML or JSON) and a synonym list into the goal model.

The file (YAML is a superset of JSON, so one parser reads both; PyYAML's ``safe_load``,
which builds only plain data)::

    name: Conventional lung (2 Gy per fraction)
    citation: Marks LB et al. Int J Radiat Oncol Biol Phys 2010;76(3 Suppl):S10-S19
    synonyms: {Cord: SpinalCord}          # optional: other name -> TG-263 name
                                          # (or SpinalCord: [Cord, SC])
    goals:
      - SpinalCord: Dmax < 50 Gy          # short form: mandatory
      - structure: Lungs-GTV              # long form
        goal: V20Gy < 30 %
        priority: optimal                 # mandatory (default) or optimal
        fractions: [3]                    # optional: only for plans of these fractions
        alpha_beta: 3                     # needed by EQD2 / BED goals
        source: QUANTEC Table 1 (lung)

Errors name the file and the goal (:class:`rtviewer.errors.RtViewerError`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from rtviewer.errors import RtViewerError
from rtviewer.model.goals import Goal, GoalSet, GoalSyntaxError, Priority, parse_goal

__all__ = ["GoalFileError", "read_goal_set", "goal_set_named", "read_synonyms",
           "shipped_goal_sets"]


class GoalFileError(RtViewerError):
    """A goal or synonym file that cannot be used."""


def _load(path: Path) -> Any:
    # PyYAML imported here: the goals panel lists the shipped sets before the first
    # image and reads one only when chosen (0.09 s of imports saved at start-up)
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GoalFileError(f"cannot read it ({exc.strerror or exc})", path=path) from exc
    except yaml.YAMLError as exc:
        raise GoalFileError(f"not YAML/JSON: {exc}", path=path) from exc


def _fractions(value: Any, where: str) -> tuple[int, ...]:
    if value is None:
        return ()
    values = value if isinstance(value, list) else [value]
    try:
        return tuple(int(v) for v in values)
    except (TypeError, ValueError) as exc:
        raise GoalSyntaxError(f"{where}: fractions must be numbers, got {value!r}") from exc


def _goal(item: Any, index: int, default_source: str) -> Goal:
    where = f"goal {index + 1}"
    if isinstance(item, str):
        structure, _, text = item.rpartition(":")
        item = {"structure": structure, "goal": text}
    elif isinstance(item, dict) and len(item) == 1 and "goal" not in item:
        ((structure, text),) = item.items()
        item = {"structure": structure, "goal": text}
    if not isinstance(item, dict) or not item.get("structure") or not item.get("goal"):
        raise GoalSyntaxError(f"{where}: needs a structure and a goal "
                              "('SpinalCord: Dmax < 50 Gy')")
    priority = str(item.get("priority", "mandatory")).strip().lower()
    if priority not in {p.value for p in Priority}:
        raise GoalSyntaxError(f"{where}: priority is mandatory or optimal, not {priority!r}")
    ab = item.get("alpha_beta")
    return parse_goal(str(item["structure"]), str(item["goal"]), priority=Priority(priority),
                      alpha_beta_gy=None if ab is None else float(ab),
                      fractions=_fractions(item.get("fractions"), where),
                      source=str(item.get("source") or default_source))


def _synonyms(value: Any, path: Path) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise GoalFileError("synonyms must map a name to a TG-263 name", path=path)
    pairs: list[tuple[str, str]] = []
    for key, names in value.items():
        if isinstance(names, list):  # StandardName: [other, names]
            pairs += [(str(n), str(key)) for n in names]
        else:  # Other Name: StandardName
            pairs.append((str(key), str(names)))
    return tuple(pairs)


def read_goal_set(path: str | Path) -> GoalSet:
    """The goal set in ``path`` (module docstring); GoalFileError naming what is wrong."""
    path = Path(path)
    data = _load(path)
    if not isinstance(data, dict) or not isinstance(data.get("goals"), list):
        raise GoalFileError("a goal file holds a mapping with a 'goals' list", path=path)
    citation = str(data.get("citation") or "")
    try:
        goals = tuple(_goal(item, i, citation) for i, item in enumerate(data["goals"]))
    except (GoalSyntaxError, TypeError, ValueError) as exc:
        raise GoalFileError(str(exc), path=path) from exc
    return GoalSet(str(data.get("name") or path.stem), citation, goals,
                   _synonyms(data.get("synonyms"), path), str(path))


def read_synonyms(path: str | Path) -> dict[str, str]:
    """A synonym file: ``TG-263 name: [other names]`` or ``other name: TG-263 name``."""
    path = Path(path)
    data = _load(path)
    if isinstance(data, dict) and "synonyms" in data:
        data = data["synonyms"]
    return dict(_synonyms(data, path))


def shipped_goal_sets() -> dict[str, Path]:
    """The goal sets shipped with rtviewer: name (file stem) → path."""
    folder = resources.files("rtviewer.resources").joinpath("goals")
    return {Path(str(f)).stem: Path(str(f)) for f in folder.iterdir()
            if str(f).endswith(".yaml") and not str(f).endswith("synonyms.yaml")}


def goal_set_named(name: str) -> GoalSet:
    """A goal file by path, else a goal set shipped with rtviewer by name (``--goals``).

    Raises
    ------
    GoalFileError
        Neither a file nor a shipped set, or the file cannot be read.
    """
    path = Path(name)
    if not path.exists():
        shipped = shipped_goal_sets()
        if name not in shipped:
            raise GoalFileError(f"{name}: no such goal file, and no shipped set of that name "
                                f"({', '.join(sorted(shipped))})")
        path = shipped[name]
    return read_goal_set(path)
