"""`-c training_image=true`: train and validate as container-image functions.

The flag changes only how those two functions are packaged. Everything else in
the template (roles, grants, alarms, state machine) must stay the same, and
synthesis must run without Docker (conftest points CDK_DOCKER at a missing file).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App

from infra.catalog import ASL_SUBSTITUTIONS, FUNCTIONS, IMAGE_FUNCTIONS
from infra.functions import physical_name
from infra.layers import AssetMissing
from infra.settings import StackSettings
from infra.stack import ChurnopsStack

from .conftest import Synthesised, cdk_context, synthesise, write_inputs

ZIP_ONLY = {"Code", "Handler", "Runtime", "Layers"}
IMAGE_ONLY = {"Code", "PackageType", "ImageConfig"}


@pytest.fixture(scope="module")
def image_stack(tmp_path_factory: pytest.TempPathFactory) -> Synthesised:
    return synthesise(tmp_path_factory.mktemp("image-stack"), training_image=True)


def _function(synthesised: Synthesised, name: str) -> dict[str, Any]:
    logical_id = synthesised.logical_id(
        "AWS::Lambda::Function", FunctionName=physical_name("churnops", name)
    )
    return synthesised.resources[logical_id]


def _docker_images(synthesised: Synthesised) -> dict[str, Any]:
    outdir = Path(synthesised.stack.node.root.outdir)
    manifest = json.loads((outdir / f"{synthesised.stack.artifact_id}.assets.json").read_text())
    return manifest.get("dockerImages", {})


@pytest.mark.parametrize("name", IMAGE_FUNCTIONS)
def test_image_function_packaging(image_stack, name):
    properties = _function(image_stack, name)["Properties"]
    assert properties["PackageType"] == "Image"
    assert properties["ImageConfig"] == {"Command": [FUNCTIONS[name].handler]}
    assert "ImageUri" in properties["Code"]
    assert properties["Architectures"] == ["x86_64"]
    for key in ("Layers", "Runtime", "Handler"):
        assert key not in properties, f"{name} has {key}"


@pytest.mark.parametrize("name", IMAGE_FUNCTIONS)
def test_image_function_keeps_settings(image_stack, synthesised, name):
    image = _function(image_stack, name)["Properties"]
    zipped = _function(synthesised, name)["Properties"]
    assert {key: value for key, value in image.items() if key not in IMAGE_ONLY} == {
        key: value for key, value in zipped.items() if key not in ZIP_ONLY
    }


def test_both_functions_share_one_image(image_stack):
    uris = {json.dumps(_function(image_stack, name)["Properties"]["Code"]) for name in IMAGE_FUNCTIONS}
    assert len(uris) == 1
    images = _docker_images(image_stack)
    assert len(images) == 1
    source = next(iter(images.values()))["source"]
    assert source["platform"] == "linux/amd64"
    # Synthesis stages the context for `cdk deploy`, which is where Docker builds it.
    staged = Path(image_stack.stack.node.root.outdir) / source["directory"]
    assert (staged / "Dockerfile").is_file()
    assert (staged / "project" / "churnops" / "config.py").is_file()


def test_rest_of_template_unchanged(image_stack, synthesised):
    image_ids = {image_stack.logical_id(
        "AWS::Lambda::Function", FunctionName=physical_name("churnops", name)
    ) for name in IMAGE_FUNCTIONS}
    assert set(image_stack.resources) == set(synthesised.resources)
    for logical_id, resource in synthesised.resources.items():
        if logical_id in image_ids:
            continue
        assert image_stack.resources[logical_id] == resource, logical_id


@pytest.mark.parametrize("name", sorted(set(FUNCTIONS) - set(IMAGE_FUNCTIONS)))
def test_other_functions_stay_zip(image_stack, name):
    properties = _function(image_stack, name)["Properties"]
    assert "PackageType" not in properties
    assert properties["Runtime"] == "python3.12"
    assert properties["Layers"]


def test_workflow_invokes_image_functions(image_stack):
    machine = next(iter(image_stack.of_type("AWS::StepFunctions::StateMachine").values()))
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    by_name = {name: placeholder for placeholder, name in ASL_SUBSTITUTIONS.items()}
    for name in IMAGE_FUNCTIONS:
        function_id = image_stack.logical_id(
            "AWS::Lambda::Function", FunctionName=physical_name("churnops", name)
        )
        assert substitutions[by_name[name]] == {"Fn::GetAtt": [function_id, "Arn"]}


@pytest.mark.parametrize("name", IMAGE_FUNCTIONS)
def test_image_functions_need_no_l1(image_stack, name):
    # L1 checks the Runtime property, which image functions do not have.
    rules = _function(image_stack, name).get("Metadata", {}).get("cdk_nag", {})
    suppressed = [rule["id"] for rule in rules.get("rules_to_suppress", [])]
    assert "AwsSolutions-L1" not in suppressed


def test_default_is_zip(synthesised):
    assert cdk_context()["training_image"] is False
    assert _docker_images(synthesised) == {}
    for name in IMAGE_FUNCTIONS:
        properties = _function(synthesised, name)["Properties"]
        assert "PackageType" not in properties
        assert len(properties["Layers"]) == 3


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False), (True, True)])
def test_flag_read_from_context(value, expected):
    assert StackSettings.from_context({"training_image": value}).training_image is expected


def test_bad_flag_rejected():
    with pytest.raises(ValueError, match="'training_image' must be true or false, got 'image'"):
        StackSettings.from_context({"training_image": "image"})


def test_missing_image_context_named(tmp_path):
    asl_path, build_dir = write_inputs(tmp_path)
    shutil.rmtree(build_dir / "images")
    settings = StackSettings(build_dir=build_dir, asl_path=asl_path, training_image=True)
    app = App(context=cdk_context(), outdir=str(tmp_path / "cdk.out"))
    message = r"image context folder .*images/training not found: run `python -m infra.build_assets`"
    with pytest.raises(AssetMissing, match=message):
        ChurnopsStack(app, "churnops", settings=settings)
