#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment and install rtviewer into it.
# Sourced by ./run-viewer and ./run-tests; prints the venv's python path on stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${RTVIEWER_VENV:-$here/.venv}"
if [ ! -x "$venv/bin/python" ]; then
    if ! python3 -m venv "$venv" >&2; then
        echo "rtviewer: could not create a virtual environment; on Debian/Ubuntu run: apt-get install python3-venv" >&2
        exit 1
    fi
    "$venv/bin/python" -m pip install --quiet --upgrade pip >&2
fi
want="$(cat "$here/pyproject.toml" | sha256sum | cut -c1-16)"
stamp="$venv/.rtviewer-install-stamp"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    echo "rtviewer: installing dependencies into $venv (first run only) ..." >&2
    "$venv/bin/python" -m pip install --quiet -e "$here[test,dev]" >&2
    echo "$want" > "$stamp"
fi
echo "$venv/bin/python"
