"""A bad value a service refuses, named the way the person typed it on the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from circles.cli.common import field_name

if TYPE_CHECKING:
    from circles.errors import InvalidInput


def command_context(exc: BaseException) -> click.Context | None:
    """The context of the command whose callback ``exc`` came out of: click has left it by
    the time the error reaches the group, so it is found where click called the callback."""
    found: click.Context | None = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is click.Context.invoke.__code__:
            called_from = tb.tb_frame.f_locals.get("self")
            if isinstance(called_from, click.Context):
                found = called_from  # the deepest one: a group's context comes first
        tb = tb.tb_next
    return found


def as_typed(exc: InvalidInput, ctx: click.Context | None) -> str:
    """``exc``'s sentence naming the option the person typed (``--next 0 must be ...``) where
    the service named the value by its keyword (``count 0 must be ...``): the value reached
    the service under the option's parameter name (or the option's own word: ``to`` for
    ``--to``), which is the name the service gives it."""
    if ctx is not None:
        for param in ctx.command.params:
            if isinstance(param, click.Option) and exc.field in _names(param):
                return f"{field_name(param)} {exc.detail}"
    return str(exc)


def _names(option: click.Option) -> set[str]:
    """What a service may call the value of ``option``: its parameter name, or a flag's word."""
    return {
        option.name or "",
        *(flag.lstrip("-").replace("-", " ") for flag in option.opts if flag.startswith("--")),
    }
