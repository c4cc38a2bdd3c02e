"""Write the derived test cases the beam's-eye view screenshots show (issue 14).

Usage: ``python docs/screenshots/derived_cases.py CORPUS OUT``. Writes, under OUT,
``halcyon/`` (the Eclipse prostate plan with a dual-layer MLC), ``accessories/`` (the
same plan with wedges, blocks, applicator, compensator and bolus), ``proton/`` (the
proton plan with a range shifter and modulator) and ``tilted/`` (the prostate DRR on a
NON_NORMAL plane), with the test suite's own factories.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from factories.beam_devices import (  # noqa: E402 - after the path is set
    accessory_plan,
    dual_layer_plan,
    ion_device_plan,
    tilted_rt_image,
)


def main() -> None:
    """Write the four folders."""
    corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
    dual_layer_plan(corpus, out / "halcyon")
    accessory_plan(corpus, out / "accessories")
    ion_device_plan(corpus, out / "proton")
    tilted_rt_image(corpus, out / "tilted")


if __name__ == "__main__":
    main()
