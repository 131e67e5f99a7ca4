"""The ingest flow's OCR stage on a Dask cluster, switched on by configuration alone.

Each run is ``dossier process`` in a child process whose environment differs only
in ``DOSSIER_TASK_RUNNER`` / ``DOSSIER_DASK_ADDRESS`` (and, for the failure case,
the page timeout); all runs report to the session's Prefect test server. The upload
is two scanned pages of a sample dossier (起诉书, 判决书): enough for a real case card,
and one page for each of the cluster's two workers.

- threads (the default) gives the reference outputs;
- a LocalCluster the test starts (processes, 2 workers x 1 thread) and hands over by
  address: Dask's own task stream says on which worker each page task ran, and the
  outputs (case card, pages, text) equal the reference;
- no address, and a page timeout too short for any page: the flow makes its own
  LocalCluster (the runner says so in the run's output), every page comes back
  failed *by the timeout* — so the page pool did start inside the Dask workers,
  which a daemonic worker cannot — and the dossier goes to review, no page lost.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dossier.samples import formats
from dossier.samples.dossier import make_sample_dossier
from dossier.samples.render import render_text_page
from dossier.settings import Settings
from tasks.orchestration.runners import local_cluster_kwargs, page_cluster, page_worker_env

pytestmark = pytest.mark.slow

DOSSIER = Path(sys.executable).with_name("dossier")
SAMPLE_PAGES = (13, 15)  # of make_sample_dossier(1): 起诉书, 判决书
OUTPUTS = ("case.json", "pages.json", "text.txt")


@pytest.fixture(scope="module")
def upload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sample = make_sample_dossier(1, blank_separators=False)
    assert [sample.documents[p - 1].type for p in SAMPLE_PAGES] == ["起诉书", "判决书"]
    images = [render_text_page(sample.sheets[p - 1].body, title=sample.sheets[p - 1].title)
              for p in SAMPLE_PAGES]
    return formats.write_tiff(images, tmp_path_factory.mktemp("upload") / "dask.tif", dpi=300)


def _process(upload: Path, root: Path, **env: str) -> dict:
    """``dossier process`` in a child process with its own data dir; its index line."""
    from prefect.settings import get_current_settings

    out, data_dir = root / "out", root / "data"
    environment = os.environ | {
        "DOSSIER_DATA_DIR": str(data_dir),
        "DOSSIER_OCR_CONCURRENCY": "2",
        "DOSSIER_OCR_ENGINE": "rapidocr",
        "PREFECT_API_URL": str(get_current_settings().api.url),
    } | env
    result = subprocess.run([str(DOSSIER), "process", str(upload), "--out", str(out)],
                            env=environment, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    line = json.loads((out / "index.jsonl").read_text("utf-8").splitlines()[0])
    line["folder"] = out / line["dossier_id"]
    line["data_dir"] = data_dir
    line["stderr"] = result.stderr
    return line


def _outputs(line: dict) -> dict[str, str]:
    return {name: (line["folder"] / name).read_text("utf-8") for name in OUTPUTS}


@pytest.fixture(scope="module")
def on_threads(upload: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    line = _process(upload, tmp_path_factory.mktemp("threads"), DOSSIER_TASK_RUNNER="threads")
    pages = json.loads((line["folder"] / "pages.json").read_text("utf-8"))
    assert [p["status"] for p in pages] == ["ok"] * len(SAMPLE_PAGES)
    card = json.loads((line["folder"] / "case.json").read_text("utf-8"))
    assert card["case"]["charges"], "the reference run should read the charges"
    return line


def test_pages_read_by_the_workers_of_a_cluster_given_by_address(
    upload: Path, on_threads: dict, tmp_path: Path
) -> None:
    from distributed import Client, get_task_stream

    settings = Settings(data_dir=tmp_path / "data", ocr_concurrency=2)
    # What an operator gives each remote `dask worker`: the store and the page settings.
    env = page_worker_env(settings) | {"DOSSIER_DATA_DIR": str(settings.data_dir),
                                       "DOSSIER_OCR_ENGINE": "rapidocr"}
    shape = {"env": env, "threads_per_worker": 1}  # 2 workers x 1 thread
    with (page_cluster(**local_cluster_kwargs(settings) | shape) as cluster,
          Client(cluster) as client):
        assert len(cluster.workers) == 2
        worker_pids = client.run(os.getpid)
        assert os.getpid() not in worker_pids.values()
        with get_task_stream(client=client) as stream:
            line = _process(upload, tmp_path, DOSSIER_TASK_RUNNER="dask",
                            DOSSIER_DASK_ADDRESS=cluster.scheduler_address)
        # The same worker processes as before the run: none died and was replaced.
        assert client.run(os.getpid) == worker_pids

    page_tasks = [t for t in stream.data if t["key"].startswith("read_page_task")]
    assert len(page_tasks) == len(SAMPLE_PAGES)
    assert all(t["status"] == "OK" for t in page_tasks)
    assert {t["worker"] for t in page_tasks} == set(worker_pids)  # both workers read pages
    assert line["status"] == on_threads["status"]
    assert _outputs(line) == _outputs(on_threads)


def test_a_local_cluster_made_by_the_flow_pages_over_time_come_back_failed(
    upload: Path, tmp_path: Path
) -> None:
    line = _process(upload, tmp_path, DOSSIER_TASK_RUNNER="dask",
                    DOSSIER_OCR_PAGE_TIMEOUT_S="0.05", PREFECT_LOGGING_LEVEL="INFO")
    assert ("Creating a new Dask cluster with `tasks.orchestration.runners.page_cluster`"
            in line["stderr"]), line["stderr"][-3000:]
    assert line["status"] == "needs_review"
    pages = json.loads((line["folder"] / "pages.json").read_text("utf-8"))
    assert [p["page"] for p in pages] == list(range(1, len(SAMPLE_PAGES) + 1))
    assert {p["status"] for p in pages} == {"failed"}
    assert all("timed out" in p["error"] for p in pages), pages
