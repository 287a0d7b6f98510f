"""Typed doorways for the SQL that SQLModel leaves untyped: a SELECT of more than four columns,
a table's columns and the days aggregates give back, so the services pass mypy --strict
without an ignore at each query."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Table
from sqlalchemy.orm import Mapped
from sqlmodel import SQLModel, col, select
from sqlmodel.sql.expression import Select

T = TypeVar("T")


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
