"""``dossier process`` on a batch a hostile sender made, as an operator runs it (a child
process, its real stdout and stderr): every crafted input is refused with its reason and
kept, the good dossier beside them is unaffected, a typo is one clear line, nothing
hangs, nothing reaches the terminal raw, and nothing is written into the checkout.

Here, not under tests/flows: the command starts its own Prefect API, so this module
needs no in-process one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dossier.console import path_text
from dossier.samples import formats, hostile
from dossier.samples.dossier import make_sample_dossier
from dossier.settings import Settings
from dossier.store.local import LocalStore

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SECRET = b"DOSSIER_MINIO_SECRET_KEY=not-to-be-copied\n"
_CLI = "from dossier.cli import app; app(prog_name='dossier')"
_SKIP_DIRS = {".git", ".venv", "data", "__pycache__", ".pytest_cache", ".ruff_cache"}


def _child_env() -> dict[str, str]:
    """The test's environment for the command, without Prefect settings of the test
    session; a patient start for the command's own API on a busy machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return env | {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "600"}


def _checkout_files() -> dict[str, int]:
    """Every file (with its modification time) and folder of the checkout but caches,
    git, the venv and data/ (the shared services log there)."""
    found = {}
    for folder, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and not d.endswith(".egg-info")]
        for name in dirs:
            found[str(Path(folder, name).relative_to(REPO))] = 0
        for name in files:
            path = Path(folder, name)
            found[str(path.relative_to(REPO))] = path.lstat().st_mtime_ns
    return found


def _batch(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    texts = [t for t in make_sample_dossier(3).pages if t][-1:]
    secret = folder.parent / "services.env"
    secret.write_bytes(SECRET)
    (folder / "a").mkdir()
    (folder / "b").mkdir()
    batch = {
        "good": formats.write_text_pdf(texts, folder / "起诉书.pdf"),
        "lying": hostile.write_lying_page_tree_pdf(folder / "lying.pdf", declared=1500),
        "cycle": hostile.write_page_tree_cycle_pdf(folder / "cycle.pdf"),
        "escape": folder / "bad\x1b[2J\x07\nname.pdf",
        "same-a": folder / "a" / "same.pdf",
        "same-b": folder / "b" / "same.pdf",
        "link": folder / "passwd.pdf",
        "fifo": folder / "pipe.pdf",
        "missing": folder / "nonexistent.pdf",
        # GBK bytes, as a Windows share names files: not UTF-8, yet a name to keep
        "gbk-name": Path(os.fsdecode(os.fsencode(folder) + "/张三讯问笔录.pdf".encode("gbk"))),
    }
    batch["gbk-name"].write_bytes(b"GIF89a a picture, not a dossier")
    batch["escape"].write_bytes(b"GIF89a not a dossier")
    batch["same-a"].write_bytes(b"Rar!\x1a\x07\x00 first")
    batch["same-b"].write_bytes(b"7z\xbc\xaf\x27\x1c second")
    batch["link"].symlink_to(secret)
    os.mkfifo(batch["fifo"])
    return batch


@pytest.mark.timeout(1800)  # ten inputs, each its own flow run, on a busy machine
def test_a_hostile_batch(tmp_path: Path, isolated_data_dir: Path) -> None:
    batch = _batch(tmp_path / "uploads")
    out = tmp_path / "out"
    before = _checkout_files()
    env = _child_env()
    temp = tmp_path / "tmp"
    temp.mkdir()
    env |= {"TMPDIR": str(temp), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _CLI, "process", *map(str, batch.values()), "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert done.returncode == 1, done.stderr[-3000:]  # refusals make exit code 1
    index = {line["input"]: line
             for line in map(json.loads, (out / "index.jsonl").read_text("utf-8").splitlines())}
    status = {key: (index[path_text(path)]["status"], index[path_text(path)]["reason"])
              for key, path in batch.items()}
    assert status["good"][0] == "ok", status["good"]
    assert status == {
        "good": status["good"],
        "lying": ("rejected", "unreadable"),
        "cycle": ("rejected", "unreadable"),
        "escape": ("rejected", "unsupported_format"),
        "same-a": ("rejected", "unsupported_format"),
        "same-b": ("rejected", "unsupported_format"),
        "link": ("rejected", "not_regular_file"),
        "fifo": ("rejected", "not_regular_file"),
        "missing": ("not_found", "input not found: no such file"),
        "gbk-name": ("rejected", "unsupported_format"),
    }
    assert (out / index[str(batch["good"])]["dossier_id"] / "case.json").exists()

    # The operator's terminal: one line per input, no raw control character, no traceback.
    progress = done.stdout.splitlines()
    assert len(progress) == len(batch), done.stdout
    assert "bad\\x1b[2J\\x07\\nname.pdf: rejected" in done.stdout
    assert not any(ch in done.stdout for ch in "\x1b\x07")
    assert "nonexistent.pdf: not_found (input not found: no such file)" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr, done.stderr[-3000:]

    # Kept in quarantine, each under its own key; the link's target copied nowhere.
    store = LocalStore(Settings().store_dir)
    records = [store.get_json(i.key) for i in store.list("quarantine/")
               if i.key.endswith("/reason.json")]
    assert sorted(r["upload"] for r in records) == sorted(
        ["lying.pdf", "cycle.pdf", "bad[2Jname.pdf", "same.pdf", "same.pdf", "passwd.pdf",
         "pipe.pdf", "张三讯问笔录.pdf"])
    same = {store.get_bytes(r["key"]) for r in records if r["upload"] == "same.pdf"}
    assert same == {batch["same-a"].read_bytes(), batch["same-b"].read_bytes()}
    assert not any(SECRET in store.get_bytes(i.key) for i in store.list())

    # Every refusal is a library row the review queue lists.
    queue = subprocess.run([sys.executable, "-c", _CLI, "review-queue", "--rejected", "--json"],
                           env=env, capture_output=True, text=True, timeout=300, check=True)
    listed = [json.loads(line) for line in queue.stdout.splitlines()]
    assert sorted(item["reason"] for item in listed) == sorted(
        r for s, r in status.values() if s == "rejected")

    # Nothing written into the checkout (GX results included), nothing left in TMPDIR.
    after = _checkout_files()
    assert {k: v for k, v in after.items() if before.get(k) != v} == {}
    assert list(temp.iterdir()) == []
    assert (isolated_data_dir / "gx" / "validations").is_dir()


def test_sigterm_stops_the_batch_instead_of_going_on_without_its_api(
    tmp_path: Path, isolated_data_dir: Path
) -> None:
    """``timeout`` (or an operator) ends the command with SIGTERM to its process group,
    the Prefect API it started included: the batch stops; no next input is started
    against an API that is gone (it used to be recorded as ``Connection refused``)."""
    import signal
    import time

    from dossier.samples.render import render_text_page

    texts = [t for t in make_sample_dossier(5).pages if t][:3]
    scan = formats.write_tiff([render_text_page(t) for t in texts], tmp_path / "scan.tif")
    second = formats.write_text_pdf(texts[-1:], tmp_path / "second.pdf")
    out = tmp_path / "out"
    env = _child_env()
    child = subprocess.Popen(
        [sys.executable, "-c", _CLI, "process", str(scan), str(second), "--out", str(out),
         "--engine", "tesseract"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    pages = Settings().store_dir / "objects" / "pages"
    deadline = time.monotonic() + 600
    while not (pages.exists() and any(pages.rglob("*.png"))):  # mid-OCR of the scan
        assert child.poll() is None and time.monotonic() < deadline, child.communicate()
        time.sleep(0.5)
    os.killpg(child.pid, signal.SIGTERM)
    stdout, stderr = child.communicate(timeout=300)
    assert child.returncode != 0
    lines = [json.loads(line) for line in (out / "index.jsonl").read_text("utf-8").splitlines()]
    assert [(line["input"], line["status"]) for line in lines] in (
        [], [(str(scan), "interrupted")]), lines
    assert "second.pdf" not in stdout and "Connection refused" not in stdout
    assert "stopped: 1 inputs not started" in stderr or not lines
