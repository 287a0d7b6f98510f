"""Typed doorways for the SQL that SQLModel leaves untyped: a SELECT of more than four columns
and a table's columns, so the services pass mypy --strict without an ignore at each query."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Mapped
from sqlmodel import SQLModel, col, select
from sqlmodel.sql.expression import Select


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
