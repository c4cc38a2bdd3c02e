"""rtviewer's settings file: network nodes and the receiver, shared by the CLI and the window.

A plain JSON file ``settings.json`` in the user's config folder (platformdirs;
``RTVIEWER_CONFIG_DIR`` overrides it, for tests). No Qt: headless commands read
the same file as the window. JSON rather than TOML because the standard library
reads *and* writes it (``tomllib`` only reads), so no writer has to be maintained.

Example::

    {
      "receiver": {"ae_title": "RTVIEWER", "port": 11112, "bind": "127.0.0.1",
                   "allowed_calling_aets": [], "max_associations": 4,
                   "max_object_mb": 2048, "store": "/home/me/rtviewer-store"},
      "local_ae_title": "RTVIEWER",
      "nodes": [{"name": "pacs", "ae_title": "ORTHANC", "host": "10.0.0.5", "port": 4242}]
    }
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

__all__ = ["Node", "ReceiverSettings", "Settings", "config_dir", "settings_path",
           "load_settings", "save_settings", "parse_node", "default_store"]

_FILE = "settings.json"
_NODE_TEXT = re.compile(r"^(?P<aet>[^@]{1,16})@(?P<host>[^:@]+|\[[^\]]+\]):(?P<port>\d{1,5})$")


@dataclass(frozen=True)
class Node:
    """A remote DICOM node (PACS, planning system, archive).

    Parameters
    ----------
    name : str
        The user's name for it (``rtviewer query NAME``).
    ae_title : str
        Its Application Entity title (1-16 characters).
    host : str
        Host name or IP address.
    port : int
        TCP port of its DICOM service.
    """

    name: str
    ae_title: str
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.ae_title}@{self.host}:{self.port}"


@dataclass(frozen=True)
class ReceiverSettings:
    """The Storage SCP ("Receive").

    Parameters
    ----------
    ae_title : str
        Our AE title (default ``RTVIEWER``).
    port : int
        TCP port (default 11112).
    bind : str
        Address to listen on; ``127.0.0.1`` unless the user explicitly chose another.
    allowed_calling_aets : tuple of str
        When not empty, only these calling AE titles may associate.
    max_associations : int
        Simultaneous associations; more are refused.
    max_object_mb : float
        Largest object accepted, in MiB (2**20 bytes).
    store : str or None
        Folder receiving the objects (default: ``rtviewer-store`` in the user data dir).
    """

    ae_title: str = "RTVIEWER"
    port: int = 11112
    bind: str = "127.0.0.1"
    allowed_calling_aets: tuple[str, ...] = ()
    max_associations: int = 4
    max_object_mb: float = 2048.0
    store: str | None = None


@dataclass(frozen=True)
class Settings:
    """Everything in the settings file."""

    receiver: ReceiverSettings = field(default_factory=ReceiverSettings)
    local_ae_title: str = "RTVIEWER"
    nodes: tuple[Node, ...] = ()

    def node(self, name: str) -> Node | None:
        """The configured node called ``name`` (case-sensitive), or None."""
        return next((n for n in self.nodes if n.name == name), None)


def config_dir() -> Path:
    """The folder of the settings file (``RTVIEWER_CONFIG_DIR`` or the user config dir)."""
    override = os.environ.get("RTVIEWER_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("rtviewer"))


def settings_path() -> Path:
    """The settings file's path (it may not exist yet)."""
    return config_dir() / _FILE


def synonyms_path() -> Path:
    """The user's structure-name synonym file for clinical goals (it may not exist)."""
    return config_dir() / "synonyms.yaml"


def default_store() -> Path:
    """Where received objects go unless the settings say otherwise."""
    override = os.environ.get("RTVIEWER_CONFIG_DIR")
    if override:
        return Path(override) / "store"
    from platformdirs import user_data_dir

    return Path(user_data_dir("rtviewer")) / "store"


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file; defaults when it is absent.

    Raises
    ------
    ValueError
        The file exists but is not valid JSON or has wrong value types.
    """
    path = path or settings_path()
    if not path.is_file():
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return _from_dict(raw)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"{path}: not a valid rtviewer settings file ({exc})") from exc


def _from_dict(raw: dict[str, Any]) -> Settings:
    rec = dict(raw.get("receiver") or {})
    if "allowed_calling_aets" in rec:
        rec["allowed_calling_aets"] = tuple(str(a) for a in rec["allowed_calling_aets"])
    receiver = replace(ReceiverSettings(), **rec)
    nodes = tuple(Node(str(n["name"]), str(n["ae_title"]), str(n["host"]), int(n["port"]))
                  for n in raw.get("nodes") or [])
    return Settings(receiver=receiver,
                    local_ae_title=str(raw.get("local_ae_title", "RTVIEWER")), nodes=nodes)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the settings atomically (temporary file, then ``os.replace``); return the path."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(asdict(settings), indent=2, sort_keys=True) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def parse_node(text: str, settings: Settings | None = None) -> Node:
    """A node from a configured name or ``AET@host:port``.

    Raises
    ------
    ValueError
        Neither a configured name nor ``AET@host:port``.
    """
    settings = settings or load_settings()
    known = settings.node(text)
    if known is not None:
        return known
    match = _NODE_TEXT.match(text.strip())
    if match is None:
        names = ", ".join(n.name for n in settings.nodes) or "none configured"
        raise ValueError(f"unknown node {text!r}: give a configured name ({names}) "
                         "or AET@host:port")
    port = int(match["port"])
    if not 0 < port < 65536:
        raise ValueError(f"port {port} out of range in {text!r}")
    return Node(text, match["aet"].strip(), match["host"].strip("[]"), port)
