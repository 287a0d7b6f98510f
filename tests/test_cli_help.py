"""`circles --help` lists every command with the first sentence of its help, importing none of
them: asking each command for its help imported scipy, openpyxl and the web server, and the
list took two seconds and more."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from circles.cli import main
from circles.cli.export import export
from circles.cli.lazy import LazyGroup
from tests.conftest import REPO

GROUPS = [pytest.param(main, id="circles"), pytest.param(export, id="export")]


@pytest.mark.parametrize("group", GROUPS)
def test_each_summary_is_the_first_sentence_of_the_commands_help(group: LazyGroup) -> None:
    ctx = click.Context(group)
    for name, lazy in group.lazy_subcommands.items():
        command = group.get_command(ctx, name)
        assert command is not None
        assert lazy.summary == command.get_short_help_str(limit=10**6), name


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("width", [40, 80, 200])
def test_the_list_is_the_one_click_makes_from_the_commands(group: LazyGroup, width: int) -> None:
    def listed(format_commands: object) -> str:
        formatter = click.HelpFormatter(width=width)
        format_commands(click.Context(group), formatter)  # type: ignore[operator]
        return formatter.getvalue()

    ours = listed(group.format_commands)
    assert ours == listed(lambda ctx, f: click.Group.format_commands(group, ctx, f))
    assert all(name in ours for name in group.lazy_subcommands)


def test_help_imports_no_command() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from circles.cli import COMMANDS, main\n"
        "assert CliRunner().invoke(main, ['--help']).exit_code == 0\n"
        "modules = {lazy.target.split(':')[0] for lazy in COMMANDS.values()} | {'scipy', 'openpyxl'}\n"
        "print(sorted(modules & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"
