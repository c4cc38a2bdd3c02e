"""Seeded-fault benchmark of the plan review: detection rate and the clean corpus's findings.

Runs the plan checks on every external-beam plan of the corpus folders and the demo
patients, then on each seeded faulty variant (:mod:`rtviewer.review.seeded_faults`).
A fault counts as found when the variant raises a finding of one of its codes that
the clean plan does not (same code and message). Prints each clean plan's warnings
and errors, then the rate.

Usage::

    python benchmarks/plan_review_faults.py [--data /work/shared/data] [--demo DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from rtviewer.dicom.check.plan_cases import load_plan_cases
from rtviewer.review import review_plan
from rtviewer.review.seeded_faults import seed_faults

#: Corpus folders with a plan, its structure set and (mostly) its PLAN dose.
FOLDERS = ("dicompyler-core", "aptg-proton", "pps-vendor-plans/BrainSRSRaystationVMAT",
           "pps-vendor-plans/GK_test_data_gkdosefile", "pps-vendor-plans/ptv_based_SRS",
           "pps-vendor-plans/monaco_plans_VMAT", "slicerrt-eclipse-prostate", "pymedphys",
           # plans alone (no structure set or dose in the folder): beam, prescription,
           # isocentre and approval checks only
           "pps-vendor-plans/LungIMRT", "pps-vendor-plans/pinnacle_plan1",
           "pps-vendor-plans/brainlab_plan_ptv", "pydicom-testfiles")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("RTVIEWER_TEST_DATA",
                                                         "/work/shared/data"))
    parser.add_argument("--demo", help="a folder written by `rtviewer demo --out`; "
                                       "generated in a temporary folder when absent")
    args = parser.parse_args()
    folders = [Path(args.data) / f for f in FOLDERS if (Path(args.data) / f).is_dir()]
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(args.demo) if args.demo else Path(tmp) / "demo"
        if not args.demo:
            from rtviewer.demo.generate import generate_demo

            generate_demo(demo)
        folders.append(demo)
        return _run(folders)


def _run(folders: list[Path]) -> int:
    found = total = 0
    missed: list[str] = []
    clean_counts: Counter[str] = Counter()
    collateral: Counter[str] = Counter()
    start = time.process_time()
    for folder in folders:
        for path, case in load_plan_cases(folder):
            clean = review_plan(case)
            print(f"\n== {path} (structure set: {case.structure_set is not None}, "
                  f"PLAN dose: {case.dose is not None})")
            for f in clean:
                clean_counts[f.severity.value] += 1
                if f.severity.value != "info":
                    print(f"   clean {f.severity.value:<7} {f.code}: {f.message}")
            seen = {(f.code, f.message) for f in clean}
            for fault in seed_faults(case):
                # found: a finding of one of the fault's codes that the clean plan lacks
                new = [f for f in review_plan(fault.case) if (f.code, f.message) not in seen]
                hit = any(f.code in fault.codes for f in new)
                # what else the fault raised (consequences of it, or false alarms)
                other = sorted({f.code for f in new if f.code not in fault.codes
                                and f.severity.value != "info"})
                collateral.update(other)
                total += 1
                found += hit
                print(f"   fault {fault.name:<23} {'found' if hit else 'MISSED'} "
                      f"({fault.description})" + (f"; also {', '.join(other)}" if other else ""))
                if not hit:
                    missed.append(f"{path.name}: {fault.name}")
    rate = 100.0 * found / total if total else 0.0
    print(f"\nclean plans: {clean_counts['error']} error(s), {clean_counts['warning']} "
          f"warning(s), {clean_counts['info']} information(s)")
    print("other warnings and errors the faulty variants raised: "
          + (", ".join(f"{c} x{n}" for c, n in sorted(collateral.items())) or "none"))
    print(f"seeded faults found with the right code: {found} / {total} = {rate:.1f} %"
          f" (CPU {time.process_time() - start:.0f} s)")
    for m in missed:
        print(f"   missed: {m}")
    return 0 if rate >= 95.0 else 1


if __name__ == "__main__":
    sys.exit(main())
