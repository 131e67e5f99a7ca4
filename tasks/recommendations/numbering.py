"""Document numbers of 检察建议书: ``<简称>检<部门>建〔YYYY〕N号``.

N counts per procuratorate (its 简称) and year from 1, never reused, without gaps.
:func:`take_serial` reads and advances the sequence row inside the caller's
transaction, the one that also writes the recommendation: on PostgreSQL the row is
locked (``SELECT … FOR UPDATE``) until that transaction ends, so a second issuer
waits and then reads the advanced value; on SQLite the caller's transaction holds
the database's write lock (``dossier.db.write_transaction``). A transaction that
fails rolls its serial back with it, so no number is lost and none is issued twice.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from schemas.recommendations_tables import RecommendationSequence

_SEQUENCE = RecommendationSequence.__table__


def format_number(abbr: str, department: str, year: int, serial: int) -> str:
    """示范, 刑执, 2026, 3 → 示范检刑执建〔2026〕3号."""
    return f"{abbr}检{department}建〔{year}〕{serial}号"


def _ensure_row(connection: sa.Connection, abbr: str, year: int) -> None:
    """The year's row, made once even when two issuers start the year at the same moment."""
    dialect = connection.dialect.name
    values = {"procuratorate": abbr, "year": year, "last_serial": 0}
    if dialect == "postgresql":
        connection.execute(postgresql.insert(_SEQUENCE).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        connection.execute(sqlite.insert(_SEQUENCE).values(values).on_conflict_do_nothing())
    else:  # another database: the row lock below still serialises, the insert may race once
        exists = connection.scalar(sa.select(sa.func.count()).select_from(_SEQUENCE).where(
            _SEQUENCE.c.procuratorate == abbr, _SEQUENCE.c.year == year))
        if not exists:
            connection.execute(sa.insert(_SEQUENCE).values(values))


def take_serial(connection: sa.Connection, abbr: str, year: int) -> int:
    """The next serial of ``abbr`` in ``year``, held until the caller's transaction ends."""
    _ensure_row(connection, abbr, year)
    where = (_SEQUENCE.c.procuratorate == abbr, _SEQUENCE.c.year == year)
    last = connection.scalar(sa.select(_SEQUENCE.c.last_serial).where(*where).with_for_update())
    serial = int(last) + 1
    connection.execute(sa.update(_SEQUENCE).where(*where).values(last_serial=serial))
    return serial


def last_serial(connection: sa.Connection, abbr: str, year: int) -> int:
    return int(connection.scalar(sa.select(_SEQUENCE.c.last_serial).where(
        _SEQUENCE.c.procuratorate == abbr, _SEQUENCE.c.year == year)) or 0)
