"""circles export ...: files for attendees (calendar invites) and organizers (attendance)."""

from __future__ import annotations

import click

from circles.cli.lazy import LazyGroup


@click.group(
    cls=LazyGroup,
    lazy_subcommands={
        "ics": "circles.cli.export_ics:ics",
        "attendance": "circles.cli.export_attendance:attendance",
    },
)
def export() -> None:
    """Export calendar invites or attendance."""
