#!/usr/bin/env bash
# Train on the real Telco data and score a real customer, all in this process (no AWS).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh train,dev
export PATH="$PWD/.venv/bin:$PATH"

model_dir="${CHURNOPS_MODEL_DIR:-artifacts/model}"
churnops train --data data/telco_customer_churn.csv --out "$model_dir"

customer=$(python - <<'PY'
import csv, json
with open("data/telco_customer_churn.csv", newline="") as handle:
    row = next(csv.DictReader(handle))
from churnops.schema import load_schema
schema = load_schema()
fields = schema.column_to_field()
record = {fields[k]: v for k, v in row.items() if fields.get(k) != schema.target_field}
for feature in schema.numeric:
    record[feature.field] = float(record[feature.field] or 0)
print(json.dumps(record))
PY
)
echo "scoring the first customer of the data set:" >&2
churnops predict --model "$model_dir" --json "$customer"
