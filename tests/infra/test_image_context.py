"""Build context of the training image: exact pins, staged files, Dockerfile sources."""

from __future__ import annotations

import shlex

import pytest

from infra.catalog import FUNCTIONS, IMAGE_FUNCTIONS
from infra.image_context import ImageContextError, assemble_image_context, image_requirements

from .conftest import REPO_ROOT


def _pyproject(tmp_path, dependencies: str, train: str):
    path = tmp_path / "pyproject.toml"
    path.write_text(
        f'[project]\nname = "x"\ndependencies = [{dependencies}]\n'
        f"[project.optional-dependencies]\ntrain = [{train}]\n"
    )
    return path


def test_requirements_are_deps_and_train(tmp_path):
    path = _pyproject(tmp_path, '"numpy==2.5.5", "boto3==1.44.8"', '"scikit-learn==1.9.1"')
    assert image_requirements(path) == ["numpy==2.5.5", "boto3==1.44.8", "scikit-learn==1.9.1"]


def test_loose_pin_rejected(tmp_path):
    path = _pyproject(tmp_path, '"numpy>=2"', '"pandas==3.1.1"')
    with pytest.raises(ImageContextError, match=r"exact `name==version` pins, got \['numpy>=2'\]"):
        image_requirements(path)


def test_missing_group_rejected(tmp_path):
    path = _pyproject(tmp_path, '"numpy==2.5.5"', "")
    with pytest.raises(ImageContextError, match="no optional-dependencies group 'gpu'"):
        image_requirements(path, extra="gpu")


def test_project_pins_are_exact():
    requirements = image_requirements(REPO_ROOT / "pyproject.toml")
    names = {requirement.split("==")[0] for requirement in requirements}
    assert {"onnxruntime", "scikit-learn", "pandas", "scipy", "skl2onnx"} <= names


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    build_dir = tmp_path_factory.mktemp("build")
    return assemble_image_context(build_dir, REPO_ROOT, ["python-dateutil==2.9.0.post0"])


def test_context_layout(context):
    assert context.name == "training"
    assert sorted(path.name for path in context.iterdir()) == [
        "Dockerfile",
        "constraints.txt",
        "handlers",
        "project",
        "requirements.txt",
    ]
    assert (context / "constraints.txt").read_text() == "python-dateutil==2.9.0.post0\n"
    assert (context / "project" / "pyproject.toml").is_file()
    assert (context / "project" / "churnops" / "schemas" / "telco.toml").is_file()
    assert not list(context.rglob("__pycache__"))


@pytest.mark.parametrize("name", IMAGE_FUNCTIONS)
def test_context_has_handler(context, name):
    module = FUNCTIONS[name].handler.rsplit(".", 1)[0]
    assert (context / "handlers" / f"{module}.py").is_file()


def test_dockerfile_sources_exist(context):
    lines = (context / "Dockerfile").read_text().splitlines()
    copies = [shlex.split(line)[1:-1] for line in lines if line.startswith("COPY ")]
    assert copies
    for sources in copies:
        for source in sources:
            assert (context / source).exists(), f"COPY source {source} not in the context"


def test_dockerfile_uses_lambda_base(context):
    text = (context / "Dockerfile").read_text()
    assert "FROM public.ecr.aws/lambda/python:3.12\n" in text
    assert "--requirement /tmp/churnops/requirements.txt" in text
    assert '"/tmp/churnops/project[train]"' in text
