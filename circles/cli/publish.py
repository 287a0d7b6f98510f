"""circles publish caldav CIRCLE: keep a shared CalDAV calendar in step with a circle."""

from __future__ import annotations

from collections.abc import Sequence

import click

from circles.cli.common import print_json, reading, state
from circles.cli.flags import Group
from circles.words import count


@click.group(cls=Group)
def publish() -> None:
    """Put a circle's sessions where people look: a shared calendar."""


@publish.command("caldav")
@click.argument("circle_ref", metavar="CIRCLE")
@click.option("--url", help="The calendar's address (default: url in [caldav] of the settings).")
@click.option(
    "--dry-run", "dry_run", is_flag=True, help="Say what would be put, without contacting the server."
)
@click.option("--json", "as_json", is_flag=True, help="Print each session and what became of it as JSON.")
def caldav(circle_ref: str, url: str | None, dry_run: bool, as_json: bool) -> None:
    """Put each upcoming session on the calendar (new ones, moved or changed ones, cancelled ones
    marked cancelled). An event someone changed on the server since is reported, not overwritten;
    a second run puts nothing."""
    from circles.delivery.caldav import CalDavClient, find_calendar
    from circles.delivery.publish import PutResult, publish_plan
    from circles.delivery.settings import check_caldav_url, load_settings
    from circles.services import caldav_publish, circle_records

    if url:
        check_caldav_url(url)
    settings = load_settings().require_caldav(url)
    with reading() as db:
        circle = circle_records.find_circle(db, circle_ref)
    if dry_run:
        target = settings.url if settings.url.endswith("/") else settings.url + "/"
        with reading() as db:
            plan = caldav_publish.plan_publish(db, circle.id, target)
        rows = [(i.session, i.action.value, "") for i in plan.items]
        _report(rows, as_json, head=f"Would publish to {target}")
        return
    store = state().store()
    with CalDavClient(settings) as dav:
        target, _ = find_calendar(dav)
        with reading() as db:
            plan = caldav_publish.plan_publish(db, circle.id, target)

        def echo(result: PutResult) -> None:
            if not as_json:
                verb = result.item.action.value if result.done else f"NOT {result.item.action.value}"
                line = f"{verb}: {result.item.session.label}"
                click.echo(line if result.done else f"{line}: {result.detail}", err=not result.done)

        results = publish_plan(store, plan, dav, progress=echo)
    failed = [r for r in results if not r.done]
    if as_json:
        rows = [(r.item.session, r.item.action.value if r.done else "failed", r.detail) for r in results]
        rows += [(i.session, "unchanged", "") for i in plan.items if i not in plan.to_put]
        _report(rows, True, head="")
    else:
        unchanged = len(plan.items) - len(plan.to_put)
        click.echo(
            f"Published {len(results) - len(failed)} of {count(len(results), 'change')} to {target} "
            f"({unchanged} already up to date)."
        )
    if failed:
        raise SystemExit(1)


def _report(rows: Sequence[tuple[object, str, str]], as_json: bool, *, head: str) -> None:
    from circles.views import SessionView

    items = [(s, a, d) for s, a, d in rows if isinstance(s, SessionView)]
    if as_json:
        print_json(
            [
                {"session_id": s.id, "uid": s.ics_uid, "sequence": s.ics_sequence, "action": a, "detail": d}
                for s, a, d in items
            ]
        )
        return
    for s, a, _ in items:
        click.echo(f"{a}: {s.label}")
    click.echo(
        f"{head}: {sum(1 for _, a, _ in items if a != 'unchanged')} to put, "
        f"{sum(1 for _, a, _ in items if a == 'unchanged')} unchanged."
    )
