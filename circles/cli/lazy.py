"""A click group whose subcommands are imported only when used, so `circles --help` and
the app's start-up do not pay for modules (scipy, openpyxl, icalendar, ...) they never call."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, NamedTuple

import click

from circles.cli.flags import Group


class Lazy(NamedTuple):
    """A subcommand not yet imported: where it is, and the first sentence of its help, which
    the group's `--help` lists beside its name (tests/test_cli_help.py keeps the two equal)."""

    target: str  # "package.module:attribute"
    summary: str


class LazyGroup(Group):
    def __init__(self, *args: Any, lazy_subcommands: Mapping[str, Lazy] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = dict(lazy_subcommands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_subcommands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_subcommands:
            module_name, attribute = self.lazy_subcommands[cmd_name].target.split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            assert isinstance(command, click.Command), f"{cmd_name} is not a click command"
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands as click lists them, each lazy one by its summary: click asks each
        command for its help, which imported every command's module, and `circles --help` took
        two seconds and more."""
        listed: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            lazy = self.lazy_subcommands.get(name)
            command = click.Command(name, help=lazy.summary) if lazy else self.get_command(ctx, name)
            if command is not None and not command.hidden:
                listed.append((name, command))
        if listed:
            limit = formatter.width - 6 - max(len(name) for name, _ in listed)  # as click's
            with formatter.section("Commands"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in listed])
