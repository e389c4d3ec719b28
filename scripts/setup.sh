#!/usr/bin/env bash
# Set up podfence on a machine with only Python 3.11+: .venv with podfence (editable) and its test
# tools. With --with-nca, also .venv-nca with network-config-analyzer, the peer analyzer that the
# differential tests and the benchmark compare against (its pinned dependencies clash with ours,
# so it lives in a virtualenv of its own). Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
# An editable install leaves podfence uncompiled; compile it now, as a regular install would, so
# that no command pays for compiling it (PYTHONDONTWRITEBYTECODE would make every run pay).
.venv/bin/python -m compileall -q components

if [ "${1:-}" = "--with-nca" ] && [ ! -x .venv-nca/bin/nca ]; then
  "$python" -m venv .venv-nca
  .venv-nca/bin/python -m pip install --quiet --disable-pip-version-check 'network-config-analyzer==2.1.0'
fi
