"""CSV loading against the schema."""

from __future__ import annotations

import pytest

from churnops.data import DataError, load_dataset
from tests.conftest import TELCO_CSV


def test_real_data_loads_with_field_names(telco_schema):
    dataset = load_dataset(TELCO_CSV, telco_schema)
    assert dataset.rows == 7043
    assert int(dataset.labels.sum()) == 1869
    assert list(dataset.features.columns) == list(telco_schema.feature_order)
    assert dataset.features["tenure"].dtype == "float64"


def test_blank_total_charges_filled_and_counted(telco_schema):
    dataset = load_dataset(TELCO_CSV, telco_schema)
    assert dataset.filled_blanks == {"total_charges": 11}
    assert dataset.features["total_charges"].isna().sum() == 0


def test_unknown_category_names_column(tmp_path, telco_schema):
    text = TELCO_CSV.read_text().replace(",Month-to-month,", ",Weekly,", 1)
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(DataError, match="column 'Contract'.*'Weekly'"):
        load_dataset(path, telco_schema)


def test_missing_column_named(tmp_path, telco_schema):
    lines = TELCO_CSV.read_text().splitlines()
    path = tmp_path / "short.csv"
    path.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines[:5]))
    with pytest.raises(DataError, match="missing columns \\['Churn'\\]"):
        load_dataset(path, telco_schema)


def test_missing_file_named(telco_schema):
    with pytest.raises(DataError, match="data file not found"):
        load_dataset("/nonexistent/telco.csv", telco_schema)


def test_empty_file_explained(tmp_path, telco_schema):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(DataError, match="is empty: it needs a header row"):
        load_dataset(path, telco_schema)


def test_non_utf8_file_explained(tmp_path, telco_schema):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DataError, match="not a UTF-8 CSV file"):
        load_dataset(path, telco_schema)


def test_value_outside_schema_range_rejected(tmp_path, telco_schema):
    text = TELCO_CSV.read_text().replace(",29.85,29.85,No", ",-5,29.85,No", 1)
    path = tmp_path / "negative.csv"
    path.write_text(text)
    with pytest.raises(DataError, match="'MonthlyCharges': 1 values outside the schema's range"):
        load_dataset(path, telco_schema)
