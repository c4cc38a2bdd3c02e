"""A 'recalculation' of the demo thorax 3DCRT dose for the comparison screenshots.

Usage: ``recalc_case.py DEMO_THORAX_FOLDER OUT_FOLDER``: copies the demo patient's folder
to OUT_FOLDER and adds one RT Dose: the 3DCRT PLAN dose 2 % higher (Dose Grid Scaling)
and 1 mm to the patient's left (Image Position x + 1), with new UIDs, as an independent
dose calculation might differ.  Nothing is written into DEMO_THORAX_FOLDER.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pydicom
from pydicom.uid import generate_uid


def main(argv: list[str]) -> int:
    """Copy, then write the recalculated dose; 1 when the 3DCRT PLAN dose is missing."""
    source, out = Path(argv[0]), Path(argv[1])
    shutil.copytree(source, out)
    plans = {}
    for path in out.glob("*.dcm"):
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        if ds.Modality == "RTPLAN":
            plans[ds.SOPInstanceUID] = ds.RTPlanLabel
    for path in sorted(out.glob("*.dcm")):
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        if ds.Modality != "RTDOSE" or ds.DoseSummationType != "PLAN":
            continue
        if plans.get(ds.ReferencedRTPlanSequence[0].ReferencedSOPInstanceUID) != "Lung 3DCRT":
            continue
        full = pydicom.dcmread(path)
        full.DoseGridScaling = float(full.DoseGridScaling) * 1.02
        x, y, z = (float(v) for v in full.ImagePositionPatient)
        full.ImagePositionPatient = [x + 1.0, y, z]
        # new UIDs, but the same ones every run (derived from the original's): the tree
        # and the compare panel show their tails, and make.sh must give the same pixels
        source = str(full.SOPInstanceUID)
        full.SOPInstanceUID = generate_uid(entropy_srcs=[source, "recalc"])
        full.file_meta.MediaStorageSOPInstanceUID = full.SOPInstanceUID
        full.SeriesInstanceUID = generate_uid(entropy_srcs=[source, "recalc series"])
        full.SeriesDescription = "Recalculation (2 % higher, 1 mm to patient left)"
        full.save_as(out / f"{full.SOPInstanceUID}.dcm")
        return 0
    print("recalc_case: no PLAN dose of 'Lung 3DCRT'", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
