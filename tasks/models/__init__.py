"""Model artifacts: learned models built by a command, shipped in the package, loaded at
run time. A run never trains.

A model is registered in ``BUILDERS`` by the module that builds it; that module has
``MODEL_NAME``, ``MODEL_VERSION``, ``inputs()`` (fingerprints of the training data and
code, computed from the repository) and ``build()`` (the artifact's parameters, fitted
from those inputs). ``dossier models build`` writes
``tasks/models/artifacts/<name>.json.xz``; ``load_artifact`` reads it.

Why JSON rather than a pickle: a pickled scikit-learn estimator loads only under the
version that pickled it and hides what it holds. The artifacts hold the learned numbers
(vocabulary, idf, weights) rounded to a fixed precision, with the input fingerprints and
the library versions that built them; the bytes are deterministic (sorted keys, xz
without timestamps), so two builds from the same inputs on the same kind of machine
give the same file, and a test rebuilds it and compares (``tests/nlp/test_models.py``).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import lzma
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = [
    "ARTIFACT_DIR",
    "BUILDERS",
    "ModelArtifact",
    "artifact_bytes",
    "artifact_path",
    "build_artifact",
    "builder",
    "load_artifact",
    "model_version",
    "model_versions",
    "read_artifact",
    "stale_reasons",
    "write_artifact",
]

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
# name → module that builds it (imported only to build or check: it may need scikit-learn).
BUILDERS: dict[str, str] = {
    "doc_classifier": "tasks.nlp.doc_classifier_build",
}
FORMAT = "1"


@dataclass(frozen=True)
class ModelArtifact:
    name: str
    model_version: str
    inputs: dict[str, str]
    built_with: dict[str, str]
    parameters: dict[str, Any]
    sha256: str

    @property
    def version(self) -> str:
        """What a manifest records: the model version and the artifact's content hash."""
        return f"{self.model_version}+{self.sha256[:12]}"


def artifact_path(name: str) -> Path:
    return ARTIFACT_DIR / f"{name}.json.xz"


def builder(name: str) -> ModuleType:
    if name not in BUILDERS:
        raise KeyError(f"no model named {name!r}; known: {', '.join(sorted(BUILDERS))}")
    return importlib.import_module(BUILDERS[name])


def artifact_bytes(
    name: str,
    model_version: str,
    inputs: dict[str, str],
    built_with: dict[str, str],
    parameters: dict[str, Any],
) -> bytes:
    """The artifact file's exact bytes: canonical JSON, xz at a fixed preset."""
    document = {
        "format": FORMAT,
        "name": name,
        "model_version": model_version,
        "inputs": inputs,
        "built_with": built_with,
        "parameters": parameters,
    }
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return lzma.compress(text.encode("utf-8"), preset=9)


def write_artifact(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def read_artifact(path: Path) -> ModelArtifact:
    data = path.read_bytes()
    document = json.loads(lzma.decompress(data))
    if document.get("format") != FORMAT:
        raise ValueError(f"{path.name}: artifact format {document.get('format')}, want {FORMAT}")
    return ModelArtifact(
        name=document["name"],
        model_version=document["model_version"],
        inputs=document["inputs"],
        built_with=document["built_with"],
        parameters=document["parameters"],
        sha256=hashlib.sha256(data).hexdigest(),
    )


def load_artifact(name: str) -> ModelArtifact:
    """The artifact shipped in the package; a missing one is an installation error, not
    a reason to train."""
    path = artifact_path(name)
    if not path.exists():
        raise FileNotFoundError(f"model artifact {path} is missing: run `dossier models build`")
    return read_artifact(path)


def model_version(name: str) -> str:
    """``<model version>+<artifact sha256[:12]>`` of the shipped model ``name``."""
    try:
        return model_versions()[name]
    except KeyError:
        raise FileNotFoundError(
            f"no artifact for model {name!r}: run `dossier models build`"
        ) from None


@lru_cache(maxsize=1)
def model_versions() -> dict[str, str]:
    """Name → ``<model version>+<artifact sha256[:12]>`` of every shipped model: what a
    stage's code version includes, so a new model re-runs the stages that use it."""
    out = {}
    for name in sorted(BUILDERS):
        path = artifact_path(name)
        if path.exists():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            with lzma.open(path, "rt", encoding="utf-8") as handle:
                version = json.loads(handle.read())["model_version"]
            out[name] = f"{version}+{digest[:12]}"
    return out


def build_artifact(name: str) -> bytes:
    """Fit model ``name`` from the repository's data: the artifact's bytes (not written)."""
    module = builder(name)
    inputs, parameters = module.build()
    return artifact_bytes(name, module.MODEL_VERSION, inputs, module.built_with(), parameters)


def stale_reasons(name: str) -> list[str]:
    """Why the shipped artifact of ``name`` no longer matches its training data and code
    (empty when it does)."""
    path = artifact_path(name)
    if not path.exists():
        return [f"{path} is missing"]
    module = builder(name)
    shipped = read_artifact(path)
    reasons = []
    if shipped.model_version != module.MODEL_VERSION:
        reasons.append(f"model version {shipped.model_version} != {module.MODEL_VERSION}")
    current = module.inputs()
    for key, value in sorted(current.items()):
        if shipped.inputs.get(key) != value:
            reasons.append(f"{key} changed")
    return reasons
