"""Network test helpers: isolated settings, free loopback ports, a running rtviewer SCP."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from rtviewer.config import ReceiverSettings
from rtviewer.net.receive import Received, StorageServer


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("RTVIEWER_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def need_tool(name: str) -> str:
    """The path of a Debian tool; skip locally, fail under CI (where .ci/run installs it)."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path is None:
        message = f"{name} is not installed (Debian packages dcmtk / orthanc)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def run_tool(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a dcmtk tool with a timeout (never hangs the suite)."""
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)


class Scp:
    """A started StorageServer plus what it received."""

    def __init__(self, settings: ReceiverSettings, store: Path) -> None:
        self.received: list[Received] = []
        self.store = store
        self.server = StorageServer(settings, store, self.received.append)
        self.settings = settings

    @property
    def port(self) -> int:
        return self.server.address[1]


@pytest.fixture
def start_scp(tmp_path) -> Iterator:
    """Factory: start_scp(**settings) -> Scp on a free loopback port; all stopped after."""
    started: list[Scp] = []

    def start(**changes) -> Scp:
        settings = ReceiverSettings(port=free_port(), **changes)
        scp = Scp(settings, tmp_path / f"store{len(started)}")
        scp.server.start()
        started.append(scp)
        return scp

    yield start
    for scp in started:
        scp.server.stop()
