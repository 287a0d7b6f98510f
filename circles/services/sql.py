"""Typed doorways for the SQL that SQLModel leaves untyped: a SELECT of more than four columns,
a table's columns and the days aggregates give back, so the services pass mypy --strict
without an ignore at each query."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import Select

T = TypeVar("T")

# Values bound in one IN (...) at most: psycopg takes 65,535 bound values in a statement and
# SQLite 32,766, and a year's recognition on a huge store names 67,000 people.
IN_LIST_LIMIT = 5000


def in_chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """``ids`` a driver-safe handful at a time, for a query of the form ``col.in_(chunk)``
    repeated per chunk (sorted, so each chunk reads the index in order)."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), IN_LIST_LIMIT):
        yield ordered[start : start + IN_LIST_LIMIT]


def all_rows(db: Session, statement: Any, values: Mapping[str, Any] | None = None) -> list[Any]:
    """The rows of a SELECT of columns as plain tuples, through the session's connection, all at
    once: without the ORM's work per statement and per row (a report runs a dozen or more, a
    year's recognition ledger reads 50,000 rows) nor a fetch per row. ``values``: the bound
    parameters of a statement kept for its scope's shape (see kept)."""
    return list(db.connection().execute(statement, values).all())


# The reports' statements (success, recognition) are built once per shape of scope
# (participation.ScopeShape, and per backend where their SQL differs) and run with the scope's
# values bound: SQLAlchemy builds and keys none again, and finds each compiled in its cache. A
# few dozen shapes at most per statement (circle or not, ends of the period, time zones in use).
kept = functools.lru_cache(maxsize=64)


def select_columns(*columns: Any) -> Select[*tuple[Any, ...]]:
    """``select(...)`` of any number of columns, its rows typed as tuples of ``Any``.
    (SQLModel's ``select`` has typed overloads for one to four; past four mypy finds none.)"""
    return cast("Select[*tuple[Any, ...]]", select(*columns))


def table_of(model: type[SQLModel]) -> Table:
    """The table a SQLModel class maps (``__table__``, which SQLModel sets without declaring it)."""
    table = getattr(model, "__table__", None)
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table")
    return table


def ids(column: int | None) -> Mapped[int]:
    """A primary key as a column of ints. SQLModel types ``id`` as ``int | None`` (None until
    the row is added); one read back from the store never is."""
    return cast("Mapped[int]", col(column))


def aggregate_date(value: object) -> date:
    """The day an aggregate (min or max of a date or timestamp) gives back: SQLite hands it back
    as text, PostgreSQL as a date or datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise TypeError(f"not a day: {value!r}")
    return value


def present(column: T | None) -> Mapped[T]:
    """A nullable column in a query that keeps only the rows where it is set (``is_not(None)``
    in its WHERE): its values as the type they then always are."""
    return cast("Mapped[T]", col(column))


def literal_sql(connection: Connection, statement: Any) -> str:
    """``statement`` as PostgreSQL text with its values written in, for the driver to run as it
    is (COPY takes no parameters). With no placeholder style SQLAlchemy would write a % as %%;
    psycopg, given no parameters, sends the text unchanged."""
    named: Any = type(connection.dialect)
    dialect = named(paramstyle="named")
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def stream_rows(connection: Connection, statement: Any, *, size: int) -> Iterator[Sequence[Any]]:
    """The rows of ``statement`` as the driver gives them (no result types applied), fetched
    ``size`` at a time so memory stays flat.

    On PostgreSQL not through a server-side cursor (SQLAlchemy's stream_results): a cursor's
    query is planned without parallel workers and for its first rows, which made the
    participation report half again as slow as the same query run plainly. psycopg's
    Cursor.stream reads the plain query's answer as it arrives instead."""
    if connection.dialect.name != "postgresql":
        result = connection.execute(statement.execution_options(stream_results=True, yield_per=size))
        yield from result
        return
    driver = connection.connection.driver_connection
    # A reader that stops early makes psycopg cancel the query, which fails the transaction:
    # inside a savepoint only that is undone, and the unit of work carries on.
    with driver.transaction(), driver.cursor() as cursor:  # type: ignore[union-attr]
        yield from cursor.stream(literal_sql(connection, statement), size=size)


def holds(column: Any, text: str) -> Any:
    """SQL: ``column`` holds ``text`` anywhere, its %, _ and \\ taken as the characters typed (a
    search for "a_b" or "50%" is not a pattern that matches every "axb" or everyone)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")
