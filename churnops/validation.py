"""Request validation derived from the feature schema, with every problem listed.

A pydantic model is built once per schema. A whole batch is validated in one
call, so the error list covers every row and field. Messages
name the field and the rule but never echo the client's value back, because the
values are customer data.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic import create_model

from churnops.errors import ChurnopsError
from churnops.schema import NumericFeature, Schema

MAX_BATCH_DEFAULT = 1000
MAX_ID_LENGTH = 128


class RequestInvalid(ChurnopsError):
    """A request failed validation; `errors` lists each problem by row and field."""

    def __init__(self, errors: list[dict[str, Any]]):
        self.errors = errors
        super().__init__("; ".join(_describe(error) for error in errors[:20]))


class BatchTooLarge(ChurnopsError):
    """A batch contains more customers than the configured maximum."""

    def __init__(self, size: int, limit: int):
        self.size = size
        self.limit = limit
        super().__init__(f"batch of {size} customers exceeds the limit of {limit}")


def parse_instances(payload: Any, max_batch: int = MAX_BATCH_DEFAULT) -> list[Any]:
    """Return the list of customers in a request: one object, or `{"instances": [...]}`."""
    if not isinstance(payload, dict):
        raise RequestInvalid([_error(None, "body", "must be a JSON object")])
    if "instances" not in payload:
        return [payload]
    instances = payload["instances"]
    if not isinstance(instances, list):
        raise RequestInvalid([_error(None, "instances", "must be a list of customer objects")])
    if not instances:
        raise RequestInvalid([_error(None, "instances", "must hold at least one customer")])
    if len(instances) > max_batch:
        raise BatchTooLarge(len(instances), max_batch)
    return instances


def validate_records(records: list[Any], schema: Schema) -> list[dict[str, Any]]:
    """Validate customers against the schema and return them as plain dicts."""
    try:
        models = _batch_adapter(schema.to_json()).validate_python(records)
    except ValidationError as exc:
        raise RequestInvalid(errors_from_pydantic(exc)) from None
    return [model.model_dump() for model in models]


def errors_from_pydantic(error: ValidationError) -> list[dict[str, Any]]:
    """List a pydantic error's problems as {"index", "field", "problem"} dicts."""
    return [_from_pydantic(item) for item in error.errors()]


@functools.lru_cache(maxsize=8)
def _batch_adapter(schema_json: str) -> TypeAdapter:
    return TypeAdapter(list[_customer_model(Schema.from_json(schema_json))])


def _customer_model(schema: Schema) -> type[BaseModel]:
    fields: dict[str, Any] = {
        schema.id_field: (Annotated[str, Field(min_length=1, max_length=MAX_ID_LENGTH)], ...)
    }
    for feature in schema.numeric:
        fields[feature.field] = (_numeric_type(feature), ...)
    for feature in schema.categorical:
        fields[feature.field] = (Literal[feature.values], ...)
    config = ConfigDict(extra="ignore", strict=True, allow_inf_nan=False)
    return create_model(f"{schema.name.title()}Customer", __config__=config, **fields)


def _numeric_type(feature: NumericFeature) -> Any:
    bounds = Field(ge=feature.min, le=feature.max)
    if feature.integer:
        return Annotated[float, bounds, AfterValidator(_whole_number)]
    return Annotated[float, bounds]


def _whole_number(value: float) -> float:
    if not float(value).is_integer():
        raise ValueError("must be a whole number")
    return value


def _from_pydantic(item: dict[str, Any]) -> dict[str, Any]:
    location = list(item["loc"])
    index = location.pop(0) if location and isinstance(location[0], int) else None
    field_name = ".".join(str(part) for part in location) or ("instances" if index is not None else "body")
    return _error(index, field_name, _problem(item))


def _problem(item: dict[str, Any]) -> str:
    kind = item["type"]
    context = item.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "literal_error":
        return f"is not an allowed value; expected one of {context.get('expected')}"
    if kind in ("float_type", "int_type", "float_parsing"):
        return "must be a number"
    if kind == "string_type":
        return "must be a string"
    if kind == "bool_type":
        return "must be true or false"
    if kind == "finite_number":
        return "must be a finite number"
    if kind == "greater_than_equal":
        return f"must be >= {context.get('ge')}"
    if kind == "less_than_equal":
        return f"must be <= {context.get('le')}"
    if kind == "model_type":
        return "must be a JSON object"
    if kind == "value_error":
        return str(context.get("error", item["msg"]))
    return item["msg"]


def _error(index: int | None, field_name: str, problem: str) -> dict[str, Any]:
    return {"index": index, "field": field_name, "problem": problem}


def _describe(error: dict[str, Any]) -> str:
    where = error["field"] if error["index"] is None else f"[{error['index']}].{error['field']}"
    return f"{where} {error['problem']}"
