"""The Storage SCP ("Receive"): C-ECHO and C-STORE of the objects rtviewer displays.

pynetdicom runs the server in its own threads; every complete object is checked
(size), stored byte for byte (:mod:`rtviewer.net.store`) and reported through
``on_received``. pynetdicom hands the handler only complete datasets, so a dropped
association never reaches the store.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pynetdicom import AE, build_context, evt
from pynetdicom.presentation import PresentationContext
from pynetdicom.transport import ThreadedAssociationServer

from rtviewer.config import ReceiverSettings
from rtviewer.dicom.canonical import content_digest, file_content_digest
from rtviewer.dicom.sop_classes import lookup
from rtviewer.net.slots import ARTIM_S, SlotAE, SlotLog
from rtviewer.net.store import StoredFile, clean_incoming, store_bytes
from rtviewer.net.tables import (
    COMMAND_SYNTAXES,
    STORAGE_CLASSES,
    TRANSFER_SYNTAXES,
    VERIFICATION,
)
from rtviewer.printable import printable

__all__ = ["Received", "StorageServer", "describe", "peer_aet", "store_event",
           "storage_contexts"]

_log = logging.getLogger(__name__)
_OUT_OF_RESOURCES = 0xA700
_CANNOT_UNDERSTAND = 0xC000


@dataclass(frozen=True)
class Received:
    """One object received and stored.

    Parameters
    ----------
    stored : StoredFile
    sop_class_uid, sop_class_name, sop_instance_uid : str
    calling_aet : str
        The AE title of the peer that sent it.
    modality : str or None
    label : str or None
        RT Plan Label, Structure Set Label or Series Description, whichever it has.
    """

    stored: StoredFile
    sop_class_uid: str
    sop_class_name: str
    sop_instance_uid: str
    calling_aet: str
    modality: str | None
    label: str | None


def describe(item: Received) -> str:
    """The sentence the user sees, e.g. ``RT Plan 'Breast' received from AE TPS``."""
    name = item.sop_class_name.removesuffix(" Storage")
    label = f" '{printable(item.label)}'" if item.label else ""
    dup = " (a different object with this UID exists: kept both)" if item.stored.duplicate_of \
        else ""
    return f"{name}{label} received from AE {printable(item.calling_aet)}{dup}"


class StorageServer:
    """A running Storage SCP; ``start()``, then ``stop()`` (also a context manager).

    Parameters
    ----------
    settings : ReceiverSettings
        AE title, address, port, allow-list and limits.
    store : Path
        Root of the store (created if absent).
    on_received : callable(Received), optional
        Called from a network thread after each object is in place.
    """

    def __init__(self, settings: ReceiverSettings, store: Path,
                 on_received: Callable[[Received], None] | None = None) -> None:
        self.settings = settings
        self.store = Path(store)
        self._on_received = on_received
        self._server: ThreadedAssociationServer | None = None
        self._lock = threading.Lock()
        self.received_count = 0

    @property
    def address(self) -> tuple[str, int]:
        """The (host, port) actually bound (port 0 in the settings picks a free one)."""
        if self._server is None:
            raise RuntimeError("the server is not running")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> StorageServer:
        """Bind and start serving in the background; return self."""
        self.store.mkdir(parents=True, exist_ok=True)
        clean_incoming(self.store)
        ae = _make_ae(self.settings)
        watcher = SizeWatcher(int(self.settings.max_object_mb * 2**20))
        handlers: list[Any] = [
            (evt.EVT_C_STORE, self._handle_store), (evt.EVT_C_ECHO, _handle_echo),
            (evt.EVT_PDU_RECV, watcher.on_pdu),
            (evt.EVT_RELEASED, watcher.forget), (evt.EVT_ABORTED, watcher.forget),
            *SlotLog(ae).handlers()]
        self._server = ae.start_server((self.settings.bind, self.settings.port), block=False,
                                       evt_handlers=handlers)
        _log.info("receiving as %s on %s:%s into %s", self.settings.ae_title,
                  *self.address, self.store)
        return self

    def stop(self) -> None:
        """Stop listening and end the associations in progress."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> StorageServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _handle_store(self, event: Any) -> int:
        limit = int(self.settings.max_object_mb * 2**20)
        status, item = store_event(event, self.store, limit)
        if item is not None:
            with self._lock:
                self.received_count += 1
            _notify(self._on_received, item)
        return status


class SizeWatcher:
    """Aborts an association as soon as one object's data exceed ``max_bytes``.

    pynetdicom assembles a whole object in memory before the C-STORE handler runs;
    counting the dataset fragments of each P-DATA-TF as they arrive refuses an
    oversize object before it can exhaust memory (nothing of it is stored).
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._sizes: dict[int, int] = {}
        self._lock = threading.Lock()

    def on_pdu(self, event: Any) -> None:
        """EVT_PDU_RECV: add up dataset fragments; abort past the limit."""
        items = getattr(event.pdu, "presentation_data_value_items", None)
        if not items:
            return
        key = id(event.assoc)
        with self._lock:
            size = self._sizes.get(key, 0)
            for item in items:  # PresentationDataValueItem: data = header byte + fragment
                data = item.data or b"\x00"
                header = data[0]
                if header & 0x01:  # a command fragment
                    continue
                size += len(data) - 1
                if size > self.max_bytes:
                    break
                if header & 0x02:  # the object's last fragment: the next one starts at 0
                    size = 0
            self._sizes[key] = size
        if size > self.max_bytes:
            _log.warning("aborting the association from %s: object larger than %d bytes",
                         event.assoc.requestor.ae_title, self.max_bytes)
            event.assoc.abort()

    def forget(self, event: Any) -> None:
        """EVT_RELEASED / EVT_ABORTED: drop the association's count."""
        with self._lock:
            self._sizes.pop(id(event.assoc), None)


def store_event(event: Any, store: Path, max_bytes: int) -> tuple[int, Received | None]:
    """Store the object of a pynetdicom C-STORE event (SCP, or C-GET sub-operation).

    Returns
    -------
    tuple of (int, Received or None)
        The C-STORE status to answer and, when stored, what was received.
    """
    requestor = peer_aet(event)
    size = len(event.request.DataSet.getvalue())
    if size > max_bytes:
        _log.warning("refused an object of %d bytes (limit %d) from %s", size, max_bytes,
                     requestor)
        return _OUT_OF_RESOURCES, None
    try:
        ds = event.dataset
        data = event.encoded_dataset()
    except Exception:  # noqa: BLE001 - the peer sent something pydicom cannot parse
        _log.exception("cannot decode an object from %s", requestor)
        return _CANNOT_UNDERSTAND, None
    try:
        stored = store_bytes(store, data, raw_text(ds, 0x0020000D), raw_text(ds, 0x0020000E),
                             raw_text(ds, 0x00080018), same_object=_same_object_as(ds))
    except OSError:
        _log.exception("cannot write a received object into %s", store)
        return _OUT_OF_RESOURCES, None
    return 0x0000, _received(stored, ds, event)


def _same_object_as(ds: Any) -> Callable[[Path], bool]:
    """Whether a stored file holds ``ds`` in another encoding (the digest computed once)."""
    digest: list[str | None] = []

    def same(path: Path) -> bool:
        if not digest:
            try:
                digest.append(content_digest(ds))
            except ValueError:
                digest.append(None)
        return digest[0] is not None and file_content_digest(path) == digest[0]

    return same


def _notify(listener: Callable[[Received], None] | None, item: Received) -> None:
    if listener is not None:
        try:
            listener(item)
        except Exception:  # noqa: BLE001 - a listener's bug must not fail the peer
            _log.exception("on_received failed for %s", item.stored.path)


def _make_ae(settings: ReceiverSettings) -> AE:
    ae = SlotAE(ae_title=settings.ae_title)
    ae.maximum_associations = max(1, int(settings.max_associations))
    ae.require_called_aet = True
    if settings.allowed_calling_aets:
        ae.require_calling_aet = list(settings.allowed_calling_aets)
    ae.acse_timeout = ARTIM_S  # also the ARTIM timer: a silent connection is closed
    ae.dimse_timeout = 60
    ae.network_timeout = 60
    ae.add_supported_context(VERIFICATION, list(COMMAND_SYNTAXES))
    for sop in STORAGE_CLASSES:
        ae.add_supported_context(sop.uid, list(TRANSFER_SYNTAXES))
    return ae


def _received(stored: StoredFile, ds: Any, event: Any) -> Received:
    sop_class = raw_text(ds, 0x00080016) or ""
    # RT Plan Label, Structure Set Label, Series Description
    label = next((raw_text(ds, t) for t in (0x300A0002, 0x30060002, 0x0008103E)
                  if raw_text(ds, t)), None)
    return Received(stored=stored, sop_class_uid=sop_class,
                    sop_class_name=lookup(sop_class).name,
                    sop_instance_uid=raw_text(ds, 0x00080018) or "",
                    calling_aet=peer_aet(event), modality=raw_text(ds, 0x00080060),
                    label=label)


def raw_text(ds: Any, tag: int) -> str | None:
    """An element's text without pydicom's value conversion.

    Conversion validates (a peer's ``UNKNOWN`` UID would warn from a network thread);
    names only need the characters. Bytes are read as Latin-1 (labels are ASCII in
    practice), which never fails.
    """
    try:
        elem = ds.get_item(tag)
    except (KeyError, ValueError):
        return None
    if elem is None or elem.value is None:
        return None
    value = elem.value
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return text.strip("\x00 ") or None


def peer_aet(event: Any) -> str:
    """The AE title of the peer sending the object (the acceptor, within our C-GET)."""
    assoc = event.assoc
    peer = assoc.acceptor if assoc.is_requestor else assoc.requestor
    return str(peer.ae_title).strip()


def storage_contexts() -> list[PresentationContext]:
    """One presentation context per accepted storage class, with every syntax we take."""
    return [build_context(sop.uid, list(TRANSFER_SYNTAXES)) for sop in STORAGE_CLASSES]


def _handle_echo(_event: Any) -> int:
    return 0x0000

