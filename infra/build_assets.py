"""Build the Lambda layers and code assets into build/, without Docker.

Layers are installed by pip from manylinux wheels for CPython 3.12 on x86_64, the
platform of the Lambda python3.12 runtime, so the build runs on any host. Code
assets are each handler folder plus the churnops package. The build context of the
training image (`-c training_image=true`) is staged next to them, in build/images.
The script ends by writing build/sizes.json and printing each function's unzipped
size with its layers against Lambda's 250 MB limit.

    python -m infra.build_assets              # layers, code and image context
    python -m infra.build_assets --code-only  # code and image context only (seconds)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from infra.catalog import BASE_LAYER, CODE_ASSETS, FUNCTIONS, IMAGE_FUNCTIONS, LAYER_PACKAGES
from infra.image_context import ImageContextError, assemble_image_context

REPO_ROOT = Path(__file__).resolve().parent.parent
# Lambda's limit on a function's code plus all its layers, unzipped.
LAMBDA_UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024
# Newer numpy and scipy wheels are tagged manylinux_2_28 only; the python3.12
# runtime (Amazon Linux 2023) has glibc 2.34, so both tags run there.
PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64")
STRIPPED_DIRS = {"tests", "__pycache__"}
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


class BuildError(Exception):
    """A layer or asset that cannot be built as asked."""


def read_pins(pyproject: Path) -> dict[str, str]:
    """Return {normalized name: version} for every `name==version` pin in pyproject."""
    data = tomllib.loads(pyproject.read_text())
    requirements = list(data["project"]["dependencies"])
    for group in data["project"].get("optional-dependencies", {}).values():
        requirements.extend(group)
    pins: dict[str, str] = {}
    for requirement in requirements:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^;\s]+)", requirement.strip())
        if match:
            pins[_normalize(match.group(1))] = match.group(2)
    return pins


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def build_layer(name: str, build_dir: Path, pins: dict[str, str]) -> Path:
    """Install one layer's pinned packages into build/layers/<name>/python and strip it."""
    target = build_dir / "layers" / name / "python"
    shutil.rmtree(target.parent, ignore_errors=True)
    target.mkdir(parents=True)
    requirements = []
    for package in LAYER_PACKAGES[name]:
        version = pins.get(_normalize(package))
        if version is None:
            raise BuildError(f"no exact pin for {package!r} in pyproject.toml")
        requirements.append(f"{package}=={version}")
    command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check"]
    command += ["--no-compile", "--only-binary=:all:", "--implementation", "cp"]
    command += ["--python-version", "3.12", "--target", str(target)]
    command += ["--constraint", str(_write_constraints(build_dir))]
    for platform in PLATFORMS:
        command += ["--platform", platform]
    print(f"layer {name}: pip install {' '.join(requirements)}", flush=True)
    subprocess.run(command + requirements, check=True)
    # Console scripts are never run inside Lambda.
    shutil.rmtree(target / "bin", ignore_errors=True)
    _strip(target)
    return target


def installed_versions() -> list[str]:
    """Return `name==version` of every distribution in this environment but churnops."""
    # Transitive dependencies get the versions of the environment running this build,
    # the one the tests ran in. Left free, pip picked python-dateutil 4.0.0, which
    # would shadow the runtime's botocore dependency (it requires <3).
    return sorted(
        f"{dist.metadata['Name']}=={dist.version}"
        for dist in metadata.distributions()
        if dist.metadata["Name"] and _normalize(dist.metadata["Name"]) != "churnops"
    )


def _write_constraints(build_dir: Path) -> Path:
    path = build_dir / "layers" / "constraints.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(installed_versions()) + "\n")
    return path


def build_layers(build_dir: Path) -> None:
    """Build every layer, then drop from each what the base layer already contains."""
    pins = read_pins(REPO_ROOT / "pyproject.toml")
    base = build_layer(BASE_LAYER, build_dir, pins)
    for name in LAYER_PACKAGES:
        if name == BASE_LAYER:
            continue
        removed = remove_shared(build_layer(name, build_dir, pins), base)
        if removed:
            print(f"layer {name}: removed {', '.join(removed)} (already in {BASE_LAYER})")


def _strip(root: Path) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_dir() and path.name in STRIPPED_DIRS:
            shutil.rmtree(path)
        elif path.is_file() and path.suffix == ".pyc":
            path.unlink()


def _distributions(site: Path) -> dict[str, tuple[str, Path]]:
    found = {}
    for info in site.glob("*.dist-info"):
        stem = info.name.removesuffix(".dist-info")
        dist_name, _, version = stem.rpartition("-")
        found[_normalize(dist_name)] = (version, info)
    return found


def remove_shared(layer: Path, base: Path) -> list[str]:
    """Delete from `layer` every distribution that `base` already provides; return names.

    Layers are merged into /opt/python, so a package in both would count twice
    against the size limit. Different versions of one package would make the
    result depend on layer order, so that raises BuildError instead.
    """
    base_dists = _distributions(base)
    removed = []
    for name, (version, info) in _distributions(layer).items():
        if name not in base_dists:
            continue
        base_version = base_dists[name][0]
        if base_version != version:
            raise BuildError(
                f"{name} is {version} in {layer} but {base_version} in {base}; "
                "pin one version in pyproject.toml"
            )
        for line in (info / "RECORD").read_text().splitlines():
            relative = line.split(",", 1)[0]
            path = (layer / relative).resolve()
            if path.is_relative_to(layer.resolve()) and path.is_file():
                path.unlink()
        shutil.rmtree(info)
        removed.append(name)
    _remove_empty_dirs(layer)
    return sorted(removed)


def _remove_empty_dirs(root: Path) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def assemble_code(asset: str, build_dir: Path) -> Path:
    """Copy a handler folder and the churnops package into build/functions/<asset>."""
    source = REPO_ROOT / CODE_ASSETS[asset]
    if not source.is_dir():
        raise BuildError(f"handler folder {source} not found")
    target = build_dir / "functions" / asset
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, ignore=IGNORED)
    shutil.copytree(REPO_ROOT / "churnops", target / "churnops", ignore=IGNORED)
    return target


def tree_size(root: Path) -> int:
    """Return the total size in bytes of the regular files under root."""
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def measure(build_dir: Path) -> dict[str, object]:
    """Measure layers, code assets and each function's total against the limit."""
    layers = {}
    for name in LAYER_PACKAGES:
        path = build_dir / "layers" / name
        layers[name] = tree_size(path) if path.is_dir() else None
    code = {asset: tree_size(build_dir / "functions" / asset) for asset in CODE_ASSETS}
    functions = {}
    for name, spec in FUNCTIONS.items():
        parts = [layers[layer] for layer in spec.layers]
        total = None if None in parts else code[spec.asset] + sum(p for p in parts if p)
        functions[name] = {
            "layers": list(spec.layers),
            "unzipped_bytes": total,
            "fits": None if total is None else total <= LAMBDA_UNZIPPED_LIMIT_BYTES,
        }
    return {"limit_bytes": LAMBDA_UNZIPPED_LIMIT_BYTES, "layers": layers, "code": code,
            "functions": functions}


def _megabytes(size: int | None) -> str:
    return "not built" if size is None else f"{size / 1024 / 1024:7.1f} MiB"


def main(argv: list[str] | None = None) -> int:
    """Build what the arguments ask for, then print and store the sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=REPO_ROOT / "build",
                        help="output folder (default: build/ at the repository root)")
    parser.add_argument("--code-only", action="store_true",
                        help="assemble code assets and the image context only, "
                        "and keep existing layers")
    args = parser.parse_args(argv)
    build_dir: Path = args.build_dir.resolve()
    os.environ.setdefault("PIP_NO_INPUT", "1")
    try:
        if not args.code_only:
            build_layers(build_dir)
        for asset in CODE_ASSETS:
            assemble_code(asset, build_dir)
        context = assemble_image_context(build_dir, REPO_ROOT, installed_versions())
        print(f"image context: {context}")
    except (BuildError, ImageContextError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    sizes = measure(build_dir)
    (build_dir / "sizes.json").write_text(json.dumps(sizes, indent=2) + "\n")
    for name, size in sizes["layers"].items():  # type: ignore[union-attr]
        print(f"layer {name:<16} {_megabytes(size)}")
    for name, info in sizes["functions"].items():  # type: ignore[union-attr]
        verdict = {True: "fits", False: "OVER 250 MiB", None: ""}[info["fits"]]
        if info["fits"] is False and name in IMAGE_FUNCTIONS:
            verdict += " as zip; deploy to AWS with -c training_image=true"
        print(f"function {name:<16} {_megabytes(info['unzipped_bytes'])}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
