"""An upload under imports/ is announced as ``judgments.uploaded`` (the import-judgments
deployment's trigger); dossier uploads keep their own event; prefect.yaml wires both."""

from __future__ import annotations

import threading
from pathlib import Path

import yaml

from infra.watcher import IMPORT_EVENT_NAME, UploadedObject, watch

ROOT = Path(__file__).resolve().parents[2]


def _record(key: str) -> dict:
    return {"eventName": "s3:ObjectCreated:Put",
            "s3": {"bucket": {"name": "b"}, "object": {"key": key, "eTag": "e", "size": 3}}}


def test_imports_and_dossiers_get_their_own_events() -> None:
    stop = threading.Event()
    dossiers: list[UploadedObject] = []
    imports: list[UploadedObject] = []

    def listen():
        yield {"Records": [_record("incoming/a.pdf"), _record("imports/%E5%88%A4%E5%86%B3.jsonl"),
                           _record("imports/")]}
        stop.set()

    watch(None, "b", emit=lambda o: dossiers.append(o) or True,  # type: ignore[arg-type]
          emit_import=lambda o: imports.append(o) or True, stop=stop, listen=listen,
          flush_interval_s=0)
    assert [o.key for o in dossiers] == ["incoming/a.pdf"]
    assert [o.key for o in imports] == ["imports/判决.jsonl"]


def test_the_import_deployment_is_triggered_by_the_event() -> None:
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    (deployment,) = [d for d in config["deployments"]
                     if d["entrypoint"] == "flows/import_judgments.py:import_judgments"]
    (trigger,) = deployment["triggers"]
    assert trigger["expect"] == [IMPORT_EVENT_NAME]
    assert trigger["parameters"] == {"key": "{{ event.payload.key }}"}
