"""Build script: pins from pyproject, layer de-duplication, size accounting."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.build_assets import (
    LAMBDA_UNZIPPED_LIMIT_BYTES,
    BuildError,
    assemble_code,
    measure,
    read_pins,
    remove_shared,
)


def _fake_dist(site: Path, name: str, version: str, files: dict[str, bytes]) -> None:
    info = site / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    record = []
    for relative, content in files.items():
        path = site / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        record.append(f"{relative},sha256=x,{len(content)}")
    record.append(f"{info.name}/RECORD,,")
    (info / "RECORD").write_text("\n".join(record) + "\n")


def test_pins_read_from_all_groups(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "x"\ndependencies = ["numpy==2.5.5", "boto3>=1"]\n'
        '[project.optional-dependencies]\n'
        'train = ["scikit_learn==1.9.1", "moto[s3,dynamodb]==5.2.5"]\n'
    )
    assert read_pins(pyproject) == {
        "numpy": "2.5.5",
        "scikit-learn": "1.9.1",
        "moto": "5.2.5",
    }


def test_shared_distribution_removed(tmp_path):
    base, layer = tmp_path / "base", tmp_path / "training"
    _fake_dist(base, "numpy", "2.5.5", {"numpy/__init__.py": b"x"})
    _fake_dist(layer, "numpy", "2.5.5", {"numpy/__init__.py": b"x", "numpy/core.so": b"yy"})
    _fake_dist(layer, "pandas", "3.1.1", {"pandas/__init__.py": b"z"})
    assert remove_shared(layer, base) == ["numpy"]
    assert not (layer / "numpy").exists()
    assert not (layer / "numpy-2.5.5.dist-info").exists()
    assert (layer / "pandas" / "__init__.py").is_file()
    assert (base / "numpy" / "__init__.py").is_file()


def test_version_clash_rejected(tmp_path):
    base, layer = tmp_path / "base", tmp_path / "training"
    _fake_dist(base, "numpy", "2.5.5", {"numpy/__init__.py": b"x"})
    _fake_dist(layer, "numpy", "2.4.0", {"numpy/__init__.py": b"x"})
    with pytest.raises(BuildError, match="numpy is 2.4.0 .* but 2.5.5"):
        remove_shared(layer, base)


def test_code_asset_has_churnops(tmp_path):
    target = assemble_code("predict", tmp_path)
    assert (target / "churnops" / "config.py").is_file()
    assert not list(target.rglob("__pycache__"))


def test_sizes_add_code_and_layers(tmp_path):
    for asset in ("predict", "monitor", "retrain"):
        (tmp_path / "functions" / asset).mkdir(parents=True)
        (tmp_path / "functions" / asset / "app.py").write_bytes(b"a" * 10)
    for layer, size in (("base", 100), ("onnx", 1000), ("training", 10_000)):
        (tmp_path / "layers" / layer / "python").mkdir(parents=True)
        (tmp_path / "layers" / layer / "python" / "lib.so").write_bytes(b"x" * size)
    sizes = measure(tmp_path)
    assert sizes["limit_bytes"] == LAMBDA_UNZIPPED_LIMIT_BYTES
    assert sizes["functions"]["predict"]["unzipped_bytes"] == 10 + 100 + 1000
    assert sizes["functions"]["monitor"]["unzipped_bytes"] == 10 + 100 + 10_000
    assert sizes["functions"]["train"]["unzipped_bytes"] == 10 + 100 + 1000 + 10_000
    assert sizes["functions"]["promote"]["unzipped_bytes"] == 10 + 100
    assert sizes["functions"]["train"]["fits"] is True


def test_sizes_unknown_without_layers(tmp_path):
    for asset in ("predict", "monitor", "retrain"):
        (tmp_path / "functions" / asset).mkdir(parents=True)
    sizes = measure(tmp_path)
    assert sizes["layers"] == {"base": None, "onnx": None, "training": None}
    assert sizes["functions"]["predict"]["fits"] is None
