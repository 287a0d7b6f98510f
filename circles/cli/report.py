"""circles report: participation over time, no-shows, RSVP conversion, retention, presenters."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from circles.cli.common import plain, reading

BLOCKS = " ▁▂▃▄▅▆▇█"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def spark(values: list[float | None]) -> str:
    """A one-line chart of shares between 0 and 1 (a gap where there is no figure)."""
    return "".join(" " if v is None else BLOCKS[max(1, round(v * (len(BLOCKS) - 1)))] for v in values)


def _as_json(report: Any) -> dict[str, Any]:
    data = plain(report)
    # The computed figures are properties; scripts want them too.
    data["totals"] = plain(report.totals) | {"rate": report.totals.rate}
    for key, items in (
        ("participation", report.participation),
        ("conversion", report.conversion),
        ("retention", report.retention),
        ("circles", report.circles),
    ):
        for entry, item in zip(data[key], items, strict=True):
            entry["rate"] = item.rate
    data["no_shows"]["rate"] = report.no_shows.rate
    data["presenters"]["share"] = report.presenters.share
    for entry, item in zip(data["circles"], report.circles, strict=True):
        entry["average_headcount"] = item.average_headcount
    return data


@click.command()
@click.option("--circle", "circle_ref", metavar="CIRCLE", help="Only this circle (name or id).")
@click.option("--since", metavar="YYYY-MM-DD", help="From this day on (the circle's local date).")
@click.option("--until", metavar="YYYY-MM-DD", help="Up to and including this day.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def report(circle_ref: str | None, since: str | None, until: str | None, as_json: bool) -> None:
    """Participation: who comes, who presents, who drops off.

    Counts held sessions (not cancelled, already started); people are expected at the
    sessions held while they were members; walk-ins count as attended, not as expected.
    """
    from circles.services.participation import make_scope
    from circles.services.reports import build_report

    with reading() as db:
        found = build_report(db, make_scope(db, circle=circle_ref, since=since, until=until))
    if as_json:
        json.dump(_as_json(found), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return
    totals = found.totals
    title = found.circle_name or "All circles"
    click.echo(f"{title}: {totals.sessions} held sessions")
    if not found.participation:
        click.echo("No held sessions in this range: nothing to report yet.")
        return
    points = found.participation
    click.echo(f"\nParticipation  {_percent(totals.rate)} ({totals.attended} of {totals.expected} expected)")
    click.echo(f"  {points[0].period} {spark([p.rate for p in points])} {points[-1].period}")
    ns = found.no_shows
    click.echo(
        f"No-shows       {_percent(ns.rate)} ({ns.no_shows} of {ns.said_yes} who said yes did not come)"
    )
    click.echo("RSVP to attendance")
    for c in found.conversion:
        click.echo(f"  {c.rsvp.value:<6} {_percent(c.rate):>5}  ({c.attended} of {c.answered} came)")
    click.echo("Retention (still coming after N sessions)")
    for r in found.retention:
        if r.members:
            click.echo(
                f"  after {r.after:<3} {_percent(r.rate):>5}  ({r.still_attending} of {r.members} members)"
            )
    pd = found.presenters
    click.echo(f"Presenters     {_percent(pd.share)} of members presented ({pd.presented} of {pd.members})")
    if len(found.circles) > 1:
        click.echo("\nBy circle")
        width = max(len(c.circle) for c in found.circles)
        for c in found.circles:
            click.echo(
                f"  {c.circle:<{width}}  {c.sessions:>4} sessions  {_percent(c.rate):>5} participation  "
                f"{c.walk_ins:>4} walk-ins"
            )
