"""sweep-incoming: the safety net behind the upload watcher (补漏).

Every few minutes, list ``incoming/`` and start ingest for each upload that is
neither done nor in flight. Done is decided on the upload's bytes, not its
name: the sha-derived dossier id has a finished manifest (a run went through
the whole chain), or this upload (its name, size and bytes) has a quarantine
record. An upload over the size limit is never read whole: it is known by its
upload id (name, size and first bytes). In flight means an ingest run for the
upload's key is scheduled, pending, running or paused. A run started twice
anyway (the watcher's event and the sweep racing) is harmless: the second sees
a duplicate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.deployments import run_deployment

from dossier.settings import Settings, get_settings
from dossier.store import get_store
from dossier.store.base import CHUNK, ObjectInfo, ObjectStore
from dossier.store.keys import quarantine_reason_key
from tasks.intake.quarantine import KEEP_HEAD_BYTES, head_fingerprint, upload_id_for
from tasks.intake.rejection import masked_filename
from tasks.intake.retrieve import (
    INCOMING,
    dossier_id_for,
    read_manifest,
    upload_name,
)
from tasks.intake.source import read_head
from tasks.intake.upload_ref import run_upload, seal
from tasks.orchestration.runtime import run_name_for

IN_FLIGHT = [StateType.SCHEDULED, StateType.PENDING, StateType.RUNNING, StateType.PAUSED]


@dataclass(frozen=True)
class UploadState:
    key: str
    dossier_id: str
    done: bool


def sha256_of(store: ObjectStore, info: ObjectInfo) -> str:
    """The sha256 the store recorded at put; hashed from the bytes when another client put it."""
    if info.sha256:
        return info.sha256
    digest = hashlib.sha256()
    with store.open(info.key) as stream:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def upload_state(
    store: ObjectStore, info: ObjectInfo, settings: Settings | None = None
) -> UploadState:
    """Done when the dossier's manifest is finished or this upload was quarantined as it is.

    A dossier stopped early or whose run failed is not done: the sweep starts a run, which
    continues from the stages already recorded."""
    settings = settings or get_settings()
    name = upload_name(info.key)
    if info.size > settings.max_upload_bytes:  # refused unread: known by its first bytes
        head = read_head(store, info.key, KEEP_HEAD_BYTES)
        upload_id = upload_id_for(name, info.size, head_fingerprint(head))
        manifest = read_manifest(store, upload_id)
        return UploadState(info.key, upload_id,
                           manifest is not None and manifest.is_finished)
    sha256 = sha256_of(store, info)
    dossier_id = dossier_id_for(sha256)
    manifest = read_manifest(store, dossier_id)
    if manifest is not None and manifest.is_finished:
        return UploadState(info.key, dossier_id, True)
    quarantined = store.exists(quarantine_reason_key(upload_id_for(name, info.size, sha256)))
    return UploadState(info.key, dossier_id, quarantined)


def keys_in_flight(ingest_deployment: str | None = None, page: int = 200) -> set[str]:
    """Upload keys of ingest runs not over yet (a triggered run keeps a random name until it
    starts, so runs are matched on their sealed ``upload`` parameter, not their name).

    With a deployment, only its runs count: another bucket's deployment on the same server
    may have an upload of the same name in flight.
    """
    keys: set[str] = set()
    with get_client(sync_client=True) as client:
        deployments = None
        if ingest_deployment:
            deployment = client.read_deployment_by_name(ingest_deployment)
            deployments = DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id]))
        for offset in range(0, 100 * page, page):  # the API returns at most 200 at a time
            runs = client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=["ingest-dossier"])),
                deployment_filter=deployments,
                flow_run_filter=FlowRunFilter(
                    state=FlowRunFilterState(type=FlowRunFilterStateType(any_=IN_FLIGHT)),
                ),
                limit=page, offset=offset,
            )
            keys |= {key for run in runs if (key := run_upload(run.parameters))}
            if len(runs) < page:
                break
    return keys


@flow(name="sweep-incoming", log_prints=False)
def sweep_incoming(ingest_deployment: str | None = None, limit: int = 200) -> dict[str, int]:
    """Start ingest for every pending upload, at most ``limit`` per sweep.

    With ``ingest_deployment`` (``ingest-dossier/<name>``) each upload becomes a
    run of that deployment, so the pool's workers share them; without it the
    uploads are ingested here, one after the other, as subflows.
    """
    logger = get_run_logger()
    store = get_store()
    uploads = [info for info in store.list(INCOMING) if not info.key.endswith("/")]
    pending = [state for info in uploads if not (state := upload_state(store, info)).done]
    busy = keys_in_flight(ingest_deployment) if pending else set()
    counts = {"uploads": len(uploads), "done": len(uploads) - len(pending), "in_flight": 0,
              "started": 0, "failed": 0}
    rows = []
    for state in pending:
        masked = masked_filename(upload_name(state.key))
        if state.key in busy:
            counts["in_flight"] += 1
            continue
        if counts["started"] >= limit:
            break
        ref = seal(state.key)  # the run shows no file name (tasks.intake.upload_ref)
        if ingest_deployment:
            run = run_deployment(ingest_deployment, parameters={"upload": ref}, timeout=0,
                                 flow_run_name=run_name_for(ref))
            outcome = f"submitted {run.name}"
        else:
            # imported here: a sweep that hands uploads to the deployment (every
            # deployed one) need not import the ingest chain and its libraries
            from flows.ingest_dossier import ingest_dossier

            result = ingest_dossier(upload=ref, return_state=True)
            outcome = result.name
            if not result.is_completed():
                counts["failed"] += 1
        counts["started"] += 1
        logger.info("upload %s (dossier %s): %s", masked, state.dossier_id, outcome)
        rows.append({"upload": masked, "dossier": state.dossier_id, "run": outcome})
    logger.info("sweep: %s", counts)
    create_markdown_artifact(markdown=sweep_markdown(counts, rows), key="sweep-incoming",
                             description="What the sweep found and started")
    return counts


def sweep_markdown(counts: dict[str, int], rows: list[dict[str, str]]) -> str:
    """One line of counts (operators and the end-to-end test read it) and the started uploads."""
    lines = ["# sweep-incoming", "",
             f"uploads {counts['uploads']} · done {counts['done']} · in flight "
             f"{counts['in_flight']} · started {counts['started']} · failed {counts['failed']}"]
    if rows:
        lines += ["", "| upload | dossier | run |", "|---|---|---|"]
        lines += [f"| {r['upload']} | {r['dossier']} | {r['run']} |" for r in rows]
    return "\n".join(lines) + "\n"
