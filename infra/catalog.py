"""Contents of each Lambda: code asset, handler and layers.

Plain data with no CDK import, shared by the build script (which assembles the
assets) and the constructs (which deploy them).
"""

from __future__ import annotations

from dataclasses import dataclass

# Third-party packages per layer; versions come from the exact pins in pyproject.toml.
# boto3 is left out because the Lambda Python runtime ships it. onnxruntime has a
# layer of its own so that the monitor (numpy, scipy, pandas) stays under Lambda's
# 250 MB limit without it. Every function gets BASE_LAYER, and the build removes
# from the other layers whatever BASE_LAYER already contains.
BASE_LAYER = "base"
LAYER_PACKAGES: dict[str, tuple[str, ...]] = {
    BASE_LAYER: ("numpy", "pydantic", "aws-lambda-powertools"),
    "onnx": ("onnxruntime",),
    "training": ("pandas", "scikit-learn", "scipy", "skl2onnx", "onnx"),
}

# Code asset name -> handler folder; each asset also gets the churnops package.
CODE_ASSETS: dict[str, str] = {
    "predict": "lambdas/predict",
    "monitor": "lambdas/monitor",
    "retrain": "lambdas/retrain",
}


@dataclass(frozen=True)
class FunctionSpec:
    """One Lambda function: its code asset, handler and layers in attach order."""

    asset: str
    handler: str
    layers: tuple[str, ...]
    description: str


FUNCTIONS: dict[str, FunctionSpec] = {
    "predict": FunctionSpec(
        "predict",
        "app.handler",
        (BASE_LAYER, "onnx"),
        "Scores customers: POST /predict, POST /feedback, GET /model",
    ),
    # The drift checks import scipy and pandas but never score a model.
    "monitor": FunctionSpec(
        "monitor",
        "app.handler",
        (BASE_LAYER, "training"),
        "Daily drift and performance check",
    ),
    # NOTE: train and validate need all three layers, about 300 MiB unzipped, which
    # is more than Lambda's 250 MiB limit on AWS. LocalStack checks each archive on
    # its own. On AWS, deploy them as IMAGE_FUNCTIONS (`-c training_image=true`).
    "train": FunctionSpec(
        "retrain",
        "train.handler",
        (BASE_LAYER, "onnx", "training"),
        "Retrain task: train a model",
    ),
    "validate": FunctionSpec(
        "retrain",
        "validate.handler",
        (BASE_LAYER, "onnx", "training"),
        "Retrain task: validate against holdout and champion",
    ),
    "request_approval": FunctionSpec(
        "retrain",
        "request_approval.handler",
        (BASE_LAYER,),
        "Retrain task: store the task token and ask an operator",
    ),
    "promote": FunctionSpec(
        "retrain", "promote.handler", (BASE_LAYER,), "Retrain task: promote to Production"
    ),
    "notify": FunctionSpec(
        "retrain", "notify.handler", (BASE_LAYER,), "Retrain task: report the outcome"
    ),
}

# Functions that `-c training_image=true` deploys from one container image, where the
# size limit is 10 GB instead of 250 MiB. The image runs each spec's handler through
# its CMD, and its context is staged in build/images/<TRAINING_IMAGE>.
TRAINING_IMAGE = "training"
IMAGE_FUNCTIONS: tuple[str, ...] = ("train", "validate")
# The optional-dependencies group of pyproject.toml that the image installs.
IMAGE_EXTRA = "train"

# Placeholder in step_functions/retrain.asl.json -> function name.
ASL_SUBSTITUTIONS: dict[str, str] = {
    "TrainFunctionArn": "train",
    "ValidateFunctionArn": "validate",
    "RequestApprovalFunctionArn": "request_approval",
    "PromoteFunctionArn": "promote",
    "NotifyFunctionArn": "notify",
}
