"""Running the command line in-process to see how it answers the faults tests put it through."""

from __future__ import annotations

from click.testing import CliRunner, Result


def run_cli(*args: str, env: dict[str, str] | None = None) -> Result:
    """``circles ARGS`` in this process: it must end with an exit status, never an exception
    (which a person would see as a traceback)."""
    from circles.cli import main

    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def one_line_error(result: Result) -> str:
    """The error a command printed: exit status 1, one line on stderr, nothing on stdout."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert result.stderr.startswith("circles: ") and result.stderr.count("\n") == 1, result.stderr
    assert result.stdout == "", result.stdout
    return result.stderr
