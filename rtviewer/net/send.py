"""Send (Storage SCU): files, or a whole plan chain, to a node.

Each object is offered in its own transfer syntax, in a presentation context of its
own so that a peer accepting it sends the object as it is on disk (never
recompressed). Uncompressed objects are also offered, in a second context, as
Explicit and Implicit VR Little Endian so any archive can take them; an object
re-encoded that way has its ambiguous VRs (``OB or OW``...) resolved first, as
PS3.5 Annex A states them for the syntax it came in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydicom.dataset import Dataset
from pydicom.filewriter import correct_ambiguous_vr
from pydicom.uid import UID
from pynetdicom import build_context
from pynetdicom.presentation import PresentationContext

from rtviewer.config import Node
from rtviewer.dicom.files import read_dataset
from rtviewer.errors import RtViewerError
from rtviewer.model.index import Instance, ScanResult
from rtviewer.net.scu import associate
from rtviewer.net.tables import STORAGE_CLASSES, UNCOMPRESSED_SYNTAXES

__all__ = ["SendItem", "SendResult", "send_files", "plan_chain_paths"]

_STORAGE_UIDS = frozenset(c.uid for c in STORAGE_CLASSES)


@dataclass(frozen=True)
class SendItem:
    """The outcome for one file: ``status`` 0 = stored; ``message`` explains failures."""

    path: Path
    sop_instance_uid: str | None
    status: int | None
    message: str


@dataclass(frozen=True)
class SendResult:
    """Every file's outcome; ``cancelled`` when the user stopped the transfer."""

    items: tuple[SendItem, ...]
    cancelled: bool = False

    @property
    def sent(self) -> int:
        """How many objects the node stored (status success or warning)."""
        return sum(1 for i in self.items if i.status is not None and
                   (i.status == 0 or 0xB000 <= i.status <= 0xBFFF))


_MAX_CONTEXTS = 128  # PS3.8 9.3.2.2: presentation context IDs are odd numbers 1-255


def _contexts(datasets: Iterable[tuple[str, str]]) -> list[PresentationContext]:
    """The presentation contexts for files of these (SOP Class, Transfer Syntax) pairs.

    Each pair gets a context with that one syntax: an acceptor choosing among several
    syntaxes of one context often picks Explicit VR, which would re-encode a file the
    peer could have taken as it is. Each SOP Class with uncompressed files also gets a
    fallback context offering Explicit and Implicit VR Little Endian.
    """
    pairs = list(dict.fromkeys(datasets))
    own = [build_context(sop, ts) for sop, ts in pairs]
    fallback = [build_context(sop, list(UNCOMPRESSED_SYNTAXES[:2])) for sop in
                dict.fromkeys(sop for sop, ts in pairs if ts in UNCOMPRESSED_SYNTAXES)]
    if len(own) + len(fallback) <= _MAX_CONTEXTS:
        return own + fallback
    merged: dict[str, list[str]] = {}  # too many pairs: one context per SOP Class
    for sop, ts in pairs:
        extra = list(UNCOMPRESSED_SYNTAXES[:2]) if ts in UNCOMPRESSED_SYNTAXES else []
        merged.setdefault(sop, [])
        merged[sop] += [t for t in [ts, *extra] if t not in merged[sop]]
    return [build_context(sop, ts) for sop, ts in merged.items()]


def send_files(node: Node, paths: Sequence[Path], local_aet: str, *,
               progress: Callable[[int, int], None] | None = None,
               cancel: Callable[[], bool] | None = None) -> SendResult:
    """C-STORE ``paths`` to ``node`` on one association.

    Files that cannot be read, or are of a SOP Class rtviewer does not send, are
    reported and skipped; the others are sent.

    Raises
    ------
    NetworkError
        No association.
    """
    items: list[SendItem] = []
    # Headers first (contexts must be proposed up front); each file is read whole only
    # when its turn comes, so a 300-slice CT never sits in memory at once.
    headers = []
    for path in paths:
        item, header = _header(Path(path))
        if item is not None:
            items.append(item)
        else:
            headers.append(header)
    if not headers:
        return SendResult(tuple(items))
    with associate(node, local_aet, _contexts((s, t) for _p, s, t in headers)) as assoc:
        for n, (path, _sop, _ts) in enumerate(headers):
            if cancel is not None and cancel():
                return SendResult(tuple(items), cancelled=True)
            try:
                ds, _findings = read_dataset(path)
            except RtViewerError as exc:  # changed or vanished since the header was read
                items.append(SendItem(path, None, None, f"not sent: {exc}"))
                continue
            items.append(_store_one(assoc, path, ds))
            if progress is not None:
                progress(n + 1, len(headers))
    return SendResult(tuple(items))


def _header(path: Path) -> tuple[SendItem | None, tuple[Path, str, str]]:
    """(why not sent, or None) and (path, SOP Class UID, Transfer Syntax UID)."""
    try:
        ds, _findings = read_dataset(path, stop_before_pixels=True)
    except RtViewerError as exc:
        return SendItem(path, None, None, f"not sent: {exc}"), (path, "", "")
    sop = str(ds.get("SOPClassUID", "")).strip("\x00 ")
    if sop not in _STORAGE_UIDS:
        return SendItem(path, None, None, f"not sent: SOP Class {UID(sop).name or '(none)'} "
                        "is not one rtviewer sends"), (path, sop, "")
    return None, (path, sop, str(ds.file_meta.TransferSyntaxUID))


def _store_one(assoc: object, path: Path, ds: Dataset) -> SendItem:
    uid = str(getattr(ds, "SOPInstanceUID", "") or "") or None
    try:
        if not _own_syntax_accepted(assoc, ds):
            resolve_ambiguous_vrs(ds)
        status = assoc.send_c_store(ds)  # type: ignore[attr-defined]
    except (ValueError, RuntimeError, AttributeError) as exc:  # no context; bad encoding
        return SendItem(path, uid, None, f"not sent: {exc}")
    if not status:
        return SendItem(path, uid, None, "no response (timeout or abort)")
    code = int(status.Status)
    text = "stored" if code == 0 else f"status 0x{code:04X}"
    return SendItem(path, uid, code, text)


def _own_syntax_accepted(assoc: object, ds: Dataset) -> bool:
    """Whether the peer accepted ``ds``'s SOP Class in the file's own transfer syntax."""
    sop = str(ds.get("SOPClassUID", ""))
    syntax = str(ds.file_meta.get("TransferSyntaxUID", ""))
    return any(cx.abstract_syntax == sop and cx.transfer_syntax[0] == syntax
               for cx in assoc.accepted_contexts)  # type: ignore[attr-defined]


def resolve_ambiguous_vrs(ds: Dataset) -> None:
    """Give every element with an ambiguous VR (``OB or OW``, ``US or SS``...) a real one.

    pydicom's ``correct_ambiguous_vr`` resolves the elements whose VR follows from
    other attributes (Pixel Representation, Bits Allocated...). What remains as
    ``OB or OW`` (retired Curve Data (50xx,3000), for example) was read from an
    Implicit VR file, where PS3.5 Annex A.1 makes such data OW: it becomes OW, with
    the same bytes. Anything else still ambiguous is left for the encoder to refuse,
    naming the element.
    """
    syntax = ds.file_meta.get("TransferSyntaxUID")
    little = UID(syntax).is_little_endian if syntax else True
    ds = correct_ambiguous_vr(ds, is_little_endian=little)
    for elem in ds.iterall():
        if elem.VR == "OB or OW":
            elem.VR = "OW"


def plan_chain_paths(scan: ScanResult, plan_path: Path) -> list[Path]:
    """A plan and everything that belongs with it, as files of ``scan``.

    The plan; the structure set it references and that set's image series; every
    dose, RT Image and treatment record referencing the plan. Order: images,
    structures, plan, the rest (a receiving system can resolve references as they come).

    Raises
    ------
    ValueError
        ``plan_path`` is not an RT Plan of ``scan``.
    """
    instances = scan.instances()
    plan = next((i for i in instances if i.path == Path(plan_path).resolve()
                 or i.path == Path(plan_path)), None)
    if plan is None or not plan.kind.is_plan:
        raise ValueError(f"{plan_path} is not an RT Plan in {scan.root}")
    structures = _referenced(instances, plan, "rtstruct")
    images: list[Path] = []
    if structures is not None:
        series_uids = {r.uid for r in structures.references if r.kind == "image_series"}
        images = [se_i.path for p in scan.patients for st in p.studies for se in st.series
                  if se.series_instance_uid in series_uids for se_i in se.instances]
    dependants = [i.path for i in instances if i.path != plan.path and any(
        r.kind == "rtplan" and r.path == plan.path for r in i.references)]
    ordered = [*images, *([structures.path] if structures else []), plan.path, *dependants]
    return list(dict.fromkeys(ordered))


def _referenced(instances: list[Instance], source: Instance, kind: str) -> Instance | None:
    ref = next((r for r in source.references if r.kind == kind and r.path is not None), None)
    if ref is None:
        return None
    return next((i for i in instances if i.path == ref.path), None)
