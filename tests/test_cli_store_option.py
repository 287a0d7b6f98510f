"""`--db` and `--create` go after a command's name too (`circles serve --db FILE`), as people
type them, and mean what they mean before it (`circles --db FILE serve`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from circles.cli import main
from tests.fault_support import one_line_error
from tests.fault_support import run_cli as _circles


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    path = tmp_path / "circles.db"
    added = _circles("--db", str(path), "person", "add", "Ada Lovelace", "--email", "ada@example.org")
    assert added.exit_code == 0, added.output
    return path


def test_db_after_the_command_reads_the_same_store_as_before_it(store_file):
    before = _circles("--db", str(store_file), "person", "list")
    after = _circles("person", "list", "--db", str(store_file))
    assert (before.exit_code, after.exit_code) == (0, 0), after.output
    assert "Ada Lovelace" in after.stdout
    assert after.stdout == before.stdout


def test_db_after_the_command_is_not_started_when_missing_unless_create_says_so(tmp_path):
    missing = tmp_path / "not-here" / "circles.db"
    refused = _circles("circle", "list", "--db", str(missing))
    assert refused.exit_code == 1
    assert "No store at" in refused.stderr and not missing.exists()
    made = _circles("circle", "list", "--db", str(missing), "--create")
    assert made.exit_code == 0, made.output
    assert missing.exists()


def test_two_different_stores_are_refused_naming_both(store_file, tmp_path):
    other = tmp_path / "other.db"
    result = _circles("--db", str(other), "person", "list", "--db", str(store_file))
    assert result.exit_code == 2
    assert "--db given twice" in result.stderr
    assert str(other) in result.stderr and str(store_file) in result.stderr
    assert not other.exists()


def test_two_database_urls_are_refused_without_their_passwords():
    first = "postgresql://circles:first-secret@127.0.0.1:5432/one"
    result = _circles("--db", first, "person", "list", "--db", "postgresql://ana:s3cret@db.example.org/two")
    assert result.exit_code == 2
    assert "--db given twice ('postgresql://circles:***@127.0.0.1:5432/one' and " in result.stderr
    assert "'postgresql://ana:***@db.example.org/two')" in result.stderr
    assert "first-secret" not in result.output and "s3cret" not in result.output


def _commands(
    group: click.Group, ctx: click.Context, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, click.Command]]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            yield from _commands(command, ctx, (*path, name))
        else:
            yield " ".join((*path, name)), command


def test_every_command_takes_the_store_options():
    ctx = click.Context(main)
    commands = dict(_commands(main, ctx))
    assert "serve" in commands and "circle add" in commands
    missing = [name for name, command in commands.items() if not {"--db", "--create"} <= _flags(command)]
    assert missing == []


def _flags(command: click.Command) -> set[str]:
    return {flag for param in command.params if isinstance(param, click.Option) for flag in param.opts}


@pytest.mark.parametrize(
    "args",
    [
        ["--db", "", "person", "add", "Bo", "--email", "bo@example.org"],
        ["person", "add", "Bo", "--email", "bo@example.org", "--db", "  "],
    ],
)
def test_a_blank_db_is_refused_not_taken_for_the_default_store(args):
    """'--db ""' (an empty shell variable) was taken as --db left out: the person was added to
    the default store, started for it in the data folder (found walking the CLI)."""
    from models.location import default_store_path

    said = one_line_error(_circles(*args))
    assert said.startswith("circles: --db ") and "is blank; give a SQLite file or a database URL" in said
    assert not default_store_path().exists()
