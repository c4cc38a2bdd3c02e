"""``rtviewer goals FOLDER --goals FILE [--json|--csv]``: clinical goals checked on a dose.

For each RT Plan in FOLDER with a whole-plan (or FRACTION) RT Dose that references it
and its RT Structure Set (or, without a plan, the folder's one structure set and
dose, as ``rtviewer dvh FOLDER`` pairs them): every goal of FILE (a shipped set's name
such as ``quantec`` or ``lung_conventional`` works too) with its matched structure and
how it matched, value, limit, pass/fail and margin, on the structure model stated.

Exit 0 when every mandatory goal passes, 1 when one fails or is not evaluable, 2 on a
usage error (no goal file, no structure set and dose).  Never imports Qt.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rtviewer.cli.common import fail, goal_synonyms, print_document
from rtviewer.cli.dvh import UsageError
from rtviewer.core.model_names import DEFAULT_MODEL, MODEL_NAMES
from rtviewer.printable import printable


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``goals``."""
    p = sub.add_parser("goals", help="check clinical goals (DVH constraints) on a plan's dose",
                       description="Evaluate a clinical goal set on the dose of each plan in "
                                   "FOLDER. Exit 0: every mandatory goal passes; 1: one "
                                   "fails or cannot be evaluated; 2: usage error.")
    p.add_argument("folder", metavar="FOLDER", help="folder with plan, structure set and dose")
    p.add_argument("--goals", required=True, metavar="FILE",
                   help="goal file (YAML/JSON) or the name of a shipped set "
                        "(quantec, lung_conventional, prostate_conventional, "
                        "head_neck_conventional, sbrt_tg101)")
    p.add_argument("--synonyms", metavar="FILE",
                   help="structure-name synonyms (TG-263 name: [other names]); default the "
                        "user's synonyms.yaml in the settings folder, when it exists")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--csv", action="store_true", help="print CSV")
    p.add_argument("--structure-model", choices=MODEL_NAMES, default=DEFAULT_MODEL,
                   help="solid the contours stand for (default %(default)s)")
    return p


def _goal_set(name: str):  # noqa: ANN202 - GoalSet (lazy import)
    from rtviewer.dicom.goal_file import goal_set_named
    from rtviewer.errors import RtViewerError

    try:
        return goal_set_named(name)
    except RtViewerError as exc:
        raise UsageError(str(exc)) from exc


def _cases(folder: Path) -> list[tuple[Any, Any, Any]]:
    """(plan or None, structure set, dose) triples to evaluate."""
    from rtviewer.cli.dvh import find_pair, load_pair
    from rtviewer.cli.plan_inputs import read_bundles

    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder")
    cases = []
    for bundle in read_bundles(folder, "goals"):
        if bundle.structure_set is None or not bundle.doses:
            print(f"rtviewer goals: {printable(Path(bundle.plan.path).name)}: skipped (no "
                  "structure set or dose)", file=sys.stderr)
            continue
        cases.append((bundle.plan, bundle.structure_set, bundle.doses[0]))
    if cases:
        return cases
    try:
        rs, rd = find_pair(folder)
        structure_set, dose = load_pair(rs, rd)
    except UsageError as exc:
        raise UsageError(f"no plan with its structure set and dose; {exc}") from exc
    print("rtviewer goals: no RT Plan with a dose here: goals in % Rx and EQD2/BED cannot be "
          "evaluated", file=sys.stderr)
    return [(None, structure_set, dose)]


def run(args: argparse.Namespace) -> int:
    """Run ``goals``; exit 0 all mandatory goals pass, 1 one fails, 2 usage error."""
    from rtviewer.core.structure_model import describe_model
    from rtviewer.errors import RtViewerError
    from rtviewer.model.goal_evaluation import evaluate_on_dose, mandatory_failures
    from rtviewer.model.goal_table import results_csv, results_json, results_text

    try:
        goal_set = _goal_set(args.goals)
        synonyms = goal_synonyms(args.synonyms, "goals")
        cases = _cases(Path(args.folder))
    except (UsageError, RtViewerError) as exc:
        return fail("goals", exc, 2)
    model = args.structure_model
    print(f"rtviewer goals: {printable(goal_set.name)}; structure model {model}: "
          f"{describe_model(model)}", file=sys.stderr)
    evaluated = [(plan, dose, evaluate_on_dose(goal_set, structures, dose, plan, model,
                                               synonyms))
                 for plan, structures, dose in cases]
    if args.json:
        print_document(results_json(goal_set, evaluated))
    elif args.csv:
        print_document(results_csv(evaluated).rstrip("\n"))
    else:
        print_document(results_text(goal_set, evaluated))
    failed = [r for _, _, results in evaluated for r in mandatory_failures(results)]
    return 1 if failed else 0
