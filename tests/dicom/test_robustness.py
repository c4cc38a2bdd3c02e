"""Mutated real files never crash the scanner or the readers (issues 2 and 3).

Every variant of :mod:`factories.mutations` (an attribute the reader uses deleted,
emptied or wrong; sequences emptied; character sets; transfer syntaxes; truncation;
trailing garbage; private tags; duplicated elements ...) must:

- be accounted for exactly once by ``scan()`` (instance, skipped or problem);
- make its reader return an object or raise an ``RtViewerError`` naming the file,
  with a sentence, not a bare library message;
- let no other exception and no warning escape.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
import zlib
from pathlib import Path

import pytest
from factories.mutations import (
    SOURCES,
    Variant,
    reader_for,
    value_variant,
    variants,
    write_variant,
)

from rtviewer.dicom.image import read_image_volume
from rtviewer.dicom.scan import scan
from rtviewer.errors import RtViewerError

pytestmark = [pytest.mark.corpus]

REPO = Path(__file__).resolve().parents[2]


def _all_variants() -> list[Variant]:
    from testsupport import corpus_root

    root = corpus_root()
    return variants(root) if root.is_dir() else []


VARIANTS = _all_variants()


def _in_sweep(variant: Variant) -> bool:
    """Every whole-file variant and a stable quarter of the attribute variants
    (``RTVIEWER_FUZZ_ALL=1``: all of them, about 2,200, a few minutes)."""
    if os.environ.get("RTVIEWER_FUZZ_ALL") == "1" or variant.name.count("/") < 2:
        return True
    return zlib.crc32(variant.name.encode()) % 4 == 0


SWEEP = [v for v in VARIANTS if _in_sweep(v)]


def _accounted(folder: Path, path: Path) -> list[str]:
    """Where ``scan`` put the file: 'instance', 'skipped' and/or 'problem' entries."""
    result = scan(folder, use_cache=False, workers=1)
    places = [f"skipped: {s.reason}" for s in result.skipped if Path(s.path) == path]
    places += [f"problem: {p.reason}" for p in result.problems if Path(p.path) == path]
    for patient in result.patients:
        for study in patient.studies:
            for series in study.series:
                places += ["instance" for i in series.instances if Path(i.path) == path]
    return places


def _is_sentence(error: RtViewerError) -> bool:
    """A message of several words that is not just the wrapped library's text."""
    message = error.message.strip()
    cause = error.__cause__
    if cause is not None and message == str(cause).strip():
        return False
    return len(message.split()) >= 3


def check_variant(variant: Variant, path: Path) -> None:
    """Assert the robustness properties for one written variant."""
    with warnings.catch_warnings(record=True) as scan_warnings:
        warnings.simplefilter("always")
        places = _accounted(path.parent, path)
    assert len(places) == 1, f"{variant.name}: scan accounted for the file as {places}"
    assert "unexpected error" not in places[0], f"{variant.name}: the scan crashed: {places[0]}"
    assert not scan_warnings, \
        f"{variant.name}: warnings escaped scan(): {[str(w.message) for w in scan_warnings]}"
    with warnings.catch_warnings(record=True) as read_warnings:
        warnings.simplefilter("always")
        try:
            obj = reader_for(variant.source.reader)(path)
        except RtViewerError as exc:
            assert exc.path is not None and exc.path.resolve() == path.resolve(), \
                f"{variant.name}: error names {exc.path}, not the file"
            assert _is_sentence(exc), f"{variant.name}: message is not a sentence: {exc.message!r}"
        else:
            assert isinstance(obj.findings, tuple), variant.name
    assert not read_warnings, \
        f"{variant.name}: warnings escaped the reader: {[str(w.message) for w in read_warnings]}"


#: Variants that once failed (kept fast, outside the slow sweep), with the crash class.
REGRESSIONS = {
    # pydicom's UID validation warned from sop_classes.lookup on a malformed SOP Class UID.
    "ct/SOPClassUID/junk": "warning escaped scan",
    "rtplan/SOPClassUID/junk": "warning escaped scan",
    "rtdose/SOPClassUID/junk": "warning escaped scan",
    # The scan's fast image path warned on an unknown Specific Character Set.
    "ct/charset_unknown": "warning escaped scan",
    "mr/SpecificCharacterSet/junk": "warning escaped scan",
    # int() of an IS value "1e999" (OverflowError) in the scan's reference reading: the
    # whole RT Image became an "unexpected error" problem, with a traceback on stderr.
    "rtimage/ReferencedBeamNumber/text_1e999": "scan crash",
}


@pytest.mark.parametrize("name", sorted(REGRESSIONS))
def test_regression(name: str, corpus: Path, tmp_path: Path) -> None:
    """Variants that crashed or leaked once stay fixed."""
    named = [v for v in VARIANTS if v.name == name]
    if named:
        variant = named[0]
    else:  # a sampled wrong value: build it by name
        source, keyword, label = name.split("/")
        variant = value_variant(source, keyword, label.removeprefix("text_"))
    check_variant(variant, write_variant(variant, corpus, tmp_path))


@pytest.mark.slow
@pytest.mark.parametrize("variant", SWEEP, ids=[v.name for v in SWEEP])
def test_variant_is_survived(variant: Variant, corpus: Path, tmp_path: Path) -> None:
    """One mutated file: accounted for once, read or refused with a located sentence."""
    check_variant(variant, write_variant(variant, corpus, tmp_path))


#: A malformed number the reader would otherwise replace by its default without a word.
UNUSABLE_NUMBERS = ["ct/RescaleIntercept/text_abc", "ct/RescaleSlope/text_zero",
                    "ct/RescaleSlope/text_nan", "pet_j2k/RescaleIntercept/text_inf",
                    "rtimage/RescaleIntercept/text_comma", "rtimage/RescaleSlope/text_zero",
                    "rtdose/DoseGridScaling/text_abc", "rtdose/DoseGridScaling/text_five_values"]


@pytest.mark.parametrize("name", UNUSABLE_NUMBERS)
def test_unusable_number_is_a_finding(name: str, corpus: Path, tmp_path: Path) -> None:
    """The object still reads, and says which value it could not use and what it assumed."""
    source, keyword, label = name.split("/")
    variant = value_variant(source, keyword, label.removeprefix("text_"))
    obj = reader_for(variant.source.reader)(write_variant(variant, corpus, tmp_path))
    found = [f for f in obj.findings if f.code == "UNUSABLE_VALUE" and f.attribute == keyword]
    assert found and found[0].assumption in ("1", "0", "nan"), obj.findings


@pytest.mark.parametrize("label", ["zero", "minus1"])
def test_rt_image_sid_not_positive(label: str, corpus: Path, tmp_path: Path) -> None:
    """SID 0 made the size at the isocentre a division by zero (negative: a mirror)."""
    variant = value_variant("rtimage", "RTImageSID", label)
    image = reader_for("rtimage")(write_variant(variant, corpus, tmp_path))
    assert image.sid_mm is None and image.pixel_spacing_at_isocenter_mm is None
    assert any(f.code == "UNUSABLE_VALUE" and f.attribute == "RTImageSID"
               for f in image.findings)


@pytest.mark.parametrize(("name", "keyword"), [
    ("rtplan/GantryAngle/deleted_first_nested", "GantryAngle"),
    ("rtplan/IsocenterPosition/deleted_first_nested", "IsocenterPosition"),
    ("rtplan_ion/IsocenterPosition/deleted_first_nested", "IsocenterPosition"),
])
def test_first_control_point_without_geometry(name: str, keyword: str, corpus: Path,
                                              tmp_path: Path) -> None:
    """Nothing precedes the first control point: a missing gantry angle or isocentre
    there is said, not left as a silent None."""
    (variant,) = [v for v in VARIANTS if v.name == name]
    plan = reader_for("plan")(write_variant(variant, corpus, tmp_path))
    assert any(f.code == "FIRST_CONTROL_POINT_INCOMPLETE" and keyword in f.message
               for f in plan.findings), plan.findings


@pytest.mark.parametrize(("name", "attribute"), [
    ("ct/BitsAllocated/zero", "Bits Allocated"), ("ct/Rows/short", "Rows"),
    ("ct/SamplesPerPixel/deleted", "Samples per Pixel"),
    ("pet_j2k/PixelRepresentation/ones", "Pixel Representation"),
    ("rtdose/BitsStored/ones", "Bits Stored"), ("rtimage/Columns/ones", "Columns"),
    ("rtdose/NumberOfFrames/text_nan", "Number of Frames"),
    ("ct/PhotometricInterpretation/junk", "Photometric Interpretation"),
])
def test_impossible_pixel_module_is_named(name: str, attribute: str, corpus: Path,
                                          tmp_path: Path) -> None:
    """The error names the attribute, not a Python type error from deep in pydicom."""
    named = [v for v in VARIANTS if v.name == name]
    variant = named[0] if named else value_variant(*name.replace("text_", "").split("/"))
    with pytest.raises(RtViewerError) as caught:
        reader_for(variant.source.reader)(write_variant(variant, corpus, tmp_path))
    assert attribute in caught.value.message
    assert "Error" not in caught.value.message and "instances of" not in caught.value.message


@pytest.mark.parametrize("label", ["abc", "five_values", "nan"])
def test_rt_image_jaw_positions_unusable(label: str, corpus: Path, tmp_path: Path) -> None:
    """Malformed jaw positions of an exposure were dropped without a word."""
    variant = value_variant("rtimage", "LeafJawPositions", label)
    image = reader_for("rtimage")(write_variant(variant, corpus, tmp_path))
    assert any(f.code == "UNUSABLE_VALUE" and f.attribute == "LeafJawPositions"
               for f in image.findings)
    assert all(d.positions_mm.size == 0 for e in image.exposures for d in e.limiting_devices)


@pytest.mark.parametrize(("source", "keyword"), [
    ("rtplan", "NominalBeamEnergy"), ("rtplan", "BeamMeterset"),
    ("rtplan_brachy", "SourceIsotopeHalfLife"), ("rtplan_ion", "CumulativeMetersetWeight"),
])
def test_several_values_where_one_is_expected(source: str, keyword: str, corpus: Path,
                                              tmp_path: Path) -> None:
    """The first of five values was used silently."""
    variant = value_variant(source, keyword, "five_values")
    plan = reader_for("plan")(write_variant(variant, corpus, tmp_path))
    assert any(f.code == "MULTIPLE_VALUES" and f.attribute == keyword for f in plan.findings)


def test_negative_channel_time(corpus: Path, tmp_path: Path) -> None:
    """A negative Channel Total Time gave negative dwell times without a word."""
    variant = value_variant("rtplan_brachy", "ChannelTotalTime", "minus1")
    plan = reader_for("plan")(write_variant(variant, corpus, tmp_path))
    channels = [c for s in plan.brachy.application_setups for c in s.channels]
    assert channels and all(c.total_time_s is None and c.dwell_times_s is None
                            for c in channels)
    assert any(f.code == "NEGATIVE_CHANNEL_TIME" for f in plan.findings)


IMAGE_VARIANTS = [v for v in SWEEP if v.source.neighbours]


@pytest.mark.slow
@pytest.mark.parametrize("variant", IMAGE_VARIANTS, ids=[v.name for v in IMAGE_VARIANTS])
def test_bad_slice_among_good_ones(variant: Variant, corpus: Path, tmp_path: Path) -> None:
    """A mutated slice read with real slices of its series: a volume (with findings) or
    an error naming one of the files, never another exception or a warning."""
    path = write_variant(variant, corpus, tmp_path)
    files = [path, *(corpus / n for n in variant.source.neighbours)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            volume = read_image_volume(files)
        except RtViewerError as exc:
            assert exc.path is not None and exc.path.resolve() in {f.resolve() for f in files}, \
                f"{variant.name}: error names {exc.path}"
            assert _is_sentence(exc), f"{variant.name}: message is not a sentence: {exc.message!r}"
        else:
            assert volume.voxels.shape[0] >= 1
    assert not caught, f"{variant.name}: warnings escaped: {[str(w.message) for w in caught]}"


def test_every_kind_of_object_is_mutated(corpus: Path) -> None:
    """The harness covers CT, MR, PET, RTSTRUCT, RTPLAN (external, ion, brachy), RTDOSE,
    RT Image, and each with attribute, transfer-syntax and truncation variants."""
    assert {s.key for s in SOURCES} == {"ct", "mr", "pet_j2k", "rtstruct", "rtplan",
                                        "rtplan_ion", "rtplan_brachy", "rtdose", "rtimage"}
    for source in SOURCES:
        names = [v.name for v in VARIANTS if v.source == source]
        assert any(n.endswith("/deleted") for n in names), source.key
        assert any("/truncated_" in n for n in names), source.key
        assert any("/charset_iso2022_jp" in n for n in names), source.key
    assert len(VARIANTS) == len({v.file_name for v in VARIANTS}), "file names must be unique"


def _strict_json(text: str) -> dict:
    """Parse JSON as other tools would: NaN and Infinity are not JSON."""
    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not valid JSON")
    return json.loads(text, parse_constant=refuse)


def _run_scan(folder: Path, cache: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RTVIEWER_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-m", "rtviewer", "scan", *extra, str(folder)],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=900,
                          check=False)


@pytest.mark.slow
def test_scan_json_of_all_variants_together(corpus: Path, tmp_path: Path) -> None:
    """``rtviewer scan --json`` on one folder with every variant: exit 0, one strict JSON
    document, every file accounted for exactly once; the cached re-open says the same;
    the readable tree prints too."""
    folder = tmp_path / "variants"
    folder.mkdir()
    written = {write_variant(v, corpus, folder).name for v in VARIANTS}
    cache = tmp_path / "cache"
    proc = _run_scan(folder, cache, "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    doc = _strict_json(proc.stdout)
    seen = [e["path"] for e in doc["skipped"]] + [e["path"] for e in doc["problems"]]
    for patient in doc["patients"]:
        for study in patient["studies"]:
            for series in study["series"]:
                assert series["instance_count"] == len(series["instances"])
                seen += [i["path"] for i in series["instances"]]
    assert sorted(seen) == sorted(written)
    assert not [p for p in doc["problems"] if "unexpected" in p["reason"]]
    again = _run_scan(folder, cache, "--json")
    assert again.returncode == 0 and _strict_json(again.stdout) == doc
    readable = _run_scan(folder, cache)
    assert readable.returncode == 0 and "Traceback" not in readable.stderr
    assert len(readable.stdout.splitlines()) > len(written) // 2
