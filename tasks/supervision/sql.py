"""Date arithmetic the models need, as SQL constructs compiled per dialect.

Rules compare a row's date with another row's date plus days or months
(a 拘留 start + 3 days, an arrest + 2 months + its extensions), which neither
database spells the same way. These constructs render to each dialect's form
(SQLAlchemy's compiler extension), so a model's rule is written once.

Month arithmetic is calendar months clamped to the month's end on both
databases (PostgreSQL's ``interval`` semantics: 01-31 + 1 month = 02-28/29);
SQLite's ``date(d, '+1 months')`` would overflow into March, so it is clamped
by hand.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class add_days(FunctionElement):
    """``date + n days`` (n an integer expression or literal)."""

    type = sa.Date()
    inherit_cache = True


class add_months(FunctionElement):
    """``date + n months``, clamped to the end of the target month."""

    type = sa.Date()
    inherit_cache = True


@compiles(add_days, "postgresql")
def _pg_days(element, compiler, **kw):
    date, n = list(element.clauses)
    return f"(({compiler.process(date, **kw)}) + ({compiler.process(n, **kw)})::integer)"


@compiles(add_days, "sqlite")
def _sqlite_days(element, compiler, **kw):
    date, n = list(element.clauses)
    return (f"date({compiler.process(date, **kw)}, "
            f"printf('%+d days', {compiler.process(n, **kw)}))")


@compiles(add_months, "postgresql")
def _pg_months(element, compiler, **kw):
    date, n = list(element.clauses)
    return (f"(({compiler.process(date, **kw)}) + make_interval(months => "
            f"({compiler.process(n, **kw)})::integer))::date")


@compiles(add_months, "sqlite")
def _sqlite_months(element, compiler, **kw):
    date, n = list(element.clauses)
    d, m = compiler.process(date, **kw), compiler.process(n, **kw)
    first = f"date({d}, 'start of month', printf('%+d months', {m}))"
    same_day = f"date({first}, printf('%+d days', CAST(strftime('%d', {d}) AS INTEGER) - 1))"
    month_end = f"date({first}, '+1 months', '-1 days')"
    return f"min({same_day}, {month_end})"
