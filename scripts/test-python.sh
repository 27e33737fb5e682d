#!/usr/bin/env bash
# Builds and tests the Python package (ikd-python, import name `ikd`) on a fresh machine:
# a virtual environment under target/, `pip install ./ikd-python pytest` (maturin is fetched
# by pip as the build backend), then pytest over every test vector and the image cases.
# Needs python3 (>= 3.9) with venv, and cargo. Extra pytest arguments are passed on.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-python3}"
VENV="target/python-venv"
if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        echo "test-python: installing python3-venv" >&2
        (apt-get update -qq && apt-get install -y -qq python3-venv) >/dev/null
    else
        echo "test-python: $PY lacks venv/ensurepip; on Debian: apt-get install -y python3-venv" >&2
        exit 1
    fi
fi
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# --force-reinstall: the version does not change between commits, the code does.
"$VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps ./ikd-python
"$VENV/bin/python" -m pip install --quiet pytest
"$VENV/bin/python" -m pytest -q ikd-python/tests "$@"
