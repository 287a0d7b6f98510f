"""A click group whose subcommands are imported only when used, so `circles --help` and
the app's start-up do not pay for modules (openpyxl, icalendar, ...) they never call."""

from __future__ import annotations

import importlib
from typing import Any

import click

from circles.cli.flags import Group


class LazyGroup(Group):
    def __init__(self, *args: Any, lazy_subcommands: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # name -> "package.module:attribute"
        self.lazy_subcommands = lazy_subcommands or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_subcommands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_subcommands:
            module_name, attribute = self.lazy_subcommands[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            assert isinstance(command, click.Command), f"{cmd_name} is not a click command"
            return command
        return super().get_command(ctx, cmd_name)
