"""Mutated copies of real corpus files, as a foreign planning system might write them.

A :class:`Variant` names one change to one source file (an attribute deleted,
emptied or given a wrong value, a sequence emptied, another character set or
transfer syntax, truncation, trailing garbage, ...). :func:`variants` lists them
deterministically (one seed); :func:`write_variant` writes one under a folder of
the caller's (always ``tmp_path``: the corpus is read-only).

Which attributes to mutate is not guessed: :func:`used_tags` runs the reader on the
unchanged file and records every tag it looked up, so each attribute a reader
depends on is deleted in turn.
"""

from __future__ import annotations

import functools
import io
import random
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pydicom
from pydicom.datadict import dictionary_VR
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag, Tag
from pydicom.uid import (
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
)

__all__ = ["SOURCES", "Source", "Variant", "variants", "value_variant", "write_variant",
           "used_tags", "reader_for"]

SEED = 20261126
_NOWHERE_UID = "1.2.826.0.1.3680043.9.7777.404"


@dataclass(frozen=True)
class Source:
    """One real corpus file and the reader that opens it."""

    key: str
    relative_path: str
    reader: str  # image | structure | dose | plan | rtimage
    #: Other slices of the same series (images only): a bad slice among good ones.
    neighbours: tuple[str, ...] = ()


#: One file of every kind (small ones, so hundreds of variants stay fast).
SOURCES: tuple[Source, ...] = (
    Source("ct", "matrad-dicomexport/ct_slice_50.dcm", "image",
           ("matrad-dicomexport/ct_slice_49.dcm", "matrad-dicomexport/ct_slice_51.dcm")),
    Source("mr", "orthanc-tests/Brainix_MR/Flair/IM-0001-0005.dcm", "image",
           ("orthanc-tests/Brainix_MR/Flair/IM-0001-0004.dcm",
            "orthanc-tests/Brainix_MR/Flair/IM-0001-0006.dcm")),
    Source("pet_j2k", "orthanc-tests/Comunix_PETCT/Pet/IM-0001-0001.dcm", "image",
           ("orthanc-tests/Comunix_PETCT/Pet/IM-0001-0002.dcm",)),
    Source("rtstruct", "aptg-proton/plan03_ramp_full/"
           "RS1.2.752.243.1.1.20250522124652761.2000.43711.dcm", "structure"),
    Source("rtplan", "slicerrt-eclipse-prostate/"
           "RP.1.2.246.352.71.5.2088656855.377401.20110920153647.dcm", "plan"),
    Source("rtplan_ion", "aptg-proton/plan03_ramp_full/ramped_2Gy_ver2_full.dcm", "plan"),
    Source("rtplan_brachy", "pytg43-brachy/HDR/RP.HDR.dcm", "plan"),
    Source("rtdose", "pps-vendor-plans/GK_test_data_gkdosefile/RTDOSE0000000000.dcm", "dose"),
    Source("rtimage", "slicerrt-eclipse-prostate/"
           "RI.1.2.246.352.71.3.2088656855.2381134.20110921150951.dcm", "rtimage"),
)


def reader_for(kind: str) -> Callable[[Path], Any]:
    """The rtviewer reader of one kind, taking one path."""
    from rtviewer.dicom.dose import read_dose
    from rtviewer.dicom.image import read_image_volume
    from rtviewer.dicom.plan import read_plan
    from rtviewer.dicom.rtimage import read_rt_image
    from rtviewer.dicom.structure import read_structure_set

    readers: dict[str, Callable[[Path], Any]] = {
        "image": lambda p: read_image_volume([p]),
        "structure": read_structure_set, "dose": read_dose, "plan": read_plan,
        "rtimage": read_rt_image,
    }
    return readers[kind]


@dataclass(frozen=True)
class Variant:
    """One mutation of one source file.

    ``build`` takes the source's bytes and returns the mutated file's bytes.
    """

    name: str
    source: Source
    build: Callable[[bytes], bytes]

    @property
    def file_name(self) -> str:
        """A file name unique among all variants."""
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in self.name)
        return f"{safe}.dcm"


def write_variant(variant: Variant, corpus: Path, folder: Path) -> Path:
    """Write the variant's file into ``folder`` (never into the corpus) and return its path."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the corpus' own quirks (UIDs like "UNKNOWN")
        data = variant.build(_source_bytes(corpus / variant.source.relative_path))
    out = folder / variant.file_name
    out.write_bytes(data)
    return out


@functools.cache
def _source_bytes(path: Path) -> bytes:
    return path.read_bytes()


# ---------------------------------------------------------------- used tags

@functools.cache
def used_tags(corpus: Path, source: Source) -> tuple[BaseTag, ...]:
    """Every data-set tag the reader looks up on the unchanged file, sorted."""
    seen: set[BaseTag] = set()
    get_item, contains = Dataset.__getitem__, Dataset.__contains__

    def tracked_get(self: Dataset, key: Any) -> Any:
        if not isinstance(key, slice):
            _note(key)
        return get_item(self, key)

    def tracked_contains(self: Dataset, name: Any) -> bool:
        _note(name)
        return contains(self, name)

    def _note(key: Any) -> None:
        try:
            tag = Tag(key)
        except Exception:  # a key that is not a tag (pydicom tolerates it)
            return
        if tag.group != 0x0002:
            seen.add(tag)

    with mock.patch.object(Dataset, "__getitem__", tracked_get), \
            mock.patch.object(Dataset, "__contains__", tracked_contains), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader_for(source.reader)(corpus / source.relative_path)
    return tuple(sorted(seen))


# ---------------------------------------------------------------- dataset helpers

def _load(data: bytes) -> Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydicom.dcmread(io.BytesIO(data), force=True)


def _save(ds: Dataset, *, implicit: bool | None = None, little: bool = True) -> bytes:
    """Write as the source was (preamble and file meta kept when it had them)."""
    out = io.BytesIO()
    if implicit is None:
        implicit = _implicit(ds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pydicom.dcmwrite(out, ds, implicit_vr=implicit, little_endian=little,
                         enforce_file_format=False, force_encoding=True)
    return out.getvalue()


def _occurrences(ds: Dataset, tag: BaseTag) -> Iterator[Dataset]:
    """Every (nested) dataset holding ``tag``."""
    if tag in ds._dict:
        yield ds
    for elem in list(ds._dict.values()):
        if _is_sequence(elem):
            try:
                items = ds[elem.tag].value
            except Exception:  # an already-garbled sequence holds nothing to mutate
                continue
            for item in items:
                yield from _occurrences(item, tag)


def _is_sequence(elem: Any) -> bool:
    """Whether an element is a sequence (raw implicit-VR elements carry no VR)."""
    if elem.VR is not None:
        return bool(elem.VR == "SQ")
    try:
        return bool(dictionary_VR(elem.tag) == "SQ")
    except KeyError:  # private or unknown: not walked
        return False


def _vr(ds: Dataset, tag: BaseTag) -> str:
    for holder in _occurrences(ds, tag):
        try:
            return str(holder[tag].VR)
        except Exception:  # an undecodable value: fall back on the dictionary
            break
    try:
        return str(dictionary_VR(tag))
    except KeyError:
        return "UN"


def _set_raw(holder: Dataset, tag: BaseTag, vr: str, value: bytes, implicit: bool) -> None:
    """Store bytes as they would be written: decoding happens only when a reader asks."""
    if len(value) % 2:
        value += b" " if vr not in ("OB", "UN", "UI") else b"\0"
    holder._dict[tag] = RawDataElement(tag, vr, len(value), value, 0, implicit, True)


def _dataset_mutation(fn: Callable[[Dataset], None], **save: Any) -> Callable[[bytes], bytes]:
    def build(data: bytes) -> bytes:
        ds = _load(data)
        fn(ds)
        return _save(ds, **save)
    return build


def _implicit(ds: Dataset) -> bool:
    meta = getattr(ds, "file_meta", None) or FileMetaDataset()
    return meta.get("TransferSyntaxUID", ImplicitVRLittleEndian) == ImplicitVRLittleEndian


def _delete(tag: BaseTag) -> Callable[[Dataset], None]:
    def fn(ds: Dataset) -> None:
        for holder in list(_occurrences(ds, tag)):
            del holder._dict[tag]
    return fn


def _raw_everywhere(tag: BaseTag, value: bytes) -> Callable[[Dataset], None]:
    def fn(ds: Dataset) -> None:
        vr, implicit = _vr(ds, tag), _implicit(ds)
        for holder in list(_occurrences(ds, tag)):
            if vr == "SQ":
                holder[tag].value = Sequence([])
            else:
                _set_raw(holder, tag, vr, value, implicit)
    return fn


def _delete_first_nested(tag: BaseTag) -> Callable[[Dataset], None]:
    """Delete the tag in its first nested occurrence only (e.g. one control point)."""
    def fn(ds: Dataset) -> None:
        for holder in _occurrences(ds, tag):
            if holder is not ds:
                del holder._dict[tag]
                return
    return fn


def _garbage_sequence(tag: BaseTag) -> Callable[[Dataset], None]:
    """A sequence whose bytes are not items (a writer that got the length wrong)."""
    def fn(ds: Dataset) -> None:
        implicit = _implicit(ds)
        for holder in list(_occurrences(ds, tag)):
            junk = b"\xfe\xff\x00\xe0\x10\x00\x00\x00" + b"\x01\x02" * 7 + b"\xff" * 2
            holder._dict[tag] = RawDataElement(tag, "SQ", len(junk), junk, 0, implicit, True)
    return fn


def _sequence(tag: BaseTag, *, empty_item: bool) -> Callable[[Dataset], None]:
    def fn(ds: Dataset) -> None:
        for holder in list(_occurrences(ds, tag)):
            holder[tag].value = Sequence([Dataset()] if empty_item else [])
    return fn


_TEXT_VRS = {"DS", "IS"}
_BINARY_SIZES = {"US": 2, "SS": 2, "UL": 4, "SL": 4, "FL": 4, "FD": 8, "AT": 4}
_BAD_TEXT = {"abc": b"abc", "nan": b"NaN", "inf": b"inf", "minus1": b"-1", "zero": b"0",
             "five_values": b"1\\2\\3\\4\\5", "1e999": b"1e999", "blank": b" ",
             "comma": b"1,5"}
#: Geometry that every bad text value is tried on (the others get a seeded three).
_GEOMETRY_KEYWORDS = ("ImageOrientationPatient", "ImagePositionPatient", "PixelSpacing",
                      "GridFrameOffsetVector", "ContourData", "DoseGridScaling",
                      "ImagePlanePixelSpacing", "RTImagePosition", "SliceThickness",
                      "IsocenterPosition", "LeafJawPositions", "ControlPoint3DPosition",
                      "ScanSpotPositionMap", "RescaleSlope", "RescaleIntercept")
#: Attributes whose zero or negative value must be refused or explained, not divided by.
_SIGNED_KEYWORDS = ("PixelSpacing", "DoseGridScaling", "Rows", "Columns", "SliceThickness",
                    "RescaleSlope", "NumberOfFrames", "ImagePlanePixelSpacing",
                    "BitsAllocated", "GridFrameOffsetVector", "RTImageSID",
                    "FinalCumulativeMetersetWeight", "ChannelTotalTime",
                    "FinalCumulativeTimeWeight", "NumberOfFractionsPlanned")


def _bad_values(vr: str, rng: random.Random, *, every: bool = False
                ) -> list[tuple[str, bytes]]:
    """Wrong-VR-ish encodings for one element (``every``: all bad text values)."""
    if vr in _TEXT_VRS:
        names = sorted(_BAD_TEXT)
        picks = names if every else rng.sample(names, 3)
        return [(f"text_{name}", _BAD_TEXT[name]) for name in picks]
    if vr in _BINARY_SIZES:
        size = _BINARY_SIZES[vr]
        return [("short", b"\x01" * (size - 1 if size > 2 else 3)),
                ("ones", b"\xff" * size * rng.choice((1, 5)))]
    if vr in ("UI", "CS", "LO", "SH", "DA", "TM", "DT"):
        return [("junk", b"\xc3(\xff not a value \\ at all" if vr != "UI" else b"1..2.x")]
    return []


def _signed(tag: BaseTag, vr: str) -> list[tuple[str, bytes]]:
    if vr in _TEXT_VRS:
        return [("zero", b"0"), ("negative", b"-2.5" if vr == "DS" else b"-2")]
    if vr in ("US", "UL"):
        return [("zero", b"\0" * _BINARY_SIZES[vr])]
    return []


def value_variant(source_key: str, keyword: str, label: str) -> Variant:
    """One named wrong value (a label of the bad text values) everywhere ``keyword`` occurs."""
    (source,) = [s for s in SOURCES if s.key == source_key]
    return Variant(f"{source.key}/{keyword}/text_{label}", source,
                   _dataset_mutation(_raw_everywhere(Tag(keyword), _BAD_TEXT[label])))


def _attribute_variants(corpus: Path, source: Source, seed: int) -> list[Variant]:
    ds = _load(_source_bytes(corpus / source.relative_path))
    out: list[Variant] = []
    for tag in used_tags(corpus, source):
        # One generator per attribute: adding variants elsewhere changes no pick here.
        rng = random.Random(f"{seed}/{source.key}/{int(tag)}")
        vr = _vr(ds, tag)
        if not any(True for _ in _occurrences(ds, tag)):
            continue
        kw = pydicom.datadict.keyword_for_tag(tag) or f"{int(tag):08X}"
        base = f"{source.key}/{kw}"
        out.append(Variant(f"{base}/deleted", source, _dataset_mutation(_delete(tag))))
        if tag not in ds._dict:  # nested: also delete it from the first item only
            out.append(Variant(f"{base}/deleted_first_nested", source,
                               _dataset_mutation(_delete_first_nested(tag))))
        if vr == "SQ":
            out.append(Variant(f"{base}/garbage_sequence", source,
                               _dataset_mutation(_garbage_sequence(tag))))
            out.append(Variant(f"{base}/empty_sequence", source,
                               _dataset_mutation(_sequence(tag, empty_item=False))))
            out.append(Variant(f"{base}/empty_item", source,
                               _dataset_mutation(_sequence(tag, empty_item=True))))
            continue
        if tag == Tag("PixelData"):
            continue  # emptied and truncated Pixel Data come from the byte variants
        out.append(Variant(f"{base}/empty", source, _dataset_mutation(_raw_everywhere(tag, b""))))
        bad = _bad_values(vr, rng, every=kw in _GEOMETRY_KEYWORDS) \
            + (_signed(tag, vr) if kw in _SIGNED_KEYWORDS else [])
        for label, value in bad:
            out.append(Variant(f"{base}/{label}", source,
                               _dataset_mutation(_raw_everywhere(tag, value))))
    return out


# ---------------------------------------------------------------- whole-file variants

def _charset(charset: str | list[str], name: str, *, raw_bytes: bytes | None = None
             ) -> Callable[[Dataset], None]:
    def fn(ds: Dataset) -> None:
        ds.SpecificCharacterSet = charset
        if raw_bytes is not None:
            _set_raw(ds, Tag("PatientName"), "PN", raw_bytes, _implicit(ds))
        else:
            ds.PatientName = name
        # A non-ASCII label where the readers show one to the user.
        for keyword, text in (("ROIName", "Rückenmark"), ("RTPlanLabel", "Prüfplan"),
                              ("BeamName", "Feld-ä"), ("RTImageLabel", "DRR-ö")):
            tag = Tag(keyword)
            for holder in list(_occurrences(ds, tag)):
                if raw_bytes is None and charset == "ISO_IR 100" or charset == "ISO_IR 192":
                    holder[tag].value = text
    return fn


def _private(ds: Dataset) -> None:
    block = ds.private_block(0x0099, "ACME RT 1.0", create=True)
    block.add_new(0x01, "LO", "vendor note")
    inner = Dataset()
    inner.add_new(0x00991001, "DS", "1.5")
    block.add_new(0x02, "SQ", Sequence([inner, Dataset()]))
    _set_raw(ds, Tag(0x0099, 0x1003), "UN", bytes(range(40)), _implicit(ds))
    # A private tag inside the first item of every top-level sequence.
    for elem in list(ds):
        if elem.VR == "SQ" and elem.value:
            elem.value[0].add_new(0x00771010, "LO", "private in item")


def _references_nowhere(ds: Dataset) -> None:
    for keyword in ("ReferencedSOPInstanceUID", "ReferencedFrameOfReferenceUID",
                    "SeriesInstanceUID"):
        tag = Tag(keyword)
        for holder in list(_occurrences(ds, tag)):
            if holder is not ds:
                holder[tag].value = _NOWHERE_UID


def _big_endian(data: bytes) -> bytes:
    ds = _load(data)
    if "PixelData" in ds and not ds.file_meta.TransferSyntaxUID.is_compressed:
        bits = int(ds.get("BitsAllocated", 16))
        if bits > 8:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                arr = ds.pixel_array
            ds.PixelData = arr.astype(arr.dtype.newbyteorder(">")).tobytes()
    ds.file_meta.TransferSyntaxUID = ExplicitVRBigEndian
    return _save(ds, implicit=False, little=False)


def _deflated(data: bytes) -> bytes:
    ds = _load(data)
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    return _save(ds, implicit=False)


def _explicit(data: bytes) -> bytes:
    ds = _load(data)
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return _save(ds, implicit=False)


def _dataset_only(data: bytes) -> bytes:
    """No preamble, no DICM, no file meta: just the data set (Implicit VR LE)."""
    ds = _load(data)
    ds.file_meta = FileMetaDataset()
    if ds.file_meta.get("TransferSyntaxUID") is None:
        ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pydicom.dcmwrite(out, ds, implicit_vr=True, little_endian=True, force_encoding=True,
                         enforce_file_format=False)
    raw = out.getvalue()
    return raw[132:] if raw[128:132] == b"DICM" else raw


def _un_vr(keyword: str) -> Callable[[bytes], bytes]:
    """An explicit-VR file whose element carries VR UN (a writer that lost the dictionary)."""
    def build(data: bytes) -> bytes:
        ds = _load(data)
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        tag = Tag(keyword)
        if tag in ds and ds[tag].VR != "SQ":
            value = _save_element(ds[tag])
            _set_raw(ds, tag, "UN", value, False)
        return _save(ds, implicit=False)
    return build


def _save_element(elem: DataElement) -> bytes:
    holder = Dataset()
    holder.add(elem)
    out = io.BytesIO()
    pydicom.dcmwrite(out, holder, implicit_vr=True, little_endian=True,
                     enforce_file_format=False)
    return out.getvalue()[8:]  # drop tag (4) and implicit length (4)


def _duplicate_element(keyword: str) -> Callable[[bytes], bytes]:
    """The element's bytes appear twice in a row, and again after Pixel Data."""
    def build(data: bytes) -> bytes:
        ds = _load(data)
        tag = Tag(keyword)
        if tag not in ds:
            return data
        holder = Dataset()
        holder.add(ds[tag])
        out = io.BytesIO()
        pydicom.dcmwrite(out, holder, implicit_vr=_implicit(ds), little_endian=True,
                         enforce_file_format=False)
        element = out.getvalue()
        where = data.find(element)
        if where < 0:
            return data + element
        end = where + len(element)
        return data[:end] + element + data[end:] + element
    return build


def _pixel_length(fraction: float, extra: bytes = b"") -> Callable[[bytes], bytes]:
    """Native Pixel Data cut to a fraction of its length (plus bytes), the file intact."""
    def build(data: bytes) -> bytes:
        ds = _load(data)
        if "PixelData" not in ds or ds.file_meta.TransferSyntaxUID.is_compressed:
            return data
        pixels = ds.PixelData
        ds.PixelData = pixels[: int(len(pixels) * fraction) // 2 * 2] + extra
        return _save(ds)
    return build


def _find_tag(data: bytes, keyword: str) -> int | None:
    tag = Tag(keyword)
    needle = tag.group.to_bytes(2, "little") + tag.element.to_bytes(2, "little")
    where = data.find(needle, 132)
    return None if where < 0 else where


def _truncations(data: bytes) -> list[tuple[str, int]]:
    size = len(data)
    points = [("at_1", 1), ("in_preamble", 64), ("after_preamble", 128),
              ("after_dicm", 132), ("in_meta", 150), ("at_third", size // 3),
              ("at_half", size // 2), ("last_byte", size - 1), ("last_8", size - 8)]
    for keyword in ("PixelData", "ROIContourSequence", "BeamSequence", "IonBeamSequence",
                    "ApplicationSetupSequence", "DVHSequence", "ControlPointSequence",
                    "ExposureSequence", "ContourSequence"):
        where = _find_tag(data, keyword)
        if where is not None:
            points.append((f"in_{keyword}_header", where + 6))
            points.append((f"in_{keyword}", min(size - 1, where + 60)))
    return [(n, p) for n, p in points if 0 < p < size]


def _whole_file_variants(source: Source, data: bytes) -> list[Variant]:
    s = source

    def v(name: str, build: Callable[[bytes], bytes]) -> Variant:
        return Variant(f"{s.key}/{name}", s, build)

    out = [
        v("charset_latin1", _dataset_mutation(_charset("ISO_IR 100", "Müller^Jörg"))),
        v("charset_utf8", _dataset_mutation(_charset("ISO_IR 192", "Ωμέγα^Zoë=中村^太郎"))),
        v("charset_iso2022_jp", _dataset_mutation(_charset(
            ["", "ISO 2022 IR 87"], "Yamada^Tarou=山田^太郎=やまだ^たろう"))),
        v("charset_utf8_declared_latin1_bytes", _dataset_mutation(_charset(
            "ISO_IR 192", "", raw_bytes="Müller^Jörg".encode("latin-1")))),
        v("charset_unknown", _dataset_mutation(_charset("ISO_IR 999", "Doe^Jane"))),
        v("private_tags", _dataset_mutation(_private)),
        v("references_nowhere", _dataset_mutation(_references_nowhere)),
        v("explicit_vr_little_endian", _explicit),
        v("dataset_only_no_meta", _dataset_only),
        v("no_preamble_with_dicm", lambda d: d[128:]),
        v("no_preamble_no_dicm", lambda d: d[132:]),
        v("trailing_garbage", lambda d: d + random.Random(SEED).randbytes(1001)),
        v("trailing_zeros", lambda d: d + b"\0" * 7),
        v("duplicate_patient_name", _duplicate_element("PatientName")),
        v("duplicate_sop_instance_uid", _duplicate_element("SOPInstanceUID")),
        v("un_vr_modality", _un_vr("Modality")),
        v("un_vr_pixel_spacing", _un_vr("PixelSpacing")),
        v("pixel_data_half", _pixel_length(0.5)),
        v("pixel_data_one_more_frame", _pixel_length(1.0, b"\0" * 4096)),
        v("pixel_data_empty", _pixel_length(0.0)),
    ]
    if not _load(data).file_meta.get("TransferSyntaxUID", ImplicitVRLittleEndian).is_compressed:
        out += [v("big_endian_explicit", _big_endian), v("deflated", _deflated)]
    for name, offset in _truncations(data):
        out.append(v(f"truncated_{name}", lambda d, n=offset: d[:n]))
    return out


def variants(corpus: Path, seed: int = SEED) -> list[Variant]:
    """Every variant of every source, in a fixed order (deterministic for one seed)."""
    out: list[Variant] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the corpus' own quirks (UIDs like "UNKNOWN")
        for source in SOURCES:
            data = _source_bytes(corpus / source.relative_path)
            out += _attribute_variants(corpus, source, seed)
            out += _whole_file_variants(source, data)
    return out
