"""``dossier deploy``: the project's deployments on the Prefect server of the local stack.

Wraps ``prefect deploy --all`` (see prefect.yaml): it creates the process work
pool and the ``ocr`` tag concurrency limit when missing, then deploys
ingest-dossier (triggered by ``dossier.uploaded`` events of the bucket),
sweep-incoming (every five minutes, Asia/Shanghai), reprocess (run by hand),
import-feeds (triggered by ``dossier.feeds.ready``, a feed batch's ``_READY``
marker), run-supervision (daily at 02:30, Asia/Shanghai), review-leads (on
demand), issue-recommendations (daily 06:00), deliver-recommendations (every ten
minutes) and follow-up-recommendations (daily 07:00).
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from dossier.prefect_env import configure_prefect


def deploy(
    pool: Annotated[str, typer.Option("--pool", help="Process work pool.")] = "dossier-pool",
    ocr_limit: Annotated[
        int, typer.Option("--ocr-limit", help="Pages OCR'd at once, all runs (if missing).")
    ] = 4,
    suffix: Annotated[
        str, typer.Option("--suffix", help="Appended to deployment names (a second set).")
    ] = "",
) -> None:
    """Create the work pool and limits if missing, then ``prefect deploy --all``."""
    from dossier.settings import get_settings

    configure_prefect()
    api_url = os.environ.get("PREFECT_API_URL")
    if not api_url:
        typer.secho("PREFECT_API_URL is not set: run with --env-file data/services.env "
                    "(after `dossier services up`)", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    from infra.deployments import DeployTarget
    from infra.deployments import deploy as run_deploy
    from infra.processes import ServiceError

    settings = get_settings()
    target = DeployTarget(api_url=api_url, bucket=settings.bucket or "dossiers-dev", pool=pool,
                          suffix=suffix, ocr_limit=ocr_limit)
    try:
        run_deploy(target)
    except ServiceError as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from error
    names = target.deployments
    typer.echo(f"deployed {len(names)} deployments to pool {pool}: {', '.join(names)}")
    typer.echo(f"triggers: {target.ingest_deployment} on dossier.uploaded in bucket "
               f"{target.bucket}, {target.feeds_deployment} on dossier.feeds.ready, "
               f"{target.import_deployment} on judgments.uploaded (JSON lines under imports/); "
               "the others run on their schedules or by hand")
    typer.echo("start a worker: dossier services up --all  "
               f"(or: prefect worker start --pool {pool})")
