#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment and install rtviewer into it.
# Called by ./run-viewer (the viewer's dependencies only) and ./run-tests (plus the
# extras named as arguments: test,dev); prints the venv's python path on stdout and
# one line per installation step on stderr.
#
#   RTVIEWER_VENV    where the environment lives (default: .venv beside this checkout)
#   RTVIEWER_PYTHON  the interpreter that creates it (default: python3 on PATH;
#                    .ci/run uses the distribution's /usr/bin/python3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${RTVIEWER_VENV:-$here/.venv}"
base_python="${RTVIEWER_PYTHON:-python3}"
extras="${1:-}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
say() { echo "rtviewer: $*" >&2; }
# pip's own output only when a step fails (the setuptools banner and build chatter otherwise)
quiet() {
    local out
    if ! out="$("$@" 2>&1)"; then
        printf '%s\n' "$out" >&2
        say "failed: $*"
        return 1
    fi
}
if [ ! -x "$venv/bin/python" ]; then
    say "creating the virtual environment $venv with $("$base_python" --version 2>&1) (first run only)"
    if ! "$base_python" -m venv "$venv" >&2; then
        say "could not create a virtual environment; on Debian/Ubuntu run: apt-get install python3-venv"
        exit 1
    fi
    quiet "$venv/bin/python" -m pip install --quiet --upgrade pip
fi
want="$(sha256sum "$here/pyproject.toml" | cut -c1-16)"
# one stamp per part: the viewer ("base") and each extra, so that the viewer's first
# run installs no test tools and the first test run adds only those
install_part() {
    local part="$1" spec="$2" what="$3" stamp="$venv/.rtviewer-install-stamp-$1"
    [ "$(cat "$stamp" 2>/dev/null || true)" = "$want" ] && return 0
    say "installing $what into $venv (first run only) ..."
    quiet "$venv/bin/python" -m pip install --quiet --quiet -e "$spec"
    echo "$want" > "$stamp"
}
install_part base "$here" "the viewer's dependencies (PySide6, numpy, pydicom, ...)"
IFS=',' read -r -a wanted <<< "$extras"
for extra in "${wanted[@]}"; do
    case "$extra" in
        test) install_part test "$here[test]" "the test tools (pytest, pytest-qt)" ;;
        dev) install_part dev "$here[dev]" "the development tools (ruff, import-linter, mypy)" ;;
        "") ;;
        *) install_part "$extra" "$here[$extra]" "the $extra extra" ;;
    esac
done
echo "$venv/bin/python"
