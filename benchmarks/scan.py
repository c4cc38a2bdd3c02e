"""Benchmark ``rtviewer.dicom.scan``: files/second cold and warm, naive-open ratio, cached re-open.

Generates (under a temporary folder, removed afterwards) a realistic export: several
patients, each with a CT series of 512×512 slices carrying a typical scanner header
(~110 elements, a private block, nested sequences), plus an RTSTRUCT referencing every
slice, an RTPLAN and an RTDOSE. Then times, in one run:

* cold scan (page cache dropped, when running as root on Linux),
* warm scan with 1 and 2 worker processes, no cache,
* first scan that writes the cache, and the cached re-open,
* a naive open: ``dcmread`` of every file and decoding its pixels,
* the scan's fast header paths against pydicom in the same run: the warm 1-worker scan
  with every file read by pydicom, and one structure set's record with and without its
  ROI Contour Sequence cut out (the numbers quoted in :mod:`rtviewer.dicom.header`).

Run: ``.venv/bin/python benchmarks/scan.py [--slices 2000] [--rows 512]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

CT = "1.2.840.10008.5.1.4.1.1.2"
STUDY_COMPONENT = "1.2.840.10008.3.1.2.3.1"  # Detached Study Management, as CT headers cite it


def _meta(sop_class: str, sop_uid: str) -> FileMetaDataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = "1.2.826.0.1.3680043.8.498.1"
    return meta


def _common(ds: Dataset, patient: dict[str, str], modality: str, series_uid: str) -> None:
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.InstanceCreationDate, ds.InstanceCreationTime = "20260101", "101010"
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = "20260101"
    ds.StudyTime = ds.SeriesTime = ds.AcquisitionTime = ds.ContentTime = "101010.000"
    ds.AccessionNumber, ds.Modality, ds.Manufacturer = "A123456", modality, "SIEMENS"
    ds.InstitutionName, ds.ReferringPhysicianName = "Benchmark Hospital", "Ref^Doc"
    ds.StationName, ds.StudyDescription = "CT01", "Pelvis planning"
    ds.SeriesDescription, ds.ManufacturerModelName = f"{modality} benchmark", "SOMATOM"
    ds.PatientName, ds.PatientID = patient["name"], patient["id"]
    ds.PatientBirthDate, ds.PatientSex, ds.PatientAge = "19600101", "M", "066Y"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = patient["study"], series_uid
    ds.StudyID, ds.SeriesNumber = "1", 1
    ds.FrameOfReferenceUID = patient["frame"]
    ds.PositionReferenceIndicator = ""


def _new_object(sop_class: str, patient: dict[str, str], modality: str) -> Dataset:
    """An RT object of its own new series, with file meta and the common header."""
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, generate_uid()
    ds.file_meta = _meta(ds.SOPClassUID, ds.SOPInstanceUID)
    _common(ds, patient, modality, generate_uid())
    return ds


def _reference(sop_class: str, sop_uid: str) -> Dataset:
    """A Referenced SOP Class UID / Referenced SOP Instance UID item."""
    item = Dataset()
    item.ReferencedSOPClassUID, item.ReferencedSOPInstanceUID = sop_class, sop_uid
    return item


def _ct_slice(patient: dict[str, str], index: int, rows: int, rng: np.random.Generator
              ) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID = CT, generate_uid()
    ds.file_meta = _meta(CT, ds.SOPInstanceUID)
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    _common(ds, patient, "CT", patient["ct_series"])
    ds.ReferencedStudySequence = Sequence([_reference(STUDY_COMPONENT, patient["study"])])
    ds.ScanOptions, ds.SliceThickness, ds.KVP = "HELICAL_CT", "3.0", "120"
    ds.DataCollectionDiameter, ds.SoftwareVersions = "500.0", "syngo CT VA48A"
    ds.ReconstructionDiameter, ds.DistanceSourceToDetector = "500.0", "1085.6"
    ds.DistanceSourceToPatient, ds.GantryDetectorTilt = "595.0", "0.0"
    ds.TableHeight, ds.RotationDirection, ds.ExposureTime = "160.0", "CW", "500"
    ds.XRayTubeCurrent, ds.Exposure, ds.FilterType = "300", "150", "FLAT"
    ds.GeneratorPower, ds.FocalSpots, ds.ConvolutionKernel = "36", "1.2", "B31f"
    ds.PatientPosition, ds.AcquisitionNumber, ds.InstanceNumber = "HFS", 1, index + 1
    ds.ImagePositionPatient = [-250.0, -250.0, -300.0 + 3.0 * index]
    ds.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    ds.SliceLocation = -300.0 + 3.0 * index
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.Rows = ds.Columns = rows
    ds.PixelSpacing = [500.0 / rows, 500.0 / rows]
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.WindowCenter, ds.WindowWidth = ["40", "400"], ["400", "1500"]
    ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = "-1024", "1", "HU"
    ds.add_new(0x00191010, "LO", "SIEMENS CT VA0  COAD")  # a private block, as scanners do
    ds.add_new(0x00191090, "DS", "1.5")
    ds.add_new(0x00191092, "DS", "0.0")
    pixels = rng.integers(0, 2000, size=(rows, rows), dtype=np.uint16)
    ds.PixelData = pixels.tobytes()
    return ds


def _structure_set(patient: dict[str, str], slices: list[Dataset]) -> Dataset:
    struct = _new_object("1.2.840.10008.5.1.4.1.1.481.3", patient, "RTSTRUCT")
    struct.StructureSetLabel = "Pelvis"
    images = Sequence([_reference(CT, s.SOPInstanceUID) for s in slices])
    series = Dataset()
    series.SeriesInstanceUID, series.ContourImageSequence = patient["ct_series"], images
    study = _reference(STUDY_COMPONENT, patient["study"])
    study.RTReferencedSeriesSequence = Sequence([series])
    frame = Dataset()
    frame.FrameOfReferenceUID, frame.RTReferencedStudySequence = patient["frame"], \
        Sequence([study])
    struct.ReferencedFrameOfReferenceSequence = Sequence([frame])
    rois, contours = Sequence(), Sequence()
    for number, name in enumerate(["BODY", "PTV", "Rectum", "Bladder"], start=1):
        roi = Dataset()
        roi.ROINumber, roi.ROIName = number, name
        roi.ReferencedFrameOfReferenceUID = patient["frame"]
        rois.append(roi)
        rc = Dataset()
        rc.ReferencedROINumber, rc.ROIDisplayColor = number, [255, 0, 0]
        rc.ContourSequence = Sequence()
        for s in slices[::4]:
            c = Dataset()
            c.ContourGeometricType, c.NumberOfContourPoints = "CLOSED_PLANAR", 64
            angle = np.linspace(0, 2 * np.pi, 64, endpoint=False)
            z = float(s.ImagePositionPatient[2])
            pts = np.column_stack([40 * number * np.cos(angle), 40 * number * np.sin(angle),
                                   np.full(64, z)])
            c.ContourData = [f"{v:.2f}" for v in pts.ravel()]
            rc.ContourSequence.append(c)
        contours.append(rc)
    struct.StructureSetROISequence, struct.ROIContourSequence = rois, contours
    return struct


def _plan(patient: dict[str, str], struct: Dataset) -> Dataset:
    plan = _new_object("1.2.840.10008.5.1.4.1.1.481.5", patient, "RTPLAN")
    plan.RTPlanLabel = "VMAT"
    plan.ReferencedStructureSetSequence = Sequence(
        [_reference(struct.SOPClassUID, struct.SOPInstanceUID)])
    fg = Dataset()
    fg.FractionGroupNumber, fg.NumberOfFractionsPlanned, fg.NumberOfBeams = 1, 25, 2
    plan.FractionGroupSequence = Sequence([fg])
    plan.BeamSequence = Sequence()
    for number in (1, 2):
        beam = Dataset()
        beam.BeamNumber, beam.BeamName, beam.TreatmentDeliveryType = number, f"Arc{number}", \
            "TREATMENT"
        plan.BeamSequence.append(beam)
    return plan


def _dose(patient: dict[str, str], plan: Dataset) -> Dataset:
    dose = _new_object("1.2.840.10008.5.1.4.1.1.481.2", patient, "RTDOSE")
    dose.ReferencedRTPlanSequence = Sequence([_reference(plan.SOPClassUID, plan.SOPInstanceUID)])
    frames = 40
    dose.Rows = dose.Columns = 100
    dose.NumberOfFrames, dose.PixelSpacing = frames, [3.0, 3.0]
    dose.GridFrameOffsetVector = [3.0 * i for i in range(frames)]
    dose.ImagePositionPatient, dose.ImageOrientationPatient = [-150.0, -150.0, -60.0], \
        [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    dose.DoseUnits, dose.DoseType, dose.DoseSummationType = "GY", "PHYSICAL", "PLAN"
    dose.DoseGridScaling = "1e-5"
    dose.SamplesPerPixel, dose.PhotometricInterpretation = 1, "MONOCHROME2"
    dose.BitsAllocated, dose.BitsStored, dose.HighBit, dose.PixelRepresentation = 32, 32, 31, 0
    dose.PixelData = np.zeros((frames, 100, 100), dtype=np.uint32).tobytes()
    return dose


def _rt_objects(patient: dict[str, str], slices: list[Dataset]) -> list[Dataset]:
    struct = _structure_set(patient, slices)
    plan = _plan(patient, struct)
    return [struct, plan, _dose(patient, plan)]


def generate(folder: Path, n_slices: int, rows: int, n_patients: int = 4) -> int:
    """Write the benchmark export; return the number of files."""
    rng = np.random.default_rng(1)
    count = 0
    per_patient = n_slices // n_patients
    for p in range(n_patients):
        patient = {"name": f"Bench^Patient{p}", "id": f"BENCH{p:03d}", "study": generate_uid(),
                   "frame": generate_uid(), "ct_series": generate_uid()}
        out = folder / f"patient{p}"
        (out / "CT").mkdir(parents=True)
        slices = []
        for i in range(per_patient):
            ds = _ct_slice(patient, i, rows, rng)
            ds.save_as(out / "CT" / f"CT{i:05d}.dcm", enforce_file_format=True)
            ds.PixelData = b""  # keep memory small; the RTSTRUCT needs only the UIDs
            slices.append(ds)
        for obj in _rt_objects(patient, slices):
            obj.save_as(out / f"{obj.Modality}.dcm", enforce_file_format=True)
        count += per_patient + 3
    return count


def _drop_caches() -> bool:
    try:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _cpu(fn, repeat: int = 3) -> float:
    """Best CPU seconds of this process (the scan in-process: ``workers=1``)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def _pydicom_only(fn):
    """Run ``fn`` with the scan's fast header paths off: every file read by pydicom."""
    from rtviewer.dicom import header, header_full

    saved = header._fast_image_record, header._structure_set_record
    header._fast_image_record = lambda walked: None
    header._structure_set_record = lambda path, walked: header_full.full_record(path)
    try:
        return fn()
    finally:
        header._fast_image_record, header._structure_set_record = saved


def _best(fn, repeat: int = 5) -> float:
    return min(_timed(fn) for _ in range(repeat))


def _fast_path_rows(folder: Path) -> list[tuple[str, float, float]]:
    """(what, fast seconds, pydicom seconds): the whole warm scan, and one RTSTRUCT."""
    from rtviewer.dicom.header import read_record
    from rtviewer.dicom.scan import scan

    whole = (_best(lambda: scan(folder, use_cache=False, workers=1), 3),
             _pydicom_only(lambda: _best(lambda: scan(folder, use_cache=False, workers=1), 3)))
    rtss = str(folder / "patient0" / "RTSTRUCT.dcm")
    size = os.path.getsize(rtss)
    one = (_best(lambda: read_record(rtss, size)),
           _pydicom_only(lambda: _best(lambda: read_record(rtss, size))))
    return [("warm scan, 1 worker, no cache", *whole),
            (f"one RTSTRUCT record ({size / 1e6:.1f} MB)", *one)]


def _naive_open(folder: Path) -> None:
    for path in sorted(folder.rglob("*.dcm")):
        ds = pydicom.dcmread(path)
        if "PixelData" in ds:
            _ = ds.pixel_array


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=512)
    args = parser.parse_args()
    from rtviewer.dicom.scan import scan

    base = Path(tempfile.mkdtemp(prefix="rtviewer-bench-"))
    os.environ["RTVIEWER_CACHE_DIR"] = str(base / "cache")
    folder = base / "export"
    try:
        t_gen = time.perf_counter()
        n = generate(folder, args.slices, args.rows)
        print(f"generated {n} files ({args.rows}x{args.rows} CT) in "
              f"{time.perf_counter() - t_gen:.1f} s under {folder}", file=sys.stderr)
        rows: list[tuple[str, float]] = []
        load0 = f"{os.getloadavg()[0]:.1f}"
        if _drop_caches():
            rows.append(("cold scan, 2 workers, no cache", _timed(
                lambda: scan(folder, use_cache=False))))
        else:
            print("cannot drop the page cache (needs root on Linux): no cold figure",
                  file=sys.stderr)
        result = scan(folder, use_cache=False)
        assert len(result.instances()) == n and not result.problems
        for workers in (1, 2):
            best = min(_timed(lambda w=workers: scan(folder, use_cache=False, workers=w))
                       for _ in range(3))
            rows.append((f"warm scan, {workers} worker(s), no cache", best))
        cpu0 = time.process_time()
        for _ in range(3):
            scan(folder, use_cache=False, workers=1)
        cpu_serial = (time.process_time() - cpu0) / 3
        first = min(_timed(lambda: (shutil.rmtree(base / "cache", ignore_errors=True),
                                    scan(folder))) for _ in range(3))
        rows.append(("first scan writing the cache (2 workers)", first))
        cached = min(_timed(lambda: scan(folder)) for _ in range(3))
        rows.append(("cached re-open", cached))
        cpu_first = _cpu(lambda: (shutil.rmtree(base / "cache", ignore_errors=True),
                                  scan(folder, workers=1)))
        cpu_cached = _cpu(lambda: scan(folder))
        fast_rows = _fast_path_rows(folder)
        naive = _timed(lambda: _naive_open(folder))
        rows.append(("naive open: dcmread + pixel_array, every file", naive))
        warm2 = dict(rows)["warm scan, 2 worker(s), no cache"]
        print(f"{'what':<48} {'seconds':>8} {'files/s':>9}")
        for label, seconds in rows:
            print(f"{label:<48} {seconds:8.3f} {n / seconds:9.0f}")
        print(f"naive open / warm scan (2 workers): {naive / warm2:.1f}x")
        print(f"CPU time of a warm 1-worker scan: {cpu_serial:.3f} s = {n / cpu_serial:.0f} "
              "files per CPU-second (independent of other load on the machine)")
        print(f"{'fast header path vs pydicom for every file':<48} {'fast s':>8} "
              f"{'pydicom s':>9} {'ratio':>6}")
        for label, fast, slow in fast_rows:
            print(f"{label:<48} {fast:8.3f} {slow:9.3f} {slow / fast:5.1f}x")
        print(f"(cpus: {os.cpu_count()}, load average before/after: {load0} / "
              f"{os.getloadavg()[0]:.1f})")
        print(f"first scan / cached re-open: {first / cached:.1f}x (wall); CPU seconds "
              f"in-process: first {cpu_first:.3f}, cached {cpu_cached:.3f}, "
              f"ratio {cpu_first / cpu_cached:.1f}x")
    finally:
        shutil.rmtree(base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
