#!/bin/sh
# LocalStack boot.d hook for docker-compose.yml: installs the churnops plugins into
# the image's LocalStack environment before the runtime starts and loads plugins.
# The source is mounted read-only, so it is copied first (building writes metadata).
# NOTE: the interpreter path is the one LocalStack images use; not run here (no Docker).
set -eu
python=/opt/code/localstack/.venv/bin/python
rm -rf /tmp/churnops-localstack-plugin
cp -r /opt/churnops-localstack-plugin /tmp/churnops-localstack-plugin
"$python" -m pip install --quiet --no-deps /tmp/churnops-localstack-plugin
