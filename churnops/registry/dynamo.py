"""Convert Python values to DynamoDB attribute values and back.

boto3's serializer rejects `float` (DynamoDB numbers are decimal), so floats are
converted through their shortest repr, which round-trips exactly. NaN and infinity
have no DynamoDB form, so they raise an error naming the key that contains them.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

from churnops.registry.errors import InvalidRegistryValue

# DynamoDB numbers: magnitude between 1E-130 and 9.99...E+125, at most 38 digits.
_MAX_MAGNITUDE = Decimal("9.9999999999999999999999999999999999999E+125")
_MIN_MAGNITUDE = Decimal("1E-130")
_INT_LIMIT = 2**53

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


def to_dynamo(value: Any, path: str = "value") -> Any:
    """Return `value` with floats as Decimal and containers converted, or raise naming `path`."""
    if value is None or isinstance(value, (bool, str, bytes, Binary)):
        return value
    if isinstance(value, Decimal):
        return _checked_decimal(value, path)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return _float_to_decimal(float(value), path)
    if isinstance(value, Mapping):
        return {str(key): to_dynamo(item, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_dynamo(item, f"{path}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, (set, frozenset)):
        return {to_dynamo(item, path) for item in value}
    raise InvalidRegistryValue(
        f"{path}: values of type {type(value).__name__} cannot be stored in DynamoDB"
    )


def from_dynamo(value: Any) -> Any:
    """Return `value` with Decimals as int (integral, below 2**53) or float, recursively."""
    if isinstance(value, Decimal):
        # Beyond 2**53 an integral number most likely came from a float (2.5e100), and
        # float() returns that float exactly, while int() would not equal it.
        if value == value.to_integral_value() and abs(value) < _INT_LIMIT:
            return int(value)
        return float(value)
    if isinstance(value, Binary):
        return bytes(value.value)
    if isinstance(value, Mapping):
        return {key: from_dynamo(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_dynamo(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return {from_dynamo(item) for item in value}
    return value


def serialize_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """Convert a plain dict to DynamoDB's wire format (`{"name": {"S": ...}}`)."""
    return {key: _SERIALIZER.serialize(to_dynamo(value, key)) for key, value in item.items()}


def serialize_value(value: Any, path: str = "value") -> dict[str, Any]:
    """Convert one value to DynamoDB's wire format."""
    return _SERIALIZER.serialize(to_dynamo(value, path))


def serialize_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Convert `ExpressionAttributeValues` (keys like ":name") to wire format."""
    return {key: serialize_value(value, key.lstrip(":")) for key, value in values.items()}


def deserialize_item(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Convert a DynamoDB wire-format item to a plain dict with int and float numbers."""
    return {key: from_dynamo(_DESERIALIZER.deserialize(value)) for key, value in raw.items()}


def _float_to_decimal(value: float, path: str) -> Decimal:
    if math.isnan(value) or math.isinf(value):
        raise InvalidRegistryValue(
            f"{path}: {value!r} cannot be stored in DynamoDB; only finite numbers can"
        )
    return _checked_decimal(Decimal(repr(value)), path)


def _checked_decimal(value: Decimal, path: str) -> Decimal:
    if not value.is_finite():
        raise InvalidRegistryValue(
            f"{path}: {value} cannot be stored in DynamoDB; only finite numbers can"
        )
    if abs(value) > _MAX_MAGNITUDE:
        raise InvalidRegistryValue(
            f"{path}: {value} is above DynamoDB's maximum number magnitude 9.99E+125"
        )
    if value != 0 and abs(value) < _MIN_MAGNITUDE:
        # NOTE: values below DynamoDB's smallest magnitude (1E-130) are stored as 0.
        return Decimal(0)
    return value
