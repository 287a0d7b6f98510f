"""A bad value a service refuses, named the way the person typed it on the command line.

Every command of `circles` is a :class:`Command` (its groups are :class:`Group`, whose
``command_class`` it is): a service names a value by its keyword (``count 0 must be ...``),
the person typed a flag (``--next 0``), and the command, which knows its own options, says
the flag, as it does for the values it reads itself (``--from 'soon'``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from circles.cli.common import CREATE_HELP, DB_HELP, CliState, field_name, given_store
from circles.errors import InvalidInput


class Command(click.Command):
    """``service_names``: a service's name for the value of an option, where it is neither the
    option's parameter name nor its flag's word (the services call a start "start": ``--at``).

    Every command also takes the store options after its own name (``circles serve --db
    FILE``), as people type them, not only before it (``circles --db FILE serve``)."""

    def __init__(self, *args: Any, service_names: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service_names = dict(service_names or {})
        self.params.extend(store_options())

    def invoke(self, ctx: click.Context) -> Any:
        self.refuse_blank_arguments(ctx)
        try:
            return super().invoke(ctx)
        except InvalidInput as exc:
            flag = self.flag_of(exc.field)
            if flag is None:
                raise
            raise InvalidInput(flag, exc.value, exc.problem) from exc

    def refuse_blank_arguments(self, ctx: click.Context) -> None:
        """A text argument given blank (an empty shell variable, spaces) is refused naming it
        and its value, for every command at once: each read it its own way, as a reference
        ("'' is not an e-mail address", "There is no circle named ''") or stripped to nothing
        ("name is required."). An argument read by a type of its own (a number, a cadence, a
        file) says what it wants itself; one taking many values reads them itself."""
        for param in self.params:
            if not isinstance(param, click.Argument) or param.type is not click.STRING or param.nargs != 1:
                continue
            value = ctx.params.get(param.name or "")
            if isinstance(value, str) and not value.strip():
                pieces = [piece for piece in self.collect_usage_pieces(ctx) if piece != self.options_metavar]
                usage = " ".join(["circles", *_subcommands(ctx), *pieces])
                raise InvalidInput(field_name(param), value, f"is blank: give one ({usage})")

    def flag_of(self, field: str) -> str | None:
        """The flag the person typed the value a service calls ``field`` with, if any."""
        if field in self.service_names:
            return self.service_names[field]
        for param in self.params:
            if isinstance(param, click.Option) and field in _names(param):
                return field_name(param)
        return None


def store_options() -> list[click.Option]:
    """``--db`` and ``--create`` for a command, changing what ``circles`` itself was given."""
    return [
        click.Option(
            ["--db"],
            metavar="PATH_OR_URL",
            expose_value=False,
            callback=_store_given,
            help=DB_HELP,
        ),
        click.Option(
            ["--create"],
            is_flag=True,
            expose_value=False,
            callback=_create_given,
            help=CREATE_HELP,
        ),
    ]


def _store_given(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    state = ctx.find_object(CliState)
    if value is None or state is None:
        return
    typed = given_store(value)
    if state.store_url is not None and state.store_url != typed:
        from models.url_text import url_without_secrets

        # Both as typed, but never a password: a terminal's scrollback and CI logs keep them.
        first, second = url_without_secrets(state.store_url), url_without_secrets(value)
        raise click.UsageError(f"--db given twice ({first!r} and {second!r}): give one store", ctx)
    state.store_url = typed


def _create_given(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    state = ctx.find_object(CliState)
    if value and state is not None:
        state.create = True


class Group(click.Group):
    """A group of :class:`Command` s (and of groups like itself)."""

    command_class = Command
    group_class = type


def _subcommands(ctx: click.Context) -> list[str]:
    """The words after 'circles' that named the command ('member', 'add'), whatever the program
    was called ('python -m circles', or a test's runner)."""
    words: list[str] = []
    while ctx.parent is not None:
        words.insert(0, ctx.info_name or "")
        ctx = ctx.parent
    return words


def _names(option: click.Option) -> set[str]:
    """What a service may call the value of ``option``: its parameter name, or a flag's word."""
    return {
        option.name or "",
        *(flag.lstrip("-").replace("-", " ") for flag in option.opts if flag.startswith("--")),
    }
