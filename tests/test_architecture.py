"""Domain logic never imports Prefect: only flows and the orchestration layer do."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = ("flows/", "tasks/orchestration/", "infra/", "tests/", "benchmarks/")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_domain_modules_do_not_import_prefect() -> None:
    offenders = []
    for package in ("dossier", "tasks", "schemas", "flows", "infra"):
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith(ALLOWED):
                continue
            if {"prefect", "prefect_dask"} & _imports(path):
                offenders.append(rel)
    assert offenders == [], f"Prefect imported by domain modules: {offenders}"


def test_the_check_sees_a_prefect_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from prefect import task\n", encoding="utf-8")
    assert "prefect" in _imports(probe)
