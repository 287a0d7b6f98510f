"""circles program ... and circles pair ...: mentorship programmes, their matching and their pairs."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from circles import validate
from circles.cli.common import (
    CADENCE,
    RECORD_ID,
    done,
    json_option,
    plain,
    print_json,
    print_table,
    reading,
    writing,
)
from circles.cli.flags import Group
from circles.errors import NotAllowed
from circles.programme_views import ConfirmedRound, LeftOut, PairView, ProposalView
from circles.services import clock, pairing, pairs, people, programmes
from circles.words import count

if TYPE_CHECKING:
    from sqlmodel import Session


def _int(value: str | None, field: str) -> int | None:
    return None if value is None else validate.parse_int(value, field)


def _date(value: str | None, field: str) -> Any:
    return None if value is None else validate.parse_date(value, field)


def _emails(values: tuple[str, ...]) -> list[str]:
    """--avoid a@x --avoid b@x, or --avoid "a@x, b@x": the same list."""
    return [e for v in values for e in v.replace(",", " ").split() if e]


def _dump(value: object) -> None:
    json.dump(plain(value), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def _left_json(left: list[LeftOut]) -> list[dict[str, object]]:
    return [{"person": u.person.email, "name": u.person.name, "reason": u.reason} for u in left]


def _pair_json(p: PairView) -> dict[str, object]:
    return {
        "id": p.id,
        "people": [x.email for x in p.people],
        "names": [x.name for x in p.people],
        "roles": [x.role.value for x in p.people],
        "reasons": p.reasons,
        "status": p.status.value,
        "round": p.round_number,
        "started_on": p.started_on.isoformat(),
        "ended_on": p.ended_on.isoformat() if p.ended_on else None,
        "end_reason": p.end_reason,
        "met": p.met,
        "meetings": p.meetings,
    }


@click.group(cls=Group)
def program() -> None:
    """Mentoring, reverse-mentoring, buddy and coffee programmes."""


@program.command("add")
@click.argument("name")
@click.option("--kind", required=True, metavar="mentoring|reverse-mentoring|buddy|coffee")
@click.option("--from", "starts_on", metavar="YYYY-MM-DD", help="First day of the programme.")
@click.option("--to", "ends_on", metavar="YYYY-MM-DD", help="Last day of the programme.")
@click.option(
    "--cadence", metavar="PHRASE", help='How often pairs meet, e.g. "every 2 weeks on tue at 15:00".'
)
@click.option("--minutes", "minutes", metavar="N", help="How long a pair's meeting lasts (default 30).")
@click.option("--group-size", metavar="2|3", help="Buddy and coffee: pairs (2, the default) or trios (3).")
@click.option("--allow-same-team", is_flag=True, help="Let people of the same team be paired.")
@click.option(
    "--no-repeat-weeks", metavar="N", help="A pair may meet again after N weeks (default: once everyone met)."
)
def add(
    name: str,
    kind: str,
    starts_on: str | None,
    ends_on: str | None,
    cadence: str | None,
    minutes: str | None,
    group_size: str | None,
    allow_same_team: bool,
    no_repeat_weeks: str | None,
) -> None:
    """Create a programme."""
    p = writing(
        lambda db: programmes.add_programme(
            db,
            name=name,
            kind=kind,
            starts_on=_date(starts_on, "--from"),
            ends_on=_date(ends_on, "--to"),
            cadence=cadence,
            meeting_minutes=_int(minutes, "--minutes") or 30,
            group_size=_int(group_size, "--group-size"),
            allow_same_team=allow_same_team,
            no_repeat_weeks=_int(no_repeat_weeks, "--no-repeat-weeks"),
        ),
        adds=True,
    )
    done(f"Created the {p.kind.label} programme {p.name} (id {p.id}); {p.repeat_rule}.")


@program.command("list")
@click.option("--all", "include_archived", is_flag=True, help="Include archived programmes.")
@json_option
def list_(include_archived: bool, as_json: bool) -> None:
    """List programmes with their participants, active pairs and rounds."""
    with reading() as db:
        found = programmes.list_programmes(db, include_archived=include_archived)
    if as_json:
        print_json(found)
        return
    rows = [
        (
            s.programme.id,
            s.programme.name,
            s.programme.kind.label,
            s.participants,
            s.active_pairs,
            s.rounds,
            s.last_round_on or "",
            s.programme.cadence or "",
            *(["archived" if s.programme.archived else ""] if include_archived else []),
        )
        for s in found
    ]
    print_table(
        ["id", "name", "kind", "people", "active pairs", "rounds", "last round", "cadence"]
        + (["status"] if include_archived else []),
        rows,
        empty="No programmes yet: create one with 'circles program add NAME --kind mentoring'.",
    )


@program.command("rename")
@click.argument("programme_ref", metavar="PROGRAM")
@click.argument("new_name")
def rename(programme_ref: str, new_name: str) -> None:
    """Give a programme a new name (its pairs' invites carry it)."""

    def rename_it(db: Session) -> str:
        p = programmes.find_programme(db, programme_ref)
        renamed = programmes.rename(db, p.id, new_name)
        return f"Renamed {p.name} to {renamed.name}."

    done(writing(rename_it))


@program.command("edit")
@click.argument("programme_ref", metavar="PROGRAM")
@click.option("--from", "starts_on", metavar="YYYY-MM-DD", help="Its first day.")
@click.option("--to", "ends_on", metavar="YYYY-MM-DD", help="Its last day.")
@click.option("--no-end", is_flag=True, help="No last day: it runs until archived.")
@click.option("--name", help="Its new name.")
def edit(
    programme_ref: str, starts_on: str | None, ends_on: str | None, no_end: bool, name: str | None
) -> None:
    """Change a programme's dates or name (a first day after a round already made is refused)."""
    from circles.services.versioned import UNCHANGED

    if ends_on is not None and no_end:
        raise click.UsageError("Give --to or --no-end, not both.")
    if starts_on is None and ends_on is None and not no_end and name is None:
        raise click.UsageError("Say what to change, e.g. --to 2026-12-31.")
    first = _date(starts_on, "--from")
    last = _date(ends_on, "--to")

    def change(db: Session) -> str:
        p = programmes.find_programme(db, programme_ref)
        p = programmes.edit(
            db,
            p.id,
            name=name,
            starts_on=UNCHANGED if first is None else first,
            ends_on=None if no_end else (UNCHANGED if last is None else last),
        )
        since = f"from {p.starts_on:%d %b %Y}" if p.starts_on else "from its first round"
        until = f"to {p.ends_on:%d %b %Y}" if p.ends_on else "with no end"
        return f"Saved {p.name} (id {p.id}): {since} {until}."

    done(writing(change))


@program.command("archive")
@click.argument("programme_ref", metavar="PROGRAM")
def archive(programme_ref: str) -> None:
    """Archive a programme: hidden from lists (but --all), nothing new matched, its history kept."""

    def archive_it(db: Session) -> str:
        p = programmes.find_programme(db, programme_ref)
        programmes.archive(db, p.id)
        return (
            f"Archived {p.name}; its pairs and meetings are kept. 'circles program unarchive' brings it back."
        )

    done(writing(archive_it))


@program.command("unarchive")
@click.argument("programme_ref", metavar="PROGRAM")
def unarchive(programme_ref: str) -> None:
    """Bring an archived programme back."""

    def bring_back(db: Session) -> str:
        p = programmes.find_programme(db, programme_ref)
        programmes.archive(db, p.id, archived=False)
        return f"{p.name} is back in the list."

    done(writing(bring_back))


@program.command("delete")
@click.argument("programme_ref", metavar="PROGRAM")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete(programme_ref: str, yes: bool) -> None:
    """Delete a programme that never had a pair, with its participants (else archive it)."""
    with reading() as db:
        p = programmes.find_programme(db, programme_ref)
    if not yes:
        if not sys.stdin.isatty():
            raise NotAllowed(f"Nothing deleted: add --yes to delete {p.name} without a terminal to ask on.")
        if not click.confirm(f"Delete {p.name} and its participants for good?"):
            raise NotAllowed("Nothing deleted.")
    gone = writing(lambda db: programmes.delete_programme(db, p.id))
    done(f"Deleted {gone.name}.")


@program.command("cadence")
@click.argument("programme_ref", metavar="PROGRAM")
@click.argument("phrase", required=False, type=CADENCE)
@click.option("--clear", is_flag=True, help="No cadence: pairs arrange their own meetings.")
def cadence(programme_ref: str, phrase: str | None, clear: bool) -> None:
    """Set how often the programme's pairs meet (their invites follow it)."""
    if not clear and not phrase:
        raise click.UsageError('Give a cadence such as "every 2 weeks on tue at 15:00", or --clear.')
    p = writing(
        lambda db: programmes.set_cadence(
            db, programmes.find_programme(db, programme_ref).id, None if clear else phrase
        )
    )
    done(f"{p.name}: pairs meet {p.cadence}." if p.cadence else f"{p.name}: no cadence.")


@program.command("join")
@click.argument("programme_ref", metavar="PROGRAM")
@click.argument("email")
@click.option("--as", "role", required=True, metavar="mentor|mentee|member")
@click.option("--capacity", metavar="N", help="Mentors: how many mentees at once (default 1).")
@click.option("--offers", default="", metavar='"a, b"', help="Topics they can help with.")
@click.option("--wants", default="", metavar='"a, b"', help="Topics they want to learn.")
@click.option("--tz", "zone", metavar="ZONE", help="Their timezone (default: the one of their circles).")
@click.option(
    "--since", metavar="YYYY-MM-DD", help="Seniority: with the organisation since (default: first circle)."
)
@click.option("--paused-until", metavar="YYYY-MM-DD", help="Not matched before this day.")
@click.option(
    "--avoid", multiple=True, metavar="EMAIL", help="Never pair them with this person (repeatable)."
)
def join(
    programme_ref: str,
    email: str,
    role: str,
    capacity: str | None,
    offers: str,
    wants: str,
    zone: str | None,
    since: str | None,
    paused_until: str | None,
    avoid: tuple[str, ...],
) -> None:
    """Add a person (by e-mail) to a programme."""

    def join_it(db: Session) -> str:
        p = programmes.find_programme(db, programme_ref)
        person = people.find_person(db, email)
        avoided = [people.find_person(db, e).id for e in _emails(avoid)]
        part = programmes.join(
            db,
            p.id,
            person.id,
            role=role,
            capacity=_int(capacity, "--capacity"),
            offers=offers,
            wants=wants,
            timezone=zone,
            since=_date(since, "--since"),
            paused_until=_date(paused_until, "--paused-until"),
            avoid=avoided,
        )
        extra = f", up to {part.capacity} mentees" if part.capacity > 1 else ""
        return f"{part.name} joined {p.name} as {part.role.value}{extra} ({part.timezone})."

    done(writing(join_it))


@program.command("leave")
@click.argument("programme_ref", metavar="PROGRAM")
@click.argument("email")
def leave(programme_ref: str, email: str) -> None:
    """Take someone out of a programme; their active pairs end early, history stays."""

    def leave_it(db: Session) -> str:
        p = programmes.find_programme(db, programme_ref)
        person = people.find_person(db, email)
        programmes.leave(db, p.id, person.id)
        return f"{person.name} left {p.name}; their past pairs are kept."

    done(writing(leave_it))


@program.command("resume")
@click.argument("programme_ref", metavar="PROGRAM")
@click.argument("email")
def resume(programme_ref: str, email: str) -> None:
    """End someone's pause (theirs, or the one for not answering three rounds)."""

    def end_pause(db: Session) -> str:
        p = programmes.find_programme(db, programme_ref)
        person = people.find_person(db, email)
        programmes.pause(db, p.id, person.id, until=None)
        return f"{person.name} is matched again in {p.name}."

    done(writing(end_pause))


@program.command("participants")
@click.argument("programme_ref", metavar="PROGRAM")
@click.option("--past", is_flag=True, help="Include people who left.")
@json_option
def participants(programme_ref: str, past: bool, as_json: bool) -> None:
    """List a programme's participants."""
    with reading() as db:
        p = programmes.find_programme(db, programme_ref)
        found = programmes.list_participants(db, p.id, include_past=past)
        today = clock.today(db)
    if as_json:
        print_json(found)
        return
    rows = [
        (
            x.name,
            x.email,
            x.role.value,
            x.capacity if x.role.value == "mentor" else "",
            ", ".join(x.offers),
            ", ".join(x.wants),
            x.timezone,
            x.standing(today) or ("left" if x.left_at else ""),
        )
        for x in found
    ]
    print_table(
        ["name", "email", "as", "capacity", "offers", "wants", "timezone", "status"],
        rows,
        empty=f"Nobody is in {p.name} yet: add people with 'circles program join'.",
    )


def _show_proposal(proposal: ProposalView) -> None:
    for n, g in enumerate(proposal.groups, start=1):
        locked = "  [locked]" if g.locked else ""
        click.echo(f"{n:>3}. {g.names}  ({', '.join(x.email or 'no e-mail' for x in g.people)}){locked}")
        click.echo(f"     {g.reasons}")
    if not proposal.groups:
        click.echo("No pairs to propose.")
    for u in proposal.unmatched:
        click.echo(f"  not matched: {u.person.name} <{u.person.email}>: {u.reason}")
    for ghost in proposal.ghosts:
        click.echo(f"  will be paused: {ghost.name} <{ghost.email}>: {pairing.GHOST_REASON}")
    for a, b in proposal.rejected:
        click.echo(f"  rejected: {a.name} & {b.name} ({a.email}, {b.email}): never proposed again here")
    for aside in proposal.set_aside:
        click.echo(f"  lock set aside: {aside.names}: {aside.reason}")


def _decide(
    programme_ref: str, emails: Sequence[str], apply: Callable[[Session, int, list[int]], None]
) -> str:
    """Lock, unlock, reject and unreject alike: the programme and the people by e-mail, the
    decision applied in one write; the programme's name for the line that says so."""

    def decide(db: Session) -> str:
        p = programmes.find_programme(db, programme_ref)
        apply(db, p.id, [people.find_person(db, e).id for e in emails])
        return p.name

    return writing(decide)


@program.command("lock")
@click.argument("programme_ref", metavar="PROGRAM")
@click.argument("emails", nargs=-1, required=True, metavar="EMAIL EMAIL [EMAIL]")
def lock(programme_ref: str, emails: tuple[str, ...]) -> None:
    """Keep this pair (the mentor first; a trio names three) in every proposal until confirmed."""
    name = _decide(programme_ref, emails, pairing.lock)
    done(f"Locked {' & '.join(emails)} in {name}: 'match' and 'confirm' keep them together.")


@program.command("unlock")
@click.argument("programme_ref", metavar="PROGRAM")
@click.argument("emails", nargs=-1, required=True, metavar="EMAIL EMAIL")
def unlock(programme_ref: str, emails: tuple[str, ...]) -> None:
    """Take a lock back: matching may pair them otherwise again."""
    name = _decide(programme_ref, emails, pairing.unlock)
    done(f"Unlocked {' & '.join(emails)} in {name}.")


@program.command("reject")
@click.argument("programme_ref", metavar="PROGRAM")
@click.argument("first")
@click.argument("second")
def reject(programme_ref: str, first: str, second: str) -> None:
    """Never propose these two together in this programme again."""
    name = _decide(programme_ref, (first, second), lambda db, pid, two: pairing.reject(db, pid, *two))
    done(f"{first} and {second} are never proposed together in {name} again ('unreject' takes it back).")


@program.command("unreject")
@click.argument("programme_ref", metavar="PROGRAM")
@click.argument("first")
@click.argument("second")
def unreject(programme_ref: str, first: str, second: str) -> None:
    """Take a rejection back."""
    name = _decide(programme_ref, (first, second), lambda db, pid, two: pairing.unreject(db, pid, *two))
    done(f"{first} and {second} may be proposed together in {name} again.")


@program.command("match")
@click.argument("programme_ref", metavar="PROGRAM")
@click.option("--seed", default="0", metavar="N", help="Ties are broken by this seed (default 0).")
@click.option("--on", "on", metavar="YYYY-MM-DD", help="Match as of this day (default: today).")
@json_option
def match(programme_ref: str, seed: str, on: str | None, as_json: bool) -> None:
    """Propose pairs with their reasons; changes nothing ('confirm' with the same seed makes them)."""
    with reading() as db:
        p = programmes.find_programme(db, programme_ref)
        proposal = pairing.propose(db, p.id, seed=_int(seed, "--seed") or 0, on=_date(on, "--on"))
    if as_json:
        _dump(
            {
                "programme": proposal.programme.name,
                "on": proposal.on,
                "seed": proposal.seed,
                "pairs": [
                    {
                        "id": None,
                        "proposal": n,
                        "people": [x.email for x in g.people],
                        "names": [x.name for x in g.people],
                        "roles": [x.role.value for x in g.people],
                        "reasons": g.reasons,
                        "locked": g.locked,
                    }
                    for n, g in enumerate(proposal.groups, start=1)
                ],
                "unmatched": _left_json(proposal.unmatched),
                "paused_as_ghosts": [g.email for g in proposal.ghosts],
                "rejected": [[a.email, b.email] for a, b in proposal.rejected],
                "locks_set_aside": [
                    {"people": [x.email for x in s.people], "reason": s.reason} for s in proposal.set_aside
                ],
            }
        )
        return
    click.echo(f"{proposal.programme.name}, {proposal.on:%d %b %Y}, seed {proposal.seed}:")
    _show_proposal(proposal)
    if proposal.groups:
        again = f"circles program confirm {shlex.quote(p.name)} --seed {proposal.seed}"
        if on is not None:  # the same day, or confirm would make the round for today
            again += f" --on {proposal.on.isoformat()}"
        click.echo(f"Nothing is changed yet: '{again}' makes these.")


@program.command("confirm")
@click.argument("programme_ref", metavar="PROGRAM")
@click.option("--seed", default="0", metavar="N", help="The seed 'match' showed (default 0).")
@click.option("--on", "on", metavar="YYYY-MM-DD", help="The round's day (default: today).")
def confirm(programme_ref: str, seed: str, on: str | None) -> None:
    """Make exactly what 'match' with the same seed showed into pairs (or the next round)."""

    def confirm_it(db: Session) -> tuple[str, ConfirmedRound]:
        p = programmes.find_programme(db, programme_ref)
        return p.name, pairing.confirm(db, p.id, seed=_int(seed, "--seed") or 0, on=_date(on, "--on"))

    name, result = writing(confirm_it)
    r = result.round
    closed = (
        f"; the {count(result.completed, 'pair')} of the round before completed" if result.completed else ""
    )
    made = count(len(result.pairs), "pair")
    done(f"Round {r.number} of {name} on {r.held_on:%d %b %Y}: {made}{closed}.")
    for pair in result.pairs:
        click.echo(f"  pair {pair.id}: {pair.names}")
        if pair.reasons:  # why they were paired, as 'match' and the app's proposals showed it
            click.echo(f"     {pair.reasons}")
    for u in result.unmatched:
        click.echo(f"  not matched: {u.person.name}: {u.reason}")
    for g in result.ghosts:
        click.echo(
            f"Paused {g.name} <{g.email}>: {pairing.GHOST_REASON}. 'circles program resume' ends it.",
            err=True,
        )


@program.command("pairs")
@click.argument("programme_ref", metavar="PROGRAM")
@click.option("--all", "include_ended", is_flag=True, help="Include pairs that ended.")
@json_option
def pairs_(programme_ref: str, include_ended: bool, as_json: bool) -> None:
    """List a programme's pairs (active ones unless --all), and who is in none."""
    with reading() as db:
        p = programmes.find_programme(db, programme_ref)
        found = pairs.list_pairs(db, p.id, include_ended=include_ended)
        today = clock.today(db)
        paired = {x.person_id for pair in found if pair.status.value == "active" for x in pair.people}
        waiting = [
            (x, x.pause_text(today) or "not in an active pair")
            for x in programmes.list_participants(db, p.id)
            if x.person_id not in paired and not (x.role.value == "mentor" and x.active_pairs)
        ]
    if as_json:
        _dump(
            {
                "programme": p.name,
                "pairs": [_pair_json(x) for x in found],
                "unmatched": [{"person": x.email, "name": x.name, "reason": why} for x, why in waiting],
            }
        )
        return
    rows = [
        (
            x.id,
            x.names,
            x.status.label,
            x.started_on,
            x.ended_on or "",
            x.meetings,
            {True: "yes", False: "no", None: ""}[x.met],
            x.reasons if x.status.value == "active" else x.end_reason,
        )
        for x in found
    ]
    print_table(
        ["id", "people", "status", "since", "ended", "meetings", "met", "why / how it ended"],
        rows,
        empty=f"{p.name} has no {'' if include_ended else 'active '}pairs: "
        "'circles program match' proposes some.",
    )
    for x, why in waiting:
        click.echo(f"  not paired: {x.name} <{x.email}>: {why}")


@program.command("rounds")
@click.argument("programme_ref", metavar="PROGRAM")
@json_option
def rounds(programme_ref: str, as_json: bool) -> None:
    """List a programme's rounds with the answers to "did you meet?"."""
    with reading() as db:
        p = programmes.find_programme(db, programme_ref)
        found = pairs.list_rounds(db, p.id)
    if as_json:
        print_json(found)
        return
    rows = [(r.number, r.held_on, r.seed, r.pairs, r.met, r.not_met, r.no_answer) for r in found]
    print_table(["round", "on", "seed", "pairs", "met", "did not", "no answer"], rows, empty="No rounds yet.")


@program.command("report")
@click.argument("programme_ref", metavar="PROGRAM")
@json_option
def report(programme_ref: str, as_json: bool) -> None:
    """Pairs, meetings held against planned, completion."""
    with reading() as db:
        p = programmes.find_programme(db, programme_ref)
        r = pairs.report(db, p.id)
    if as_json:
        data = plain(r)
        data["rows"] = [{**_pair_json(pair), "meetings_planned": planned} for pair, planned in r.rows]
        data["completion"] = r.completion
        _dump(data)
        return
    completion = f"{r.completion:.0%}" if r.completion is not None else "none ended yet"
    held = f" ({r.held_share:.0%})" if r.held_share is not None else ""
    click.echo(f"{p.name} ({p.kind.label}): {count(r.pairs, 'pair')}, {r.active} active")
    click.echo(f"  completed {r.completed}, ended early {r.ended_early}: completion {completion}")
    if r.meetings_planned:
        beyond = r.meetings_met - r.meetings_held
        more = f"; {count(beyond, 'meeting')} more, beyond the plan" if beyond > 0 else ""
        click.echo(f"  meetings held {r.meetings_held} of {r.meetings_planned} planned{held}{more}")
    else:
        # "held 0 of 0 planned; 2 more, beyond the plan" read as if nothing was held.
        why = "no cadence: pairs arrange their own" if not (p.cadence or p.kind.has_rounds) else "none yet"
        click.echo(f"  meetings held {r.meetings_met}, none planned ({why})")
    if r.rounds:
        click.echo(
            f"  rounds {r.rounds}: met {r.answered_met}, did not {r.answered_not_met}, "
            f"no answer {r.no_answer}"
        )


# -- pairs ------------------------------------------------------------------------------------


@click.group(cls=Group)
def pair() -> None:
    """One pair: its meetings, goals, and how it ended."""


@pair.command("show")
@click.argument("pair_id", type=RECORD_ID)
@json_option
def show(pair_id: int, as_json: bool) -> None:
    """A pair with its goals and meetings."""
    with reading() as db:
        d = pairs.pair_detail(db, pair_id)
    if as_json:
        _dump(d)
        return
    x = d.pair
    # An ended pair says when it ended: "ended early since" its first day read as its end.
    when = (
        f"since {x.started_on:%d %b %Y}"
        if x.ended_on is None
        else f"on {x.ended_on:%d %b %Y}, from {x.started_on:%d %b %Y}"
    )
    click.echo(f"Pair {x.id} of {x.programme_name}: {x.names} ({x.status.label} {when})")
    if x.reasons:
        click.echo(f"  why: {x.reasons}")
    for g in d.goals:
        click.echo(f"  goal {g.id}: [{'x' if g.done else ' '}] {g.text}")
    click.echo(f"  meetings: {len(d.meetings)} held, {d.planned} planned")
    for m in d.meetings:
        click.echo(
            f"    {m.held_on:%d %b %Y}"
            + (f", {m.minutes} min" if m.minutes else "")
            + (f": {m.note}" if m.note else "")
        )


@pair.command("meet")
@click.argument("pair_id", type=RECORD_ID)
@click.option("--on", "on", required=True, metavar="YYYY-MM-DD", help="The day they met.")
@click.option("--minutes", metavar="N", help="How long.")
@click.option("--note", default="", metavar="T", help="What they talked about.")
def meet(pair_id: int, on: str, minutes: str | None, note: str) -> None:
    """Log a meeting a pair held."""
    m = writing(
        lambda db: pairs.log_meeting(
            db,
            pair_id,
            held_on=validate.parse_date(on, "--on"),
            minutes=_int(minutes, "--minutes"),
            note=note,
        )
    )
    done(f"Logged pair {pair_id}'s meeting of {m.held_on:%d %b %Y}.")


@pair.command("met")
@click.argument("pair_id", type=RECORD_ID)
@click.argument("answer", type=click.Choice(["yes", "no"], case_sensitive=False))
def met(pair_id: int, answer: str) -> None:
    """Answer "did you meet?" for a pair (only meetings that happened count as history)."""
    p = writing(lambda db: pairs.answer(db, pair_id, met=answer.lower() == "yes"))
    done(f"{p.names}: {'met' if p.met else 'did not meet'}.")


@pair.command("goal")
@click.argument("pair_id", type=RECORD_ID)
@click.argument("text")
def goal(pair_id: int, text: str) -> None:
    """Add a goal to a pair."""
    g = writing(lambda db: pairs.add_goal(db, pair_id, text))
    done(f"Goal {g.id} added to pair {pair_id}.")


@pair.command("end")
@click.argument("pair_id", type=RECORD_ID)
@click.option("--completed", is_flag=True, help="They reached the end as planned.")
@click.option("--reason", metavar="T", help="Why it ended early.")
@click.option("--on", "on", metavar="YYYY-MM-DD", help="The day it ended (default: today).")
def end(pair_id: int, completed: bool, reason: str | None, on: str | None) -> None:
    """End a pair: --completed, or --reason T for ending early."""
    if completed == (reason is not None):
        raise click.UsageError("Give --completed, or --reason T for a pair that ends early.")
    p = writing(
        lambda db: pairs.end_pair(db, pair_id, completed=completed, reason=reason or "", on=_date(on, "--on"))
    )
    done(f"Pair {p.id} ({p.names}) {p.status.label} on {p.ended_on:%d %b %Y}.")
