"""Every deployment of prefect.yaml is one that ``DeployTarget.deployments`` lists (and so
one that ``remove`` deletes), and the other way round: ``<flow name>/<deployment name>``,
the flow's name read from its ``@flow(name=...)`` without importing the flow."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

from infra.deployments import DeployTarget

ROOT = Path(__file__).resolve().parents[2]
SUFFIX = "{{ $DOSSIER_DEPLOY_SUFFIX }}"


def flow_name(entrypoint: str) -> str:
    path, function = entrypoint.split(":")
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    (node,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function]
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return function.replace("_", "-")


def test_prefect_yaml_and_the_deploy_target_list_the_same_deployments() -> None:
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    in_yaml = []
    for deployment in config["deployments"]:
        assert deployment["name"].endswith(SUFFIX), deployment["name"]
        in_yaml.append(f"{flow_name(deployment['entrypoint'])}/"
                       f"{deployment['name'].removesuffix(SUFFIX)}")
    listed = DeployTarget(api_url="http://x", bucket="b").deployments
    assert sorted(in_yaml) == sorted(listed)
    assert len(set(listed)) == len(listed)
    assert DeployTarget(api_url="http://x", bucket="b", suffix="-t").deployments == tuple(
        name + "-t" for name in listed)
