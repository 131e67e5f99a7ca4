"""Least privilege (最小权限): a MinIO user per component, a database role for flows.

MinIO, per bucket (made by ``dossier services up``):

* ``pipeline`` — the worker's flow runs (and ``dossier process``): reads and
  writes the stage prefixes, but may never delete anything under
  ``originals/``, bypass or shorten a retention, or administer the bucket;
* ``watcher`` — the upload watcher: listens to the bucket's notifications,
  reads ``incoming/`` only, and writes nothing but its heartbeat marker;
* the root user stays with ``dossier services`` (buckets, users, policies).

The bucket is made with object locking, and every original is put with a
GOVERNANCE retention of ``originals_retention_days``: an overwrite only adds a
version, the original's version stays readable and undeletable (not even root
deletes it without bypassing governance, which no component may). Noncurrent
versions of everything else expire after :data:`NONCURRENT_DAYS`.

PostgreSQL: the flows connect as ``dossier_app`` (``DOSSIER_APP_DATABASE_URL``):
reading and writing rows, no DDL. Migrations run as the owner role ``dossier``
(``DOSSIER_DATABASE_URL``) before the worker starts; default privileges give
``dossier_app`` the rows of every table the owner creates later.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from infra.services_env import (
    APP_DATABASE_URL,
    APP_DB_ROLE,
    DATABASE_URL,
    MINIO_ACCESS_KEY,
    MINIO_SECRET_KEY,
    PIPELINE_MINIO_ACCESS_KEY,
    PIPELINE_MINIO_SECRET_KEY,
    TEST_DATABASE_URL,
    WATCHER_MINIO_ACCESS_KEY,
    WATCHER_MINIO_SECRET_KEY,
)

log = logging.getLogger("infra.services")

APP_ROLE = APP_DB_ROLE
NONCURRENT_DAYS = 7
COMPONENT_KEYS = {  # component -> its MinIO credentials in services.env
    "pipeline": (PIPELINE_MINIO_ACCESS_KEY, PIPELINE_MINIO_SECRET_KEY),
    "watcher": (WATCHER_MINIO_ACCESS_KEY, WATCHER_MINIO_SECRET_KEY),
}


def _bucket(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def pipeline_policy(bucket: str) -> dict[str, Any]:
    objects = _bucket(bucket) + "/*"
    originals = _bucket(bucket) + "/originals/*"
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Resource": [_bucket(bucket)],
         "Action": ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads",
                    "s3:GetBucketObjectLockConfiguration"]},
        {"Effect": "Allow", "Resource": [objects],
         "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                    "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
                    "s3:PutObjectRetention", "s3:GetObjectRetention"]},
        {"Effect": "Deny", "Resource": [originals],
         "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention",
                    "s3:PutObjectLegalHold"]},
    ]}


def watcher_policy(bucket: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Resource": [_bucket(bucket)],
         "Action": ["s3:ListenBucketNotification", "s3:GetBucketLocation"]},
        # Listing only under incoming/: the names under originals/ may name people.
        {"Effect": "Allow", "Resource": [_bucket(bucket)], "Action": ["s3:ListBucket"],
         "Condition": {"StringLike": {"s3:prefix": ["incoming/*"]}}},
        {"Effect": "Allow", "Action": ["s3:GetObject"],
         "Resource": [_bucket(bucket) + "/incoming/*", _bucket(bucket) + "/watcher/heartbeat"]},
        {"Effect": "Allow", "Action": ["s3:PutObject"],
         "Resource": [_bucket(bucket) + "/watcher/heartbeat"]},
    ]}


POLICIES = {"pipeline": pipeline_policy, "watcher": watcher_policy}


def make_locked_bucket(client: Any, bucket: str) -> None:
    """A bucket with object locking (and so versioning), noncurrent versions expiring."""
    from minio.commonconfig import ENABLED, Filter
    from minio.lifecycleconfig import LifecycleConfig, NoncurrentVersionExpiration, Rule

    client.make_bucket(bucket, object_lock=True)
    client.set_bucket_lifecycle(bucket, LifecycleConfig([Rule(
        ENABLED, rule_filter=Filter(prefix=""), rule_id="noncurrent-versions",
        noncurrent_version_expiration=NoncurrentVersionExpiration(NONCURRENT_DAYS))]))


def provision_minio(endpoint: str, env: dict[str, str], bucket: str) -> None:
    """Each component's user with its policy on ``bucket``, made with the root user.

    Idempotent: a user that exists gets its policy again (and the password from
    services.env, which is the one in force).
    """
    from minio import MinioAdmin
    from minio.credentials import StaticProvider

    admin = MinioAdmin(endpoint=endpoint, secure=False,
                       credentials=StaticProvider(env[MINIO_ACCESS_KEY], env[MINIO_SECRET_KEY]))
    for component, (access_name, secret_name) in COMPONENT_KEYS.items():
        if not env.get(access_name):
            continue
        policy = f"dossier-{component}-{bucket}"
        admin.policy_add(policy, policy=POLICIES[component](bucket))
        admin.user_add(env[access_name], env[secret_name])
        admin.policy_set(policy, user=env[access_name])
        log.info("minio: user for %s with policy %s", component, policy)


def missing_users(endpoint: str, env: dict[str, str], bucket: str) -> list[str]:
    """Components whose credentials services.env names but MinIO does not accept."""
    from minio import Minio

    missing = []
    for component, (access_name, secret_name) in COMPONENT_KEYS.items():
        if not env.get(access_name):
            continue
        client = Minio(endpoint, access_key=env[access_name], secret_key=env[secret_name],
                       secure=False)
        try:  # every component's policy lets it list incoming/
            next(iter(client.list_objects(bucket, prefix="incoming/")), None)
        except Exception:  # InvalidAccessKeyId, SignatureDoesNotMatch, AccessDenied
            missing.append(component)
    return missing


def provision_app_role(admin: Any, password: str, databases: tuple[str, ...]) -> None:
    """``dossier_app`` (rows, no DDL) on every database, over a superuser connection."""
    from psycopg import sql

    role = sql.Identifier(APP_ROLE)
    exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,))
    statement = "ALTER ROLE {} LOGIN PASSWORD {}" if exists.fetchone() else (
        "CREATE ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOCREATEDB NOCREATEROLE")
    admin.execute(sql.SQL(statement).format(role, sql.Literal(password)))
    for database in databases:
        admin.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            sql.Identifier(database), role))


def grant_app_rows(connection: Any, owner: str) -> None:
    """In one database: ``dossier_app`` may use the schemas and the rows of every table
    ``owner`` made or will make, and create nothing (PUBLIC loses CREATE on public)."""
    from psycopg import sql

    role, owner_id = sql.Identifier(APP_ROLE), sql.Identifier(owner)
    connection.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    schemas = [row[0] for row in connection.execute(
        "SELECT nspname FROM pg_namespace WHERE nspowner = (SELECT oid FROM pg_roles "
        "WHERE rolname = %s) OR nspname = 'public'", (owner,))]
    for schema in schemas:
        name = sql.Identifier(schema)
        connection.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(name, role))
        connection.execute(sql.SQL(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
            name, role))
        connection.execute(sql.SQL(
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(name, role))
    for kind, rights in (("TABLES", "SELECT, INSERT, UPDATE, DELETE"),
                         ("SEQUENCES", "USAGE, SELECT"), ("SCHEMAS", "USAGE")):
        connection.execute(sql.SQL(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {{}} GRANT {rights} ON {kind} TO {{}}").format(
            owner_id, role))


def migrate_as_owner(env: dict[str, str]) -> None:
    """Bring the library to the current revision as the owner role, when the flows run
    as ``dossier_app`` (which cannot): flows then only find it migrated."""
    if env.get(APP_DATABASE_URL) and env.get(DATABASE_URL):
        from dossier import db

        db.upgrade(env[DATABASE_URL])
        log.info("postgres: library migrated as %s", db.masked_url(env[DATABASE_URL]))


def component_env(env: dict[str, str], component: str) -> dict[str, str]:
    """services.env as one component sees it: its own MinIO user and, for the pipeline,
    the flows' database role. Without component credentials (an older file, a test's
    own stack), the values given are used as they are."""
    view = dict(env)
    access_name, secret_name = COMPONENT_KEYS[component]
    if env.get(access_name) and env.get(secret_name):
        view[MINIO_ACCESS_KEY], view[MINIO_SECRET_KEY] = env[access_name], env[secret_name]
    if component == "pipeline" and env.get(APP_DATABASE_URL):
        view[DATABASE_URL] = env[APP_DATABASE_URL]
    if component == "watcher":  # it announces uploads: no database at all
        view.pop(DATABASE_URL, None)
    for name in (*COMPONENT_KEYS["pipeline"], *COMPONENT_KEYS["watcher"], APP_DATABASE_URL,
                 TEST_DATABASE_URL):
        view.pop(name, None)  # a component never holds another's credentials
    return view


def policy_json(component: str, bucket: str) -> str:
    """The policy document, for docs and operators (``json.dumps``, indented)."""
    return json.dumps(POLICIES[component](bucket), indent=1)
