"""Runtime settings, read from ``DOSSIER_*`` environment variables and ``.env``.

With nothing set, everything lands under ``data/`` in the working tree: a SQLite
file, a local-directory object store and Prefect's ephemeral API. That is the
embedded default; pointing the pipeline at MinIO and PostgreSQL is a matter of
setting ``DOSSIER_MINIO_ENDPOINT`` and ``DOSSIER_DATABASE_URL``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# What a dossier's run holds while its pages are read (benchmarks/memory_bench.py on a
# 300-page scan, PSS): the flow process ~210 MiB, and each page worker up to ~430 MiB
# with rapidocr (the 300-dpi page, its copies and the text detector's activations) or
# ~310 MiB with tesseract (its CLI child included). Prefect's API server (~250 MiB) is
# not in the budget: a deployed stack shares one; `dossier process` starts one per batch.
FLOW_MIB = 210
PAGE_WORKER_MIB = {"rapidocr": 430, "tesseract": 310}


def default_page_workers(cores: int, memory_budget_mib: int, engine: str) -> int:
    """One page worker per core, as long as the budget holds them (at least one).

    On 2 cores, one rapidocr worker with both cores' threads reads ~20% fewer pages/s
    than two workers (measured) and takes ~430 MiB less: the budget decides.
    """
    fits = (memory_budget_mib - FLOW_MIB) // PAGE_WORKER_MIB[engine]
    return max(1, min(cores, fits))


def _default_data_dir() -> Path:
    """The ignored ``data/`` folder of the checkout; the working directory otherwise."""
    if (PROJECT_ROOT / "pyproject.toml").exists():
        return PROJECT_ROOT / "data"
    return Path.cwd() / "data"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DOSSIER_",
        env_file=os.environ.get("DOSSIER_ENV_FILE", ".env"),
        env_file_encoding="utf-8",
        extra="ignore",
    )

    environment: str = Field("dev", description="Names the bucket: dossiers-<environment>.")
    data_dir: Path = Field(default_factory=_default_data_dir)
    cache_dir: Path = Field(
        default_factory=lambda: Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        / "dossier",
        description="Where built service binaries (MinIO) are kept across checkouts.",
    )

    # Database
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: SQLite file under data_dir."
    )

    # Object store
    store_dir: Path | None = Field(None, description="Local store root; default data_dir/store.")
    minio_endpoint: str | None = Field(None, description="host:port; when set, MinIO is used.")
    minio_access_key: str | None = None
    minio_secret_key: SecretStr | None = None
    minio_secure: bool = False
    bucket: str | None = Field(None, description="Default: dossiers-<environment>.")
    originals_retention_days: int = Field(
        3650, ge=1,
        description="In a bucket with object locking (dossier services up makes one), each "
        "original is kept under GOVERNANCE retention this long: no component can delete it "
        "or destroy its bytes by an overwrite (see infra/access.py).",
    )

    # Personal data (dossier/privacy.py)
    id_hash_key: SecretStr | None = Field(
        None,
        description="HMAC key of ID numbers at rest (hash_id_number). Unset: a random key "
        "made once in data_dir/id_hash.key. Changing it changes every stored hash: see "
        "docs/OPERATIONS.md, Rotating the ID-number key.",
    )

    # Intake limits (safe defaults; a dossier beyond them is quarantined)
    max_upload_bytes: int = 2 * 1024**3
    max_pages: int = 2000
    max_page_pixels: int = 120_000_000
    max_zip_members: int = 5000
    max_zip_ratio: float = 200.0
    max_zip_total_bytes: int = 8 * 1024**3
    render_dpi: int = 300

    # OCR
    ocr_engine: Literal["rapidocr", "tesseract"] = "rapidocr"
    ocr_page_timeout_s: float = 300.0
    dossier_timeout_s: float = Field(
        4 * 3600.0,
        gt=0,
        description="Time one dossier's pages may take in all, from the start of its run: "
        "a page not read by then is failed at once (the dossier goes to review), so no "
        "upload holds a worker for good however its pages are built.",
    )
    memory_budget_mib: int = Field(
        1024,
        ge=256,
        description="Memory one dossier's run may take (its flow process and page "
        "workers); it caps the default number of page workers.",
    )
    ocr_concurrency: int = Field(
        0,
        ge=0,
        description="Page worker processes (pages read at once). 0: one per core, as many "
        "as memory_budget_mib holds for the engine (default_page_workers).",
    )
    ocr_engine_threads: int | None = Field(
        None,
        ge=1,
        description="Threads one page's OCR may use. Default: cores // ocr_concurrency, so "
        "the page workers together fill the cores without oversubscribing them.",
    )

    # Where the ingest flow's page tasks run (the OCR stage); see docs/OPERATIONS.md.
    task_runner: Literal["threads", "dask"] = Field(
        "threads",
        description="threads: in the flow run's process. dask: on a Dask cluster, the one at "
        "dask_address or else a LocalCluster of ocr_concurrency worker processes.",
    )
    dask_address: str | None = Field(
        None, description="Scheduler of an existing Dask cluster, e.g. tcp://host:8786."
    )
    work_copy_ttl_s: float = Field(
        6 * 3600.0,
        gt=0,
        description="A local working copy of an original (data_dir/work) unused this long is "
        "removed when the machine next makes one: a Dask worker's copies of dossiers "
        "it no longer reads.",
    )

    # Supervision models (issue 11)
    supervision_thresholds: dict[str, float] = Field(
        default_factory=dict,
        description="Offence → amount (yuan) from which it is a crime, over the statutory "
        "table (tasks/supervision/data/thresholds.csv), e.g. a province's standard: "
        '\'{"盗窃": 2000}\'.',
    )

    # Prosecutorial recommendations (issue 12): the issuing procuratorate, its number parts
    # (<简称>检<部门>建〔YYYY〕N号), the recipients named by kind, and the delivery target.
    procuratorate_name: str = Field(
        "示范市示范区人民检察院", description="The issuing procuratorate's full name."
    )
    procuratorate_abbr: str = Field(
        "示范", description="Its 简称 in document numbers, e.g. 京朝 for 北京市朝阳区人民检察院."
    )
    procuratorate_department: str = Field(
        "刑执", description="The issuing 部门 in document numbers, e.g. 刑执, 一部, 行."
    )
    recommendation_recipients: dict[str, str] = Field(
        default_factory=dict,
        description="Recipient kind → agency name, over the defaults (the procuratorate's "
        'place + 公安局, 人民法院 …), e.g. \'{"police": "示范市公安局示范分局"}\'. A lead '
        "that names its agency is addressed to that agency.",
    )
    recommendation_target_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the case-management database that receives issued "
        "recommendations (table incoming_recommendations); unset: nothing is delivered.",
    )

    # Case management (issue 16): who handles a case, and what the analysis report shows.
    case_department: str = Field(
        "刑事检察部", description="The handling department (承办部门) that receives the deadline "
        "notices of a case whose charge case_departments does not name."
    )
    case_departments: dict[str, str] = Field(
        default_factory=dict,
        description="Charge → handling department, e.g. "
        '\'{"盗窃罪": "第一检察部", "诈骗罪": "第二检察部"}\'.',
    )
    report_workload: bool = Field(
        False, description="The analysis report also shows each reviewing prosecutor's lead "
        "decisions (counts and days to decide). Off: no person is named in the report."
    )

    def page_workers(self, engine: str | None = None) -> int:
        """Page worker processes for pages read with ``engine`` (default: ocr_engine)."""
        if self.ocr_concurrency:
            return self.ocr_concurrency
        return default_page_workers(os.cpu_count() or 1, self.memory_budget_mib,
                                    engine or self.ocr_engine)

    def threads_per_page(self, engine: str | None = None) -> int:
        """Threads of one page's OCR: the cores shared among the page workers."""
        if self.ocr_engine_threads is not None:
            return self.ocr_engine_threads
        return max(1, (os.cpu_count() or 1) // self.page_workers(engine))

    @model_validator(mode="after")
    def _resolve_defaults(self) -> Settings:
        self.data_dir = self.data_dir.expanduser().resolve()
        if self.store_dir is None:
            self.store_dir = self.data_dir / "store"
        if self.database_url is None:
            self.database_url = f"sqlite:///{self.data_dir / 'dossier.sqlite3'}"
        if self.bucket is None:
            self.bucket = f"dossiers-{self.environment}"
        return self

    @property
    def uses_minio(self) -> bool:
        return bool(self.minio_endpoint)

    @property
    def services_dir(self) -> Path:
        """Logs, data and pid files of the local development services."""
        return self.data_dir / "services"

    @property
    def services_env_file(self) -> Path:
        """Credentials and URLs of the local services, written once by ``services up``."""
        return self.data_dir / "services.env"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget cached settings (tests and ``--env-file`` change the environment)."""
    get_settings.cache_clear()
