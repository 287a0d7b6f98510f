"""circles export ...: files for attendees (calendar invites) and organizers (attendance)."""

from __future__ import annotations

import click

from circles.cli.lazy import Lazy, LazyGroup


@click.group(
    cls=LazyGroup,
    lazy_subcommands={
        "ics": Lazy(
            "circles.cli.export_ics:ics", "Export calendar invites (.ics) that every calendar accepts."
        ),
        "attendance": Lazy(
            "circles.cli.export_attendance:attendance",
            "Export attendance: circle, session date and title, person, email, team, RSVP, attended, "
            "presenter, walk-in.",
        ),
    },
)
def export() -> None:
    """Export calendar invites or attendance."""
