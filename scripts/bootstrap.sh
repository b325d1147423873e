#!/usr/bin/env bash
# Create .venv with Python 3.12 (the Lambda runtime) and install churnops with the
# extras given as arguments. Reinstalls only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python.sh

extras="${*:-train,dev,infra}"
stamp=".venv/.installed-${extras//,/-}"
if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ]; then
    exit 0
fi
if [ ! -x .venv/bin/python ]; then
    python=$(find_python 3.12)
    echo "creating .venv with $python" >&2
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[$extras]"
touch "$stamp"
