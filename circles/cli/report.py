"""circles report: participation over time, no-shows, RSVP conversion, retention, presenters."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from circles.cli.common import GIVEN, done, plain, reading
from circles.cli.flags import Command
from circles.cli.terminal import OutputFile, binary_standard_output
from circles.words import count

BLOCKS = " ▁▂▃▄▅▆▇█"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def spark(values: list[float | None]) -> str:
    """A one-line chart of shares between 0 and 1 (a gap where there is no figure)."""
    return "".join(" " if v is None else BLOCKS[max(1, round(v * (len(BLOCKS) - 1)))] for v in values)


def _as_json(report: Any) -> dict[str, Any]:
    data: dict[str, Any] = plain(report)
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


@click.command(cls=Command)
@click.option("--circle", "circle_ref", type=GIVEN, metavar="CIRCLE", help="Only this circle (name or id).")
@click.option("--since", type=GIVEN, metavar="YYYY-MM-DD", help="From this day on (the circle's local date).")
@click.option("--until", type=GIVEN, metavar="YYYY-MM-DD", help="Up to and including this day.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option(
    "--xlsx",
    "xlsx",
    type=OutputFile(".xlsx", written="a workbook"),
    metavar="FILE",
    help="Write every table to FILE, one sheet each ('-': standard output, to a file or a pipe).",
)
@click.option("--force", is_flag=True, help="With --xlsx: replace FILE if it is there.")
@click.option("--explain", is_flag=True, help="Say how each figure is defined.")
def report(
    circle_ref: str | None,
    since: str | None,
    until: str | None,
    as_json: bool,
    xlsx: Path | None,
    force: bool,
    explain: bool,
) -> None:
    """Participation, satisfaction and mentoring: is the programme working?

    Counts held sessions (not cancelled; ended, or begun with someone checked in); people are
    expected at the sessions held while they were members; walk-ins count as attended, not as
    expected.
    --explain prints how every figure is defined.
    """
    from circles.services.feedback import lines_learned
    from circles.services.participation import make_scope
    from circles.services.reports import build_report
    from circles.services.success import success_report

    # '--xlsx -' is standard output, which the type gives as None, as when --xlsx is not given.
    as_workbook = click.get_current_context().get_parameter_source("xlsx") is not ParameterSource.DEFAULT
    if as_workbook and xlsx is None:
        binary_standard_output("--xlsx")  # refused on a terminal before the report is read
    with reading() as db:
        scope = make_scope(db, circle=circle_ref, since=since, until=until)
        # The text gives retention in months (success_report); the curve after N sessions is
        # only in --json and --xlsx.
        found = build_report(db, scope, retention_curve=as_json or as_workbook)
        success = success_report(db, scope)
        learned = lines_learned(db, scope) if as_workbook else []
    if as_workbook:
        from circles.exports.atomic import atomic_output
        from circles.exports.success import success_sheets
        from circles.exports.writers import write_xlsx

        sheets = success_sheets(found, success, learned)
        if xlsx is None:  # --xlsx -
            write_xlsx(binary_standard_output("--xlsx"), sheets)
            sys.stdout.buffer.flush()
            return
        with atomic_output(xlsx, force=force, field="--xlsx") as out:
            write_xlsx(out, sheets)
        done(f"Wrote {xlsx} ({len(sheets)} sheets).")
        return
    if as_json:
        from circles.exports.success import success_json

        json.dump(
            _as_json(found) | {"success": success_json(success)}, sys.stdout, indent=2, ensure_ascii=False
        )
        sys.stdout.write("\n")
        return
    totals = found.totals
    title = found.circle_name or "All circles"
    click.echo(f"{title}: {count(totals.sessions, 'held session')}")
    if not found.participation:
        click.echo("No held sessions in this range: nothing to report yet.")
        return
    points = found.participation
    click.echo(f"\nParticipation  {_percent(totals.rate)} ({totals.attended} of {totals.expected} expected)")
    click.echo(f"  {points[0].period} {spark([p.rate for p in points])} {points[-1].period}")
    click.echo(f"  trend: {_change(success.participation_trend.change)}")
    ns = found.no_shows
    click.echo(
        f"No-shows       {_percent(ns.rate)} ({ns.no_shows} of {ns.said_yes} who said yes did not come)"
    )
    click.echo("RSVP to attendance")
    for c in found.conversion:
        click.echo(f"  {c.rsvp.value:<6} {_percent(c.rate):>5}  ({c.attended} of {c.answered} came)")
    _retention_lines(success)
    pd = found.presenters
    click.echo(f"Presenters     {_percent(pd.share)} of members presented ({pd.presented} of {pd.members})")
    _success_lines(success)
    if explain:
        from circles.success_views import DEFINITIONS

        click.echo("\nHow the figures are defined")
        for label, text in DEFINITIONS.values():
            click.echo(f"  {label}: {text}")
    if len(found.circles) > 1:
        click.echo("\nBy circle")
        width = max(len(c.circle) for c in found.circles)
        for row in found.circles:
            click.echo(
                f"  {row.circle:<{width}}  {count(row.sessions, 'session'):>13}  "
                f"{_percent(row.rate):>5} participation  "
                f"{count(row.walk_ins, 'walk-in'):>12}"
            )


def _change(value: float | None, *, points: bool = False) -> str:
    if value is None:
        return "no trend yet"
    return (
        f"{value:+.1f} since the earlier months"
        if points
        else f"{value * 100:+.0f} points since the earlier months"
    )


def _retention_lines(s: Any) -> None:
    """Retention in months: the figure the Organisation screen shows and --explain defines, in
    their words (the retention after N sessions stays in --json and --xlsx, which name it)."""
    from circles.success_views import DEFINITIONS

    reached = [r for r in s.retention if r.members]
    if not reached:
        click.echo(f"{DEFINITIONS['retention'][0]}: too soon to tell")
    for r in reached:
        of = f"({r.still_attending} of {count(r.members, 'member')})"
        click.echo(f"Retention after {r.months} months  {_percent(r.rate):>5}  {of}")


def _success_lines(s: Any) -> None:
    """The success figures beyond participation: satisfaction and mentoring."""
    sat = s.satisfaction
    mean = "-" if sat.mean is None else f"{sat.mean:.1f} / 5"
    click.echo(
        f"Satisfaction   {mean} ({count(sat.ratings, 'rating')}; {_percent(sat.response_rate)} of "
        f"{sat.attendees} who came answered)"
    )
    points = s.satisfaction_trend.points
    if points:
        values = [None if p.value is None else (p.value - 1) / 4 for p in points]
        change = _change(s.satisfaction_trend.change, points=True)
        click.echo(f"  {points[0].period} {spark(values)} {points[-1].period}  {change}")
    m = s.mentoring
    if m is not None and m.programmes:
        ended = f"({m.completed} of {m.completed + m.ended_early})"
        click.echo(
            f"Mentoring      {count(m.pairs_active, 'pair')} active; "
            f"{m.meetings_held} of {m.meetings_planned} planned meetings held; "
            f"completion {_percent(m.completion)} {ended}"
        )
