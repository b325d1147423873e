"""Lambda layers with the third-party packages, built by `python -m infra.build_assets`."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.catalog import LAYER_PACKAGES

RUNTIME = lambda_.Runtime.PYTHON_3_12


class AssetMissing(Exception):
    """A layer or code folder that the build script has not produced yet."""


def require_dir(path: Path, what: str) -> Path:
    """Return path if it is a folder, else raise AssetMissing naming the build command."""
    if not path.is_dir():
        raise AssetMissing(
            f"{what} folder {path} not found: run `python -m infra.build_assets` first"
        )
    return path


class Layers(Construct):
    """One layer version per entry of `LAYER_PACKAGES`, from build/layers/<name>."""

    def __init__(self, scope: Construct, id_: str, *, build_dir: Path) -> None:
        super().__init__(scope, id_)
        self.by_name: dict[str, lambda_.LayerVersion] = {}
        for name, packages in LAYER_PACKAGES.items():
            folder = require_dir(build_dir / "layers" / name / "python", f"layer {name!r}")
            self.by_name[name] = lambda_.LayerVersion(
                self,
                name.capitalize(),
                # The asset root must contain python/, which Lambda puts on sys.path.
                code=lambda_.Code.from_asset(str(folder.parent)),
                compatible_runtimes=[RUNTIME],
                compatible_architectures=[lambda_.Architecture.X86_64],
                description=f"churnops {name}: {', '.join(packages)}",
            )

    def select(self, names: tuple[str, ...]) -> list[lambda_.ILayerVersion]:
        """Return the layers with these names, in the given order."""
        return [self.by_name[name] for name in names]
