"""LocalStack plugins that let churnops run on a host without Docker or Java.

- `local-process` Lambda runtime executor: each execution environment is a local
  Python process (`executor.py`, `bootstrap.py`).
- `dynamodb:moto` provider: DynamoDB served by moto inside LocalStack (`dynamodb.py`).
"""
