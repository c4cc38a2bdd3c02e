"""The network as the window uses it: one Qt-free object over receive, query, retrieve, send.

The UI layer may not import :mod:`rtviewer.net` (sibling layers); the composition
root (``rtviewer.app``) creates a :class:`NetworkService` and hands it to
:mod:`rtviewer.ui.window.network_panel`, which calls these blocking methods from worker
threads. Settings come from the shared settings file (:mod:`rtviewer.config`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rtviewer.config import (
    Settings,
    default_store,
    load_settings,
    parse_node,
    save_settings,
)

# pynetdicom and pydicom (about 0.5 s of imports) load when the network is first used:
# the window builds its Network menu right after the first image, on the GUI thread
if TYPE_CHECKING:
    from rtviewer.model.index import ScanResult
    from rtviewer.net.indexer import StoreIndexer
    from rtviewer.net.receive import StorageServer

__all__ = ["NetworkService"]

Progress = Callable[[int, int], None]


class NetworkService:
    """Receive, query, retrieve and send with the user's settings.

    Parameters
    ----------
    settings : Settings, optional
        Default: read from the settings file.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        #: Why the settings file could not be used (defaults are used instead).
        self.settings_error: str | None = None
        if settings is None:
            try:
                settings = load_settings()
            except ValueError as exc:
                self.settings_error = str(exc)
                settings = Settings()
        self.settings = settings
        self.store = Path(self.settings.receiver.store or default_store()).expanduser()
        self._server: StorageServer | None = None
        # start and stop may come from different threads (the window starts the receiver
        # in a worker: the first start imports pynetdicom); one at a time
        self._receiver_lock = threading.RLock()
        self._indexer: StoreIndexer | None = None
        self._listeners: tuple[Callable[[str], None],
                               Callable[[ScanResult], None] | None] | None = None

    @property
    def local_aet(self) -> str:
        """Our calling AE title for queries, retrieves and sends."""
        return self.settings.local_ae_title

    def node_names(self) -> list[str]:
        """The configured nodes' names, in the file's order."""
        return [n.name for n in self.settings.nodes]

    @property
    def receiving(self) -> bool:
        """Whether the Storage SCP is running."""
        return self._server is not None

    def receiver_address(self) -> str:
        """``AET@host:port`` of the running receiver (empty when stopped)."""
        if self._server is None:
            return ""
        host, port = self._server.address
        return f"{self.settings.receiver.ae_title}@{host}:{port}"

    def start_receiving(self, on_received: Callable[[str], None],
                        on_index: Callable[[ScanResult], None] | None = None) -> None:
        """Start the Storage SCP; ``on_received(message)`` per object (network thread).

        Raises
        ------
        OSError
            The port is in use or the address cannot be bound.
        """
        with self._receiver_lock:
            self._start_receiving(on_received, on_index)

    def _start_receiving(self, on_received: Callable[[str], None],
                         on_index: Callable[[ScanResult], None] | None) -> None:
        if self._server is not None:
            return
        from rtviewer.net.indexer import StoreIndexer
        from rtviewer.net.receive import Received, StorageServer, describe

        indexer = StoreIndexer(self.store, on_index)

        def received(item: Received) -> None:
            on_received(describe(item))
            indexer.request()

        server = StorageServer(self.settings.receiver, self.store, received)
        try:
            server.start()
        except OSError:
            indexer.stop()
            raise
        self._server, self._indexer = server, indexer
        self._listeners = (on_received, on_index)

    def apply_settings(self, settings: Settings) -> None:
        """Save ``settings`` to the settings file and use them (a running receiver restarts).

        Raises
        ------
        OSError
            The file cannot be written, or the new address cannot be bound.
        """
        save_settings(settings)
        self.settings = settings
        self.settings_error = None
        self.store = Path(settings.receiver.store or default_store()).expanduser()
        if self._server is not None and self._listeners is not None:
            listeners = self._listeners
            self.stop_receiving()
            self.start_receiving(*listeners)

    def stop_receiving(self) -> None:
        """Stop the Storage SCP (objects already stored stay)."""
        with self._receiver_lock:
            if self._server is not None:
                self._server.stop()
                self._server = None
            if self._indexer is not None:
                self._indexer.stop()
                self._indexer = None

    def echo(self, node_text: str) -> str:
        """C-ECHO a node (name or ``AET@host:port``); a sentence for the user."""
        from rtviewer.net.scu import echo

        node = parse_node(node_text, self.settings)
        status = echo(node, self.local_aet)
        who = node.name if node.name == str(node) else f"{node.name} ({node})"  # ad hoc once
        what = "success" if status == 0 else "failure"
        return f"{who} answered C-ECHO with status 0x{status:04X} ({what})"

    def find(self, node_text: str, level: str, cancel: Callable[[], bool] | None = None,
             **filters: str | None) -> list[dict[str, str]]:
        """C-FIND; one dict per match.

        ``filters`` are the fields of :class:`~rtviewer.net.query.QueryFilters`
        (``patient_id``, ``patient_name``, ``date_from``, ``date_to``, ``modality``,
        ``study_uid``); empty strings match everything.
        """
        from rtviewer.net.query import QueryFilters, find

        node = parse_node(node_text, self.settings)
        clean = {k: (v or None) for k, v in filters.items()}
        return list(find(node, level, QueryFilters(**clean), self.local_aet, cancel).rows)

    def retrieve(self, node_text: str, level: str, uid: str, study_uid: str | None,
                 progress: Progress | None = None,
                 cancel: Callable[[], bool] | None = None) -> str:
        """C-GET into the store; a sentence saying what arrived."""
        from rtviewer.net.retrieve import c_get, retrieve_identifier

        node = parse_node(node_text, self.settings)
        limit = int(self.settings.receiver.max_object_mb * 2**20)
        result = c_get(node, retrieve_identifier(level, uid, study_uid), self.store,
                       self.local_aet, max_object_bytes=limit, progress=progress,
                       cancel=cancel)
        note = " (cancelled)" if result.cancelled else ""
        return (f"{len(result.received)} objects retrieved from {node.name} into "
                f"{self.store}, {result.failed} failed{note}")

    def send(self, node_text: str, paths: list[Path], progress: Progress | None = None,
             cancel: Callable[[], bool] | None = None) -> str:
        """C-STORE files to a node; a sentence saying how many it stored."""
        from rtviewer.net.send import send_files

        node = parse_node(node_text, self.settings)
        result = send_files(node, paths, self.local_aet, progress=progress, cancel=cancel)
        failed = [i for i in result.items if i.status != 0]
        note = "" if not failed else f"; not stored: {failed[0].path.name}: {failed[0].message}"
        return f"{result.sent} of {len(result.items)} objects stored by {node.name}{note}"

    @staticmethod
    def plan_chain(scan: ScanResult, plan_path: Path) -> list[Path]:
        """The plan's chain of files (see :func:`rtviewer.net.send.plan_chain_paths`)."""
        from rtviewer.net.send import plan_chain_paths

        return plan_chain_paths(scan, plan_path)

