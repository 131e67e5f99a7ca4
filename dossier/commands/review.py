"""``dossier review``, ``dossier draft`` and ``dossier review-eval``: the case review
assistant on the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from schemas.case_card import CaseCard
from schemas.review import ReviewReport


def _card_of(case_no: str) -> tuple[str, CaseCard]:
    """The dossier id and stored case card of a case number in the library."""
    import sqlalchemy as sa

    from dossier.db import session_scope
    from dossier.store import get_store
    from dossier.store.keys import case_card_key
    from schemas.tables import Case
    from tasks.stages.library import ensure_schema

    ensure_schema()
    with session_scope() as session:
        dossier_id = session.scalar(sa.select(Case.dossier_id).where(Case.case_no == case_no))
    if dossier_id is None:
        raise typer.BadParameter(f"no case {case_no} in the library", param_hint="CASE_NO")
    raw = get_store().get_json(case_card_key(dossier_id))
    return dossier_id, CaseCard.model_validate(raw)


def _points_json(report: ReviewReport) -> str:
    """The issue's shape: {"points": [{rule, kind, severity, person, message}]}."""
    points = [
        {"rule": p.rule, "kind": p.kind, "severity": p.severity, "person": p.person,
         "message": p.message}
        for p in report.points
    ]
    return json.dumps({"points": points}, ensure_ascii=False, indent=1)


def review(
    case_no: Annotated[str | None, typer.Argument(help="A case number in the library.")] = None,
    card: Annotated[Path | None, typer.Option(
        "--card", exists=True, dir_okay=False, help="Review a case-card file (no database).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the points as JSON.")] = False,
) -> None:
    """Review a case: 审查规则 (evidence), 结论规则 (conclusions), 文书规则 (documents)."""
    from tasks.review.engine import review_card

    if (case_no is None) == (card is None):
        raise typer.BadParameter("give a CASE_NO or --card FILE")
    if card is not None:
        report = review_card(CaseCard.model_validate_json(card.read_text(encoding="utf-8")))
    else:
        from dossier.db import session_scope
        from dossier.store import get_store
        from tasks.stages.review import review_dossier

        dossier_id, _ = _card_of(case_no)  # type: ignore[arg-type]
        with session_scope() as session:
            report = review_dossier(get_store(), dossier_id, session=session)
    if as_json:
        typer.echo(_points_json(report))
        return
    typer.echo(f"{report.case_no or report.dossier_id}: {len(report.points)} review points "
               f"({', '.join(f'{k} {n}' for k, n in report.by_kind().items())})")
    for p in report.points:
        who = f" [{p.person}]" if p.person else ""
        typer.echo(f"  {p.severity:<6} {p.kind:<10} {p.rule}{who}: {p.message}")


def draft(
    case_no: Annotated[str | None, typer.Argument(help="A case number in the library.")] = None,
    kind: Annotated[str, typer.Option("--kind", help="审查报告, 起诉书 or 量刑建议书.")] = "起诉书",
    out: Annotated[Path, typer.Option("--out", help="The .docx to write (a .txt goes beside it).")
                   ] = Path("draft.docx"),
    card: Annotated[Path | None, typer.Option(
        "--card", exists=True, dir_okay=False, help="Draft from a case-card file (no database).")
    ] = None,
) -> None:
    """Draft a document from the case card and its review points; what the card does not
    hold is marked 【待补充：…】."""
    from tasks.drafts.render import KINDS, to_text, write_docx
    from tasks.drafts.render import draft as make_draft
    from tasks.review.engine import review_card

    if kind not in KINDS:
        raise typer.BadParameter(f"one of {', '.join(KINDS)}", param_hint="--kind")
    if (case_no is None) == (card is None):
        raise typer.BadParameter("give a CASE_NO or --card FILE")
    case_card = (CaseCard.model_validate_json(card.read_text(encoding="utf-8")) if card
                 else _card_of(case_no)[1])  # type: ignore[arg-type]
    result = make_draft(case_card, kind, review_card(case_card))
    write_docx(result, out)
    out.with_suffix(".txt").write_text(to_text(result), encoding="utf-8")
    typer.echo(f"{out} ({len(result.filled)} values filled, {len(result.pending)} 待补充)")


def review_eval(
    seeds: Annotated[int, typer.Option("--seeds", help="Sample cases per defect.")] = 20,
    real: Annotated[bool, typer.Option(help="Also the 200 real judgments (JuDGE).")] = True,
    source: Annotated[str, typer.Option(
        "--source", help="Which real texts: JuDGE (200 judgments) or LeCaRDv2 (360 openings).")
    ] = "JuDGE",
    show: Annotated[bool, typer.Option("--show", help="Print every point on real judgments.")
                    ] = False,
) -> None:
    """Recall and precision per rule kind on sample dossiers with planted defects; the share
    of real judgments flagged by conclusion and document rules."""
    from tasks.review.evaluate import evaluate_real, evaluate_samples

    scores = evaluate_samples(range(2000, 2000 + seeds))
    typer.echo(f"planted defects, {seeds} cases x (clean + each defect):")
    for kind, s in scores.items():
        p = f"{s.precision:.3f}" if s.precision is not None else "—"
        r = f"{s.recall:.3f}" if s.recall is not None else "—"
        typer.echo(f"  {kind:<10} precision {p}  recall {r}  (tp {s.tp}, fp {s.fp}, fn {s.fn})")
        for line in s.false_points[:10]:
            typer.echo(f"      {line}")
    if real:
        n, points, per_rule = evaluate_real(source)
        flagged = len({key for key, _, _ in points})
        typer.echo(f"real texts ({source}): {flagged}/{n} flagged by conclusion and document rules "
                   f"({flagged / n:.1%}); points per rule: {dict(per_rule)}")
        if show:
            for key, rule, message in points:
                typer.echo(f"  {key} {rule}: {message}")
