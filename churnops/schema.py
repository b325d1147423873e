"""Feature schema: the one declaration of a data set's columns and their rules.

Loading, training, ONNX export, request validation and drift checks all derive
from a `Schema`. It is read from a TOML file (see `schemas/telco.toml`) and
travels inside every exported model as JSON, so a model always carries the rules
it was trained with. Standard library only: the scoring path imports this.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from churnops.errors import ChurnopsError

DEFAULT_SCHEMA_PATH = Path(__file__).parent / "schemas" / "telco.toml"


class SchemaError(ChurnopsError, ValueError):
    """A schema file is missing a key or has an invalid value."""


@dataclass(frozen=True)
class NumericFeature:
    """A numeric input with its accepted range."""

    field: str
    column: str
    min: float
    max: float
    integer: bool = False
    unit: str = ""
    fill_blank: float | None = None


@dataclass(frozen=True)
class CategoricalFeature:
    """A text input with its closed set of allowed values."""

    field: str
    column: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Schema:
    """Id column, target and features of one churn data set."""

    name: str
    id_field: str
    id_column: str
    target_field: str
    target_column: str
    positive_label: str
    negative_label: str
    numeric: tuple[NumericFeature, ...]
    categorical: tuple[CategoricalFeature, ...]
    feature_order: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        order = tuple(f.field for f in self.numeric) + tuple(f.field for f in self.categorical)
        object.__setattr__(self, "feature_order", order)
        duplicates = {name for name in order if order.count(name) > 1}
        if duplicates:
            raise SchemaError(f"feature fields appear twice: {sorted(duplicates)}")
        if not order:
            raise SchemaError("schema declares no features")

    @property
    def numeric_fields(self) -> list[str]:
        return [f.field for f in self.numeric]

    @property
    def categorical_fields(self) -> list[str]:
        return [f.field for f in self.categorical]

    def column_to_field(self) -> dict[str, str]:
        """Map CSV headers to JSON field names, id and target included."""
        mapping = {self.id_column: self.id_field, self.target_column: self.target_field}
        for feature in (*self.numeric, *self.categorical):
            mapping[feature.column] = feature.field
        return mapping

    def to_dict(self) -> dict[str, Any]:
        """Serialise to the same shape as the TOML file."""
        return {
            "name": self.name,
            "id": {"field": self.id_field, "column": self.id_column},
            "target": {
                "field": self.target_field,
                "column": self.target_column,
                "positive": self.positive_label,
                "negative": self.negative_label,
            },
            "numeric": [_drop_none(asdict(f)) for f in self.numeric],
            "categorical": [
                {**asdict(f), "values": list(f.values)} for f in self.categorical
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Schema:
        """Build a schema from parsed TOML or JSON, naming the first bad key."""
        try:
            numeric = tuple(_numeric_feature(item) for item in raw.get("numeric", []))
            categorical = tuple(
                _categorical_feature(item) for item in raw.get("categorical", [])
            )
            return cls(
                name=str(raw["name"]),
                id_field=str(raw["id"]["field"]),
                id_column=str(raw["id"]["column"]),
                target_field=str(raw["target"]["field"]),
                target_column=str(raw["target"]["column"]),
                positive_label=str(raw["target"]["positive"]),
                negative_label=str(raw["target"]["negative"]),
                numeric=numeric,
                categorical=categorical,
            )
        except KeyError as exc:
            raise SchemaError(f"schema is missing the key {exc.args[0]!r}") from exc

    @classmethod
    def from_json(cls, text: str) -> Schema:
        return cls.from_dict(json.loads(text))


def load_schema(path: str | Path | None = None) -> Schema:
    """Read a schema TOML file; without a path, the bundled Telco schema."""
    schema_path = Path(path) if path else DEFAULT_SCHEMA_PATH
    try:
        raw = tomllib.loads(schema_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SchemaError(f"schema file not found: {schema_path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(f"schema file {schema_path} is not valid TOML: {exc}") from exc
    return Schema.from_dict(raw)


def _numeric_feature(item: dict[str, Any]) -> NumericFeature:
    feature = NumericFeature(
        field=str(item["field"]),
        column=str(item.get("column", item["field"])),
        min=float(item["min"]),
        max=float(item["max"]),
        integer=bool(item.get("integer", False)),
        unit=str(item.get("unit", "")),
        fill_blank=None if item.get("fill_blank") is None else float(item["fill_blank"]),
    )
    if feature.min > feature.max:
        raise SchemaError(f"numeric feature {feature.field!r} has min above max")
    return feature


def _categorical_feature(item: dict[str, Any]) -> CategoricalFeature:
    values = tuple(str(value) for value in item["values"])
    if not values:
        raise SchemaError(f"categorical feature {item['field']!r} lists no values")
    return CategoricalFeature(
        field=str(item["field"]), column=str(item.get("column", item["field"])), values=values
    )


def _drop_none(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value is not None}
