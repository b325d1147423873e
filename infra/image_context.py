"""Build context of the container image that runs train and validate on AWS.

The context is staged in build/images/<name> with only what the image needs, because
CDK copies the whole folder into cdk.out on every synthesis and Docker sends all of
it to the builder. A context at the repository root would carry .venv, node_modules
and data unless a .dockerignore listed every one of them.

    build/images/training/
        Dockerfile        from infra/images/training/Dockerfile
        requirements.txt  exact pins: pyproject dependencies plus the train group
        constraints.txt   versions of their dependencies, from the build environment
        project/          pyproject.toml, README.md and the churnops package
        handlers/         the retrain handler folder, copied into LAMBDA_TASK_ROOT
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

from infra.catalog import CODE_ASSETS, FUNCTIONS, IMAGE_EXTRA, IMAGE_FUNCTIONS, TRAINING_IMAGE

IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")
EXACT_PIN = re.compile(r"[A-Za-z0-9_.-]+(?:\[[^\]]*\])?==[^;\s]+")


class ImageContextError(Exception):
    """A build context that cannot be staged as asked."""


def image_dir(build_dir: Path, name: str = TRAINING_IMAGE) -> Path:
    """Return the folder of one image's staged build context."""
    return build_dir / "images" / name


def image_requirements(pyproject: Path, extra: str = IMAGE_EXTRA) -> list[str]:
    """Return the project's dependencies plus one optional group, each an exact pin."""
    project = tomllib.loads(pyproject.read_text())["project"]
    groups = project.get("optional-dependencies", {})
    if extra not in groups:
        raise ImageContextError(f"{pyproject} has no optional-dependencies group {extra!r}")
    requirements = [*project["dependencies"], *groups[extra]]
    loose = [item for item in requirements if not EXACT_PIN.fullmatch(item.strip())]
    if loose:
        raise ImageContextError(
            f"{pyproject}: the image needs exact `name==version` pins, got {loose}"
        )
    return [item.strip() for item in requirements]


def _handler_asset() -> str:
    # The image serves every IMAGE_FUNCTIONS handler, so they must share one code asset.
    assets = {FUNCTIONS[name].asset for name in IMAGE_FUNCTIONS}
    if len(assets) != 1:
        raise ImageContextError(f"image functions use several code assets: {sorted(assets)}")
    return assets.pop()


def assemble_image_context(build_dir: Path, repo_root: Path, constraints: list[str]) -> Path:
    """Stage the training image's build context in build/images/training; return it."""
    dockerfile = repo_root / "infra" / "images" / TRAINING_IMAGE / "Dockerfile"
    if not dockerfile.is_file():
        raise ImageContextError(f"Dockerfile {dockerfile} not found")
    requirements = image_requirements(repo_root / "pyproject.toml")
    target = image_dir(build_dir)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copy2(dockerfile, target / "Dockerfile")
    (target / "requirements.txt").write_text("\n".join(requirements) + "\n")
    (target / "constraints.txt").write_text("\n".join(constraints) + "\n")
    project = target / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(repo_root / name, project / name)
    shutil.copytree(repo_root / "churnops", project / "churnops", ignore=IGNORED)
    shutil.copytree(repo_root / CODE_ASSETS[_handler_asset()], target / "handlers", ignore=IGNORED)
    return target
