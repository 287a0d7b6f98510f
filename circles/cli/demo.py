"""circles demo"""

from __future__ import annotations

import sys
import time

import click

from circles.cli.common import WHOLE_NUMBER, done, state
from circles.cli.flags import Command
from circles.words import count


@click.command(cls=Command)
@click.option(
    "--size",
    type=click.Choice(["small", "large", "huge"]),
    default="small",
    show_default=True,
    help="small: 40 people; large: 10,000 people, a million attendance rows; huge: ten times large.",
)
@click.option(
    "--seed",
    type=WHOLE_NUMBER,
    default=7,
    show_default=True,
    help="The same seed gives the same organisation.",
)
@click.option(
    "--timings",
    is_flag=True,
    help="Print how long each stage took (wall and this process's processor time).",
)
def demo(size: str, seed: int, timings: bool) -> None:
    """Fill an empty store with a demo organisation to try things on."""
    from circles.demo import build_demo

    show = sys.stderr.isatty()
    started = time.perf_counter()
    stage_started: list[tuple[str, float, float]] = []

    def progress(stage: str, fraction: float) -> None:
        if timings and (not stage_started or stage_started[-1][0] != stage):
            wall, cpu = time.perf_counter(), time.process_time()
            if stage_started:
                name, wall_then, cpu_then = stage_started[-1]
                click.echo(
                    f"\r{name:<16} {wall - wall_then:8.1f} s wall {cpu - cpu_then:8.1f} s processor",
                    err=True,
                )
            stage_started.append((stage, wall, cpu))
        if show:
            click.echo(f"\r{stage:<10} {fraction:6.1%}", err=True, nl=False)

    summary = build_demo(state().store(adds=True), size=size, seed=seed, progress=progress)
    if show:
        click.echo("", err=True)
    done(
        f"Demo store ready in {time.perf_counter() - started:.1f}s: "
        f"{count(summary.people, 'person', 'people')}, "
        f"{count(summary.circles, 'circle')}, {count(summary.sessions, 'session')}, "
        f"{count(summary.attendance, 'attendance record')}."
    )
