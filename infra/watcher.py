"""The upload watcher: MinIO bucket notifications on ``incoming/`` → ``dossier.uploaded`` events.

A deployment trigger turns each event into an ingest run. The event id is a
uuid5 of bucket, key and etag, so the same object announced twice (MinIO
re-delivering, the watcher reconnecting, two watchers) is one event to
Prefect's triggers, which skip ids they have seen. Keys arrive URL-encoded
(a Chinese file name is %E8%B5%B7…): they are decoded and NFC-normalised like
every key of the store. Logs show masked names only.

MinIO's listen API is meant to flush each event at once, but the pinned MinIO
build wraps the response in a writer without ``Flush`` (its
``trackingResponseWriter``), so events sit in the server's ~4 KB write buffer
until more arrive: a lone upload was never announced. The watcher therefore
subscribes to the whole bucket, including ``s3:ObjectAccessed:Head``, and
HEADs a marker object outside ``incoming/`` a few times every
``flush_interval_s`` seconds; those records fill the buffer, push the real
events out, and are dropped here. With a MinIO that flushes, set the interval
to 0 and nothing else changes.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from minio import Minio

from tasks.intake.rejection import masked_filename
from tasks.intake.upload_ref import seal

log = logging.getLogger("infra.watcher")

EVENT_NAME = "dossier.uploaded"
PREFIX = "incoming/"
# A feed batch is complete when its _READY marker is put (tasks.feeds.store).
FEEDS_EVENT = "dossier.feeds.ready"
FEEDS_PREFIX = "feeds/"
FEEDS_MARKER = "_READY"
# Published judgments to import into the library (issue 13): JSON lines under imports/.
IMPORT_EVENT_NAME = "judgments.uploaded"
IMPORT_PREFIX = "imports/"
SUBSCRIBED_EVENTS = ("s3:ObjectCreated:*", "s3:ObjectAccessed:Head")
HEARTBEAT_KEY = "watcher/heartbeat"
HEARTBEAT_HEADS = 4  # ~1.2 KB of notification each: enough to push out a 4 KB buffer
DEFAULT_FLUSH_INTERVAL_S = 2.0
# Namespace of the event ids (a fixed uuid4, so ids are stable across versions).
EVENT_NAMESPACE = uuid.UUID("6f1d3c52-6b0e-4d8e-9a55-3f6a0f0c9b71")
MAX_BACKOFF_S = 60.0


@dataclass(frozen=True)
class UploadedObject:
    bucket: str
    key: str
    etag: str
    size: int | None = None

    @property
    def event_id(self) -> uuid.UUID:
        return uploaded_event_id(self.bucket, self.key, self.etag)

    @property
    def masked(self) -> str:
        return masked_filename(self.key)


def uploaded_event_id(bucket: str, key: str, etag: str) -> uuid.UUID:
    """Same object, same content → same id; a re-upload with new bytes gets a new etag."""
    return uuid.uuid5(EVENT_NAMESPACE, f"{bucket}\x00{key}\x00{etag.strip(chr(34))}")


def decode_key(raw: str) -> str:
    """S3 notifications form-encode keys: ``+`` is a space, ``%2B`` a plus."""
    return unicodedata.normalize("NFC", urllib.parse.unquote_plus(raw))


def uploaded_objects(notification: dict, prefix: str = PREFIX) -> Iterator[UploadedObject]:
    """The created objects under ``prefix`` in one notification (folder markers skipped)."""
    for record in notification.get("Records") or []:
        if not str(record.get("eventName", "")).startswith("s3:ObjectCreated:"):
            continue
        s3 = record.get("s3") or {}
        bucket = (s3.get("bucket") or {}).get("name", "")
        obj = s3.get("object") or {}
        key = decode_key(obj.get("key", ""))
        if not key.startswith(prefix) or key.endswith("/") or key == prefix:
            continue
        yield UploadedObject(bucket=bucket, key=key, etag=str(obj.get("eTag", "")),
                             size=obj.get("size"))


def ready_feed_batches(notification: dict) -> Iterator[UploadedObject]:
    """``feeds/<batch>/_READY`` markers created in one notification (the CSV files
    themselves start nothing: a batch is imported once, whole)."""
    for obj in uploaded_objects(notification, FEEDS_PREFIX):
        parts = obj.key.split("/")
        if len(parts) == 3 and parts[2] == FEEDS_MARKER and parts[1]:
            yield obj


def emit_feeds_ready(obj: UploadedObject) -> bool:
    """One ``dossier.feeds.ready`` event; the deployment's parameter is the batch prefix."""
    from prefect.events import emit_event

    prefix = obj.key.removesuffix(FEEDS_MARKER)
    event = emit_event(
        event=FEEDS_EVENT,
        resource={
            "prefect.resource.id": f"minio.object.{obj.bucket}/{obj.key}",
            "prefect.resource.name": prefix,
            "dossier.bucket": obj.bucket,
        },
        payload={"key": obj.key, "prefix": prefix, "bucket": obj.bucket, "etag": obj.etag},
        id=obj.event_id,
    )
    return event is not None


def emit_uploaded(obj: UploadedObject, event_name: str = EVENT_NAME) -> bool:
    """One ``dossier.uploaded`` (or ``judgments.uploaded``) event; False when no Prefect
    API is configured.

    A dossier's event names its upload by the sealed reference only (its key may hold
    a person's name, and events are kept and shown in the UI's event feed); the
    deployment's run takes the reference as its ``upload`` parameter. Published
    judgments to import are public: their key is given as it is.
    """
    from prefect.events import emit_event

    if event_name == EVENT_NAME:
        ref = seal(obj.key)
        resource_id, payload = f"dossier.upload.{ref}", {"upload": ref}
    else:
        resource_id, payload = f"minio.object.{obj.bucket}/{obj.key}", {"key": obj.key}
    event = emit_event(
        event=event_name,
        resource={
            "prefect.resource.id": resource_id,
            "prefect.resource.name": obj.masked,
            "dossier.bucket": obj.bucket,
        },
        payload={**payload, "bucket": obj.bucket, "etag": obj.etag, "size": obj.size},
        id=obj.event_id,
    )
    return event is not None


def flush_events(timeout: float = 10.0) -> None:
    """Send what the background events worker still holds (before exiting)."""
    from prefect.events.worker import EventsWorker

    EventsWorker.drain_all(timeout=timeout)


def watch(
    client: Minio,
    bucket: str,
    *,
    prefix: str = PREFIX,
    emit: Callable[[UploadedObject], bool] = emit_uploaded,
    emit_batch: Callable[[UploadedObject], bool] = emit_feeds_ready,
    stop: threading.Event | None = None,
    listen: Callable[[], Iterable[dict]] | None = None,
    flush_interval_s: float = DEFAULT_FLUSH_INTERVAL_S,
    import_prefix: str = IMPORT_PREFIX,
    emit_import: Callable[[UploadedObject], bool] | None = None,
) -> None:
    """Listen until ``stop`` is set; reconnect with exponential backoff on any error.

    ``listen`` opens the notification stream (default: MinIO's
    ``listen_bucket_notification`` on the bucket; records outside ``prefix``
    are dropped here, except feed batch markers, ``feeds/<batch>/_READY``,
    which ``emit_batch`` announces, and JSON lines under ``import_prefix``, which
    ``emit_import`` announces).
    """
    stop = stop or threading.Event()
    if emit_import is None:
        def emit_import(obj: UploadedObject) -> bool:
            return emit_uploaded(obj, IMPORT_EVENT_NAME)
    listen = listen or (lambda: client.listen_bucket_notification(
        bucket, events=SUBSCRIBED_EVENTS))
    if flush_interval_s > 0:
        threading.Thread(target=_heartbeat, args=(client, bucket, stop, flush_interval_s),
                         name="watcher-heartbeat", daemon=True).start()
    backoff = 1.0
    while not stop.is_set():
        try:
            log.info("watching %s/%s for uploads", bucket, prefix)
            stream = listen()
            try:
                for notification in stream:
                    backoff = 1.0  # the connection works: start over after the next drop
                    for obj in uploaded_objects(notification or {}, prefix):
                        sent = emit(obj)
                        log.info("upload %s (etag %s): %s %s", obj.masked, obj.etag[:12],
                                 EVENT_NAME if sent else "NOT sent (no PREFECT_API_URL)",
                                 obj.event_id)
                    for obj in ready_feed_batches(notification or {}):
                        sent = emit_batch(obj)
                        log.info("feed batch %s ready: %s %s", obj.key, FEEDS_EVENT
                                 if sent else "NOT sent (no PREFECT_API_URL)", obj.event_id)
                    for obj in uploaded_objects(notification or {}, import_prefix):
                        sent = emit_import(obj)
                        log.info("import %s (etag %s): %s %s", obj.masked, obj.etag[:12],
                                 IMPORT_EVENT_NAME if sent else "NOT sent (no PREFECT_API_URL)",
                                 obj.event_id)
                    if stop.is_set():
                        break
            finally:
                _close(stream)
            if not stop.is_set():
                log.warning("notification stream ended; reconnecting")
        except Exception as error:  # network, MinIO restart, auth: all retried the same way
            log.warning("notification stream failed (%s: %s); retrying in %.0f s",
                        type(error).__name__, str(error)[:200], backoff)
            stop.wait(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)


def _heartbeat(client: Minio, bucket: str, stop: threading.Event, interval_s: float) -> None:
    """HEAD a marker object so the server's notification buffer is pushed out (see above)."""
    import io

    while not stop.is_set():
        try:
            try:
                client.stat_object(bucket, HEARTBEAT_KEY)
            except Exception:
                client.put_object(bucket, HEARTBEAT_KEY, io.BytesIO(b"1"), 1)
            for _ in range(HEARTBEAT_HEADS - 1):
                client.stat_object(bucket, HEARTBEAT_KEY)
        except Exception as error:  # MinIO away: the listener's backoff reports it
            log.debug("heartbeat failed: %s", error)
        stop.wait(interval_s)


def _close(stream: Iterable[dict]) -> None:
    """Close the stream (MinIO's EventIterable holds an HTTP response) however the loop ended."""
    for name in ("close", "_close_response"):
        close = getattr(stream, name, None)
        if close is not None:
            try:
                close()
            except Exception:  # closing a broken connection may fail again
                log.debug("closing the notification stream failed", exc_info=True)
            return
