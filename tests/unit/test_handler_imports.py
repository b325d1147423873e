"""Each Lambda handler imports with only the packages its layers carry.

The layer lists come from `infra/catalog.py`, the same data the stack deploys, so a
handler that starts importing pandas without the training layer fails here rather
than at its first invocation.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from infra.catalog import CODE_ASSETS, FUNCTIONS, LAYER_PACKAGES
from tests.conftest import ROOT

# Import names of the packages in the optional layers.
MODULES = {
    "onnxruntime": "onnxruntime", "pandas": "pandas", "scikit-learn": "sklearn",
    "scipy": "scipy", "skl2onnx": "skl2onnx", "onnx": "onnx",
}
IMPORT_SCRIPT = """
import importlib.abc, json, sys
blocked = set(json.loads(sys.argv[1]))

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ImportError(f"{name} is not in this function's layers")
        return None

sys.meta_path.insert(0, Block())
sys.path.insert(0, sys.argv[2])
__import__(sys.argv[3])
"""


def blocked_modules(function: str) -> list[str]:
    available = {pkg for layer in FUNCTIONS[function].layers for pkg in LAYER_PACKAGES[layer]}
    return sorted(MODULES[pkg] for pkg in MODULES if pkg not in available)


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_handler_imports_within_layers(function, tmp_path):
    spec = FUNCTIONS[function]
    folder = ROOT / CODE_ASSETS[spec.asset]
    module = spec.handler.rsplit(".", 1)[0]
    environment = {
        "PATH": "/usr/bin:/bin", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
        # A closed loopback port: a cold-start read fails at once and stays local.
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1",
        "CHURNOPS_MODEL_CACHE_DIR": str(tmp_path), "POWERTOOLS_METRICS_NAMESPACE": "churnops",
    }
    command = [sys.executable, "-c", IMPORT_SCRIPT, json.dumps(blocked_modules(function)), str(folder), module]
    result = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
