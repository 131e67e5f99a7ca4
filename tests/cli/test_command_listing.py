"""Every command group is reachable from ``dossier``: a registration helper defined twice
in ``dossier/cli.py`` once hid ``review``, ``draft`` and ``review-eval`` silently."""

from __future__ import annotations

import typer.main

from dossier.cli import app

EXPECTED = {
    "process", "reprocess", "demo", "review-queue", "deploy", "upload", "upload-ref", "watch",
    "services", "db", "models", "feeds", "supervise", "leads", "recommendations",
    "library", "search", "similar", "suggest-sentence", "review", "draft", "review-eval",
    "deadlines", "evaluate-quality", "report", "notices",
}


def test_every_command_group_is_registered() -> None:
    click_app = typer.main.get_command(app)
    missing = EXPECTED - set(click_app.commands)  # type: ignore[attr-defined]
    assert not missing, f"not registered: {sorted(missing)}"
