"""Sealed upload references: what ingest runs, events and the sweep show of an upload."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dossier.cli import app
from tasks.intake.upload_ref import BadUploadRef, run_upload, seal, source_of, unseal
from tasks.orchestration.runtime import run_name_for

KEY = "incoming/张三伟 盗窃案 起诉意见书.pdf"


def test_a_reference_hides_the_name_and_opens_to_the_key_or_path() -> None:
    ref = seal(KEY)
    assert "张" not in ref and "盗窃" not in ref and ref.isascii()
    assert ref == seal(KEY)  # deterministic: the sweep and tests match runs by it
    assert unseal(ref) == ("key", KEY) and source_of(ref) == KEY
    local = seal("/home/clerk/张三伟.pdf", "path")
    assert source_of(local) == Path("/home/clerk/张三伟.pdf")
    assert run_name_for(ref).endswith("-pdf") and "张" not in run_name_for(ref)
    assert run_upload({"upload": ref}) == KEY
    assert run_upload({"key": "incoming/old.pdf"}) == "incoming/old.pdf"  # runs of before


def test_a_tampered_or_foreign_reference_is_refused() -> None:
    ref = seal(KEY)
    flipped = ref[:-3] + ("A" if ref[-3] != "A" else "B") + ref[-2:]
    for bad in (flipped, "up1-", "incoming/x.pdf", seal(KEY, secret=b"another deployment")):
        with pytest.raises(BadUploadRef):
            unseal(bad)
    assert run_upload({"upload": flipped}) is None
    other = seal(KEY, secret=b"another deployment")
    assert unseal(other, secret=b"another deployment") == ("key", KEY)


def test_the_command_prints_the_run_name_and_opens_a_reference() -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["upload-ref", "张三伟 盗窃案 起诉意见书.pdf"])
    assert done.exit_code == 0, done.output
    ref, _, run = done.output.split()
    assert ref == seal(KEY) and run == run_name_for(ref)
    opened = runner.invoke(app, ["upload-ref", "--open", ref])
    assert opened.output.strip() == f"key {KEY}"
    assert runner.invoke(app, ["upload-ref", "--open", ref[:-4]]).exit_code == 2
