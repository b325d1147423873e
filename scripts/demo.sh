#!/usr/bin/env bash
# The main job: deploy churnops to LocalStack on this host and run the whole model
# lifecycle through it (train, promote, score, feedback, drift, retrain, approve,
# roll back). Sets up .venv, LocalStack's environment and the CDK CLI on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh train,dev,infra
exec .venv/bin/python scripts/main_job.py "$@"
