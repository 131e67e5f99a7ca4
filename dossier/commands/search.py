"""``dossier search``, ``dossier similar``, ``dossier suggest-sentence``: asking the library."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter(f"{value}: a date is YYYY-MM-DD") from error


def search(
    query: Annotated[str, typer.Argument(help="Words to find (Chinese); '' lists by filters.")],
    charge: Annotated[str | None, typer.Option("--charge", help="Catalogue name (finds every "
                                               "written form) or a charge as written.")] = None,
    court: Annotated[str | None, typer.Option("--court", help="Part of the court's name.")] = None,
    procuratorate: Annotated[str | None, typer.Option("--procuratorate")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Judged on or after.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Judged on or before.")] = None,
    doc_type: Annotated[str | None, typer.Option("--doc-type", help="判决书, 起诉书 …")] = None,
    source: Annotated[str | None, typer.Option("--source", help="dossier or published.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-k")] = 10,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Full-text search over the library's documents, with highlighted snippets."""
    from dossier.db import session_scope
    from tasks.library.search import SearchFilters
    from tasks.library.search import search as run
    from tasks.stages.library import ensure_schema

    if source not in (None, "dossier", "published"):
        raise typer.BadParameter("--source takes dossier or published")
    filters = SearchFilters(charge=charge, court=court, procuratorate=procuratorate,
                            date_from=_date(date_from), date_to=_date(date_to),
                            doc_type=doc_type, source=source)
    ensure_schema()
    with session_scope() as session:
        hits = run(session, query, filters, limit)
    if as_json:
        typer.echo(json.dumps({"hits": [h.as_dict() for h in hits]}, ensure_ascii=False))
        return
    if not hits:
        typer.echo("no match")
    for n, h in enumerate(hits, 1):
        charges = "、".join(h.charges_written or h.charges) or "—"
        typer.echo(f"{n}. {h.case_no or h.dossier_id}  {h.court or ''}  {h.judgment_date or ''}"
                   f"  [{h.doc_type}; {h.source}]  {charges}")
        typer.echo(f"   {h.snippet}")


def _case_key(session, ref: str) -> str:
    """The library key of a case given by 案号, dossier id or source id; exit 2 if none."""
    from tasks.library.similar import find_case_key

    key = find_case_key(session, ref)
    if key is None:
        typer.secho(f"no case {ref} in the library", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    return key


def _outcome(o) -> str:
    if o.penalty in ("有期徒刑", "拘役", "管制") and o.months:
        text = f"{o.penalty}{o.months}个月"
    else:
        text = o.penalty or "罚金"
    if o.probation_months:
        text += f"缓刑{o.probation_months}个月"
    if o.fine_yuan:
        text += f"，罚金{o.fine_yuan:g}元"
    return f"{o.person} {text}"


def similar(
    case: Annotated[str | None, typer.Argument(help="案号, dossier id or source id.")] = None,
    card: Annotated[Path | None, typer.Option("--card", exists=True, dir_okay=False,
                                              help="A case-card JSON file.")] = None,
    text: Annotated[str | None, typer.Option("--text", help="The facts, as free text.")] = None,
    k: Annotated[int, typer.Option("-k", help="How many cases.")] = 10,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Similar cases (类案推送): BM25 over the facts, re-ranked by charges, articles, amounts."""
    from dossier.db import session_scope
    from dossier.store import get_store
    from schemas.case_card import CaseCard
    from tasks.library import similar as sim
    from tasks.sentencing import advise
    from tasks.stages.library import ensure_schema

    if sum(x is not None for x in (case, card, text)) != 1:
        raise typer.BadParameter("give one of CASE, --card FILE or --text FACTS")
    ensure_schema()
    store = get_store()
    with session_scope() as session:
        if case is not None:
            key = _case_key(session, case)
            advise.ensure_index(store, session)
            hits = advise.similar_for(session, store,
                                      sim.profile_of_library_case(session, key, store), k)
        elif card is not None:
            c = CaseCard.model_validate_json(card.read_text(encoding="utf-8"))
            _, facts = advise.store_facts(store, c.dossier_id)
            hits = advise.similar_for(session, store,
                                      sim.profile_of_card(c.case, facts, key=c.dossier_id), k)
        else:
            hits = advise.similar_for(session, store, sim.profile_of_text(text or ""), k)
    if as_json:
        typer.echo(json.dumps({"similar": [h.as_dict() for h in hits]}, ensure_ascii=False))
        return
    if not hits:
        typer.echo("no similar case")
    for n, h in enumerate(hits, 1):
        typer.echo(f"{n}. {h.case_no or h.dossier_id}  {h.court or ''}  {h.judgment_date or ''}"
                   f"  score {h.score:.3f}")
        typer.echo(f"   罪名: {'、'.join(h.charges_written or h.charges) or '—'}")
        for o in h.outcomes:
            typer.echo(f"   判处: {_outcome(o)}")


def suggest_sentence(
    case: Annotated[str | None, typer.Argument(help="案号, dossier id or source id.")] = None,
    card: Annotated[Path | None, typer.Option("--card", exists=True, dir_okay=False,
                                              help="A case-card JSON file (its sentences "
                                              "are ignored).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Sentencing suggestion (量刑建议) per defendant, explained step by step."""
    from dossier.db import session_scope
    from dossier.store import get_store
    from schemas.case_card import CaseCard
    from tasks.sentencing import advise
    from tasks.stages.library import ensure_schema

    if (case is None) == (card is None):
        raise typer.BadParameter("give CASE or --card FILE")
    ensure_schema()
    store = get_store()
    with session_scope() as session:
        if case is not None:
            key = _case_key(session, case)
            _, suggestions = advise.for_key(session, store, key)
        else:
            c = CaseCard.model_validate_json(card.read_text(encoding="utf-8"))  # type: ignore[union-attr]
            _, suggestions = advise.for_card(session, store, c.case, dossier_id=c.dossier_id)
    if as_json:
        typer.echo(json.dumps({"suggestions": [s.as_dict() for s in suggestions]},
                              ensure_ascii=False))
        return
    if not suggestions:
        typer.echo("no suggestion: the case has no charge the rules or the library cover")
    for s in suggestions:
        typer.echo(s.explanation)
        typer.echo("")
