"""Synthesise the churnops stack once per session, offline, from stand-in layers."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# Synthesis must never reach AWS: no credentials lookup, no instance metadata.
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
# CDK runs the program named by CDK_DOCKER (default `docker`) for bundling and image
# builds. A path that does not exist makes any Docker call during synthesis fail, so
# the image-function tests fail if synthesis needs Docker. It is set before aws_cdk
# starts its Node.js process, which copies the environment once.
os.environ["CDK_DOCKER"] = str(Path(__file__).parent / "no-docker-during-synthesis")

from aws_cdk import App  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402

from infra.app import build_app  # noqa: E402
from infra.build_assets import assemble_code, installed_versions  # noqa: E402
from infra.catalog import CODE_ASSETS, LAYER_PACKAGES  # noqa: E402
from infra.image_context import assemble_image_context  # noqa: E402
from infra.stack import ChurnopsStack  # noqa: E402

# The same five task placeholders as step_functions/retrain.asl.json.
TEST_ASL = {
    "StartAt": "Train Model",
    "States": {
        "Train Model": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${TrainFunctionArn}", "Payload.$": "$"},
            "Next": "Validate Model",
        },
        "Validate Model": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${ValidateFunctionArn}", "Payload.$": "$"},
            "Next": "Await Approval",
        },
        "Await Approval": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {
                "FunctionName": "${RequestApprovalFunctionArn}",
                "Payload": {"task_token.$": "$$.Task.Token"},
            },
            "Next": "Promote Model",
        },
        "Promote Model": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${PromoteFunctionArn}", "Payload.$": "$"},
            "Next": "Notify",
        },
        "Notify": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${NotifyFunctionArn}", "Payload.$": "$"},
            "End": True,
        },
    },
}


def write_inputs(root: Path) -> tuple[Path, Path]:
    """Write a test ASL file and a build folder with stand-in layers; return both paths."""
    root.mkdir(parents=True, exist_ok=True)
    asl_path = root / "retrain.asl.json"
    asl_path.write_text(json.dumps(TEST_ASL))
    build_dir = root / "build"
    for name in LAYER_PACKAGES:
        layer = build_dir / "layers" / name / "python"
        layer.mkdir(parents=True)
        (layer / "README.txt").write_text("stand-in layer for template tests\n")
    for asset in CODE_ASSETS:
        assemble_code(asset, build_dir)
    assemble_image_context(build_dir, REPO_ROOT, installed_versions())
    return asl_path, build_dir


def cdk_context(**overrides: Any) -> dict[str, Any]:
    """Return the context of the repository's cdk.json with overrides applied."""
    context = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    context.update(overrides)
    return context


@dataclass
class Synthesised:
    """A synthesised stack: the assertions Template and the raw template dict."""

    stack: ChurnopsStack
    template: Template
    resources: dict[str, dict[str, Any]]

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        """Return the resources of one CloudFormation type, keyed by logical id."""
        return {key: value for key, value in self.resources.items() if value["Type"] == kind}

    def logical_id(self, kind: str, **properties: Any) -> str:
        """Return the logical id of the one resource of `kind` with these properties."""
        found = [
            key
            for key, value in self.of_type(kind).items()
            if all(value["Properties"].get(k) == v for k, v in properties.items())
        ]
        assert len(found) == 1, f"expected one {kind} with {properties}, found {found}"
        return found[0]

    def role_statements(self, function_name: str) -> list[dict[str, Any]]:
        """Return the IAM statements attached to a function's role."""
        function_id = self.logical_id("AWS::Lambda::Function", FunctionName=function_name)
        role_id = self.resources[function_id]["Properties"]["Role"]["Fn::GetAtt"][0]
        statements = []
        for policy in self.of_type("AWS::IAM::Policy").values():
            roles = [ref["Ref"] for ref in policy["Properties"]["Roles"]]
            if role_id in roles:
                statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
        return statements


def synthesise(tmp: Path, **context: Any) -> Synthesised:
    """Synthesise the app with cdk-nag's checks, which raise on any finding."""
    asl_path, build_dir = write_inputs(tmp)
    inputs = {"asl_path": str(asl_path), "build_dir": str(build_dir)}
    app = App(context=cdk_context(**{**inputs, **context}), outdir=str(tmp / "cdk.out"))
    _, stack = build_app(app)
    app.synth()
    template = Template.from_stack(stack)
    return Synthesised(stack, template, template.to_json()["Resources"])


@pytest.fixture(scope="session")
def synthesised(tmp_path_factory: pytest.TempPathFactory) -> Synthesised:
    return synthesise(tmp_path_factory.mktemp("stack"))
