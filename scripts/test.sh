#!/usr/bin/env bash
# Run the whole test suite: unit, integration (moto) and end to end (LocalStack,
# started by the e2e fixtures). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh train,dev,infra
exec .venv/bin/python -m pytest "$@"
