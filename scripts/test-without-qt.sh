#!/usr/bin/env bash
# Run tests/core, tests/model, tests/dicom and tests/view in a virtual environment WITHOUT PySide6,
# pyqtgraph or pytest-qt, proving the headless layers need no Qt (ARCHITECTURE.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
venv="${RTVIEWER_HEADLESS_VENV:-$here/.venv-noqt}"
if [ ! -x "$venv/bin/python" ]; then
    "${RTVIEWER_PYTHON:-python3}" -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --upgrade pip >&2
fi
want="$(sha256sum pyproject.toml | cut -c1-16)"
stamp="$venv/.rtviewer-install-stamp"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    # The project without its dependencies, then every runtime dependency except Qt.
    "$venv/bin/python" - <<'PY' > "$venv/requirements-noqt.txt"
import tomllib
deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]
print("\n".join(d for d in deps if not d.lower().startswith(("pyside6", "pyqtgraph"))))
print("pytest>=8")
PY
    "$venv/bin/python" -m pip install --quiet -r "$venv/requirements-noqt.txt" >&2
    "$venv/bin/python" -m pip install --quiet --no-deps -e . >&2
    echo "$want" > "$stamp"
fi
if "$venv/bin/python" -c "import PySide6" 2>/dev/null; then
    echo "PySide6 is importable in $venv: the Qt-free run would prove nothing" >&2
    exit 1
fi
# pyproject's pytest settings minus qt_api (registered by pytest-qt, absent here).
"$venv/bin/python" - > "$venv/pytest-noqt.ini" <<'PY'
import tomllib
cfg = tomllib.load(open("pyproject.toml", "rb"))["tool"]["pytest"]["ini_options"]
print("[pytest]\npythonpath = tests\nxfail_strict = true")
print("addopts = --strict-markers -ra -p no:cacheprovider")
print("filterwarnings =\n" + "\n".join("    " + f for f in cfg["filterwarnings"]))
print("markers =\n" + "\n".join("    " + m for m in cfg["markers"]))
PY
exec "$venv/bin/python" -m pytest -c "$venv/pytest-noqt.ini" --rootdir . -q "$@" \
    tests/core tests/model tests/dicom tests/view
