"""Write the cases of the tilted-structure, brachy and no-image screenshots (issue 14).

Usage: ``python docs/screenshots/tilted_cases.py CORPUS OUT``. Writes, under OUT,
``matrad-tilted/`` (the matRad CT and structures turned 30° about x and 6° about y:
contours on planes oblique to every view), ``oncentra-tilted/`` (the Oncentra brachy
plan and structures turned 30° about x), and folders holding one object type only:
``plan-only/`` (the RayStation proton plan), ``brachy-plan-only/`` (the Eclipse HDR
plan) and ``rt-image-only/`` (a Varian portal image), copied unchanged.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from factories.tilted import rotation, tilted_copy  # noqa: E402 - after the path is set


def main() -> None:
    """Write the five folders."""
    corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
    matrad = corpus / "matrad-dicomexport"
    tilted_copy(sorted(matrad.glob("*.dcm")), rotation(30.0, 6.0), np.zeros(3),
                out / "matrad-tilted")
    oncentra = corpus / "pytg43-brachy" / "oncentra"
    tilted_copy(sorted(oncentra.glob("*.dcm")), rotation(30.0, 0.0),
                np.array([0.0, -40.0, -610.0]), out / "oncentra-tilted")
    for name, source in (("plan-only", corpus / "aptg-proton/plan03_ramp_full/"
                          "ramped_2Gy_ver2_full.dcm"),
                         ("brachy-plan-only", corpus / "pytg43-brachy/HDR/RP.HDR.dcm"),
                         ("rt-image-only", corpus / "pylinac/DRGS_open.dcm")):
        (out / name).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, out / name / source.name)


if __name__ == "__main__":
    main()
