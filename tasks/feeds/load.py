"""Accepted feed rows → typed rows → upserted into their ``feed_<name>`` table.

Upsert by record id: a record delivered again replaces its row (INSERT … ON
CONFLICT DO UPDATE on both databases); within one file the last occurrence of
an id wins. On PostgreSQL rows go in with COPY into a temporary table and one
INSERT … SELECT … ON CONFLICT, which is what makes a million-person batch load
in reasonable time; SQLite gets executemany in large chunks.

The ID number becomes ``person_key`` (``dossier.privacy.hash_id_number``, keyed by
``DOSSIER_ID_HASH_KEY``, the same hash as the case cards' persons) and
``person_masked``; the raw number goes no further than this module.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import cache

import pandas as pd
import sqlalchemy as sa

from dossier.privacy import hash_id_number, mask_id_number
from schemas.feeds import FeedSpec
from schemas.feeds_tables import FEED_TABLES
from tasks.feeds.checks import parse_dates, parse_numbers
from tasks.nlp.lexicon import canonical_charge

SQLITE_CHUNK = 20_000


@cache
def official_charge(written: str) -> str:
    """盗窃 / 盗窃罪 → 盗窃罪; 贩卖毒品罪 → 走私、贩卖、运输、制造毒品罪; unknown names kept."""
    written = written.strip()
    if not written:
        return written
    name = written if written.endswith("罪") else written + "罪"
    return canonical_charge(name) or name


def _persons(numbers: pd.Series) -> tuple[pd.Series, pd.Series]:
    upper = numbers.str.upper()
    unique = upper.unique()
    keys = {n: hash_id_number(n) for n in unique}
    masks = {n: mask_id_number(n) for n in unique}
    return upper.map(keys), upper.map(masks)


def typed_frame(spec: FeedSpec, raw: pd.DataFrame, batch_id: str) -> pd.DataFrame:
    """The accepted rows of ``raw`` as the table's columns (None for empty cells)."""
    out = pd.DataFrame(index=raw.index)
    for column, kind in spec.columns.items():
        values = raw[column]
        if kind == "person":
            key, masked = _persons(values)
            out["person_key"], out["person_masked"] = key, masked
        elif kind == "date":
            out[column] = parse_dates(values).dt.date
        elif kind == "amount":
            out[column] = parse_numbers(values).astype("float64")
        elif kind == "int":
            out[column] = parse_numbers(values).astype("Int64")
        elif kind == "bool":
            out[column] = values.map({"true": True, "false": False})
        elif kind == "month":
            start = pd.to_datetime(values, format="%Y-%m")
            out[column] = values
            out["month_start"] = start.dt.date
            out["month_end"] = (start + pd.offsets.MonthEnd(0)).dt.date
        elif kind == "charge":
            out[column] = values.map(official_charge)
        else:
            out[column] = values.where(values != "")
    out["batch_id"] = batch_id
    key = "person_key" if spec.columns[spec.id_column] == "person" else spec.id_column
    out = out.drop_duplicates(subset=[key], keep="last")
    return out.astype(object).where(out.notna(), None)


def upsert(connection: sa.Connection, spec: FeedSpec, rows: pd.DataFrame) -> int:
    """Insert or replace ``rows`` in the feed's table; returns the rows written."""
    if rows.empty:
        return 0
    table = FEED_TABLES[spec.name].__table__
    columns = [c.name for c in table.columns if c.name in rows.columns]
    key = [c.name for c in table.primary_key.columns]
    if connection.dialect.name == "postgresql":
        _copy_upsert(connection, table, columns, key, rows[columns])
    else:
        _executemany_upsert(connection, table, columns, key, rows[columns])
    return len(rows)


def _update_set(columns: Iterable[str], key: list[str], excluded) -> dict:
    return {c: getattr(excluded, c) for c in columns if c not in key}


def _executemany_upsert(connection, table, columns, key, rows: pd.DataFrame) -> None:
    from sqlalchemy.dialects.sqlite import insert

    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=key, set_=_update_set(columns, key, statement.excluded))
    records = rows.to_dict("records")
    for start in range(0, len(records), SQLITE_CHUNK):
        connection.execute(statement, records[start:start + SQLITE_CHUNK])


def _copy_upsert(connection, table, columns, key, rows: pd.DataFrame) -> None:
    """COPY into a temporary twin of the table, then one INSERT … ON CONFLICT DO UPDATE."""
    temp = f"tmp_{table.name}"
    connection.exec_driver_sql(f'DROP TABLE IF EXISTS "{temp}"')
    connection.exec_driver_sql(
        f'CREATE TEMP TABLE "{temp}" (LIKE "{table.name}" INCLUDING DEFAULTS) ON COMMIT DROP')
    quoted = ", ".join(f'"{c}"' for c in columns)
    buffer = io.StringIO()
    rows.to_csv(buffer, header=False, index=False, na_rep="")
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f'COPY "{temp}" ({quoted}) FROM STDIN WITH (FORMAT csv)') as copy:
        copy.write(buffer.getvalue())
    updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns if c not in key)
    conflict = ", ".join(f'"{c}"' for c in key)
    connection.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{temp}" '
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}")
    connection.exec_driver_sql(f'DROP TABLE "{temp}"')
