"""Programmes through the services and the CLI, on SQLite and PostgreSQL: joining, matching and
confirming (exactly what match showed, in one transaction), rounds that meet everyone once,
"did you meet?" and ghosts, meetings, ending pairs, the report, and bad input as one line."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from circles.errors import AlreadyExists, CirclesError, InvalidInput, NotAllowed
from circles.services import pairing, pairs, people, programmes, success
from circles.services.participation import Scope
from models.enums import PairStatus
from models.store import Store
from tests import factories
from tests.conftest import FixedClock
from tests.statements import statements_sent
from tests.test_cli import Cli

ON = date(2026, 3, 3)  # the fixed clock's day


def _people(store: Store, n: int, prefix: str, *, teams: int | None = None) -> list[int]:
    return [
        factories.person(
            store,
            f"{prefix} {i}",
            f"{prefix.lower()}{i}@example.org",
            team=f"T{i % teams}" if teams else None,
        ).id
        for i in range(n)
    ]


def _mentoring(store: Store) -> tuple[int, list[int], list[int]]:
    with store.write() as db:
        p = programmes.add_programme(
            db, name="Mentors", kind="mentoring", cadence="every 2 weeks on tue at 15:00"
        )
    mentors = _people(store, 6, "Mentor", teams=3)
    mentees = _people(store, 10, "Mentee", teams=2)
    with store.write() as db:
        for m in mentors:
            programmes.join(db, p.id, m, role="mentor", capacity=2, offers="Rust, Go, SQL")
        for i, e in enumerate(mentees):
            programmes.join(db, p.id, e, role="mentee", wants=["rust", "go", "sql"][i % 3])
    return p.id, mentors, mentees


def test_confirm_makes_exactly_what_match_showed_and_capacity_holds(store: Store) -> None:
    pid, _mentors, _mentees = _mentoring(store)
    with store.read() as db:
        shown = pairing.propose(db, pid, seed=5)
        again = pairing.propose(db, pid, seed=5)
    assert shown == again
    assert len(shown.groups) == 10 and not [u for u in shown.unmatched if u.person.role.value == "mentee"]
    with store.write() as db:
        made = pairing.confirm(db, pid, seed=5)
    assert [tuple(x.person_id for x in p.people) for p in made.pairs] == shown.signature
    assert all(p.reasons for p in made.pairs)
    load = Counter(p.people[0].person_id for p in made.pairs)
    assert max(load.values()) <= 2
    # Matching again proposes nobody: every mentee has an active pair, one per programme.
    with store.read() as db:
        assert pairing.propose(db, pid, seed=5).groups == []


def test_confirm_refuses_a_proposal_that_no_longer_holds(store: Store) -> None:
    pid, _, _mentees = _mentoring(store)
    with store.read() as db:
        shown = pairing.propose(db, pid, seed=1)
    with store.write() as db:
        programmes.leave(db, pid, shown.groups[0].people[1].person_id)
    with pytest.raises(NotAllowed, match="changed since"), store.write() as db:
        pairing.confirm(db, pid, seed=1, expected=shown.signature)
    with store.read() as db:
        assert pairs.list_pairs(db, pid, include_ended=True) == []


def test_a_confirm_is_one_transaction(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    pid, _, _ = _mentoring(store)

    # Everything is written by then (round, pairs, their people); the failure comes last.
    def failing(db: object, round_id: int) -> object:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(pairing.pair_service, "get_round", failing)
    with pytest.raises(RuntimeError), store.write() as db:
        pairing.confirm(db, pid, seed=2)
    with store.read() as db:
        assert pairs.list_pairs(db, pid, include_ended=True) == []
        assert pairs.list_rounds(db, pid) == []


def _rounds_programme(store: Store, n: int) -> int:
    ids = _people(store, n, "Member")
    with store.write() as db:
        p = programmes.add_programme(db, name=f"Coffee {n}", kind="coffee")
        for person in ids:
            programmes.join(db, p.id, person, role="member")
    return p.id


def _run(store: Store, pid: int, rounds: int, clock) -> list[list[tuple[int, ...]]]:  # type: ignore[no-untyped-def]
    found = []
    for r in range(rounds):
        with store.write() as db:
            made = pairing.confirm(db, pid, seed=r)
            assert not made.unmatched, made.unmatched
            for p in made.pairs:
                pairs.answer(db, p.id, met=True)
            found.append([tuple(x.person_id for x in p.people) for p in made.pairs])
        clock.advance(weeks=1)
    return found


def _met(rounds: list[list[tuple[int, ...]]]) -> Counter[frozenset[int]]:
    return Counter(frozenset(e) for r in rounds for g in r for e in itertools.combinations(g, 2))


@pytest.mark.slow
def test_sixteen_people_meet_everyone_exactly_once_in_fifteen_rounds(store: Store, clock) -> None:  # type: ignore[no-untyped-def]
    pid = _rounds_programme(store, 16)
    met = _met(_run(store, pid, 15, clock))
    assert len(met) == 120 and set(met.values()) == {1}
    with store.read() as db:
        assert [r.number for r in pairs.list_rounds(db, pid)] == list(range(15, 0, -1))
        assert pairs.report(db, pid).completed == 14 * 8


@pytest.mark.slow
def test_seventeen_people_run_ten_rounds_without_a_repeat_and_one_trio_each(store: Store, clock) -> None:  # type: ignore[no-untyped-def]
    pid = _rounds_programme(store, 17)
    rounds = _run(store, pid, 10, clock)
    assert set(_met(rounds).values()) == {1}
    for r in rounds:
        assert sorted(len(g) for g in r) == [2] * 7 + [3]
        assert sorted(m for g in r for m in g) == sorted({m for g in rounds[0] for m in g})


def test_three_unanswered_rounds_pause_a_ghost_and_say_so(store: Store, clock) -> None:  # type: ignore[no-untyped-def]
    pid = _rounds_programme(store, 6)
    ghost = None
    silent: Counter[int] = Counter()
    for _ in range(3):
        with store.write() as db:
            made = pairing.confirm(db, pid, seed=0)
            for p in made.pairs:
                ids = [x.person_id for x in p.people]
                ghost = ghost or ids[0]
                if ghost in ids:
                    silent.update(ids)  # nobody answers for the ghost's pair
                else:
                    pairs.answer(db, p.id, met=True)
        clock.advance(weeks=1)
    ghosts = sorted(p for p, n in silent.items() if n == 3)
    assert ghost in ghosts
    with store.read() as db:
        proposal = pairing.propose(db, pid)
    assert [g.person_id for g in proposal.ghosts] == ghosts
    # Not paused yet (confirm pauses them): "paused now" read as a pause nobody could find.
    reason = {u.person.person_id: u.reason for u in proposal.unmatched}[ghost]
    assert reason == "will be paused at confirm: no answer to 'did you meet?' for 3 rounds"
    with store.write() as db:
        made = pairing.confirm(db, pid)
    assert [g.person_id for g in made.ghosts] == ghosts
    assert {u.person.person_id: u.reason for u in made.unmatched}[ghost] == (
        "paused: no answer to 'did you meet?' for 3 rounds"
    )
    assert all(ghost not in [x.person_id for x in p.people] for p in made.pairs)
    with store.read() as db:
        me = programmes.get_participant(db, pid, ghost)
    assert "until resumed" in me.pause_text(date(2026, 3, 3))
    with store.write() as db:
        programmes.pause(db, pid, ghost, until=None)
    with store.read() as db:
        again = pairing.propose(db, pid)
    # Resumed: they are matched again, not paused a second time for the same three rounds.
    assert all(u.person.person_id != ghost for u in again.unmatched)


def test_only_meetings_that_happened_count_as_history(store: Store, clock) -> None:  # type: ignore[no-untyped-def]
    pid = _rounds_programme(store, 2)
    with store.write() as db:
        first = pairing.confirm(db, pid).pairs[0]
        pairs.answer(db, first.id, met=False)
    clock.advance(weeks=1)
    with store.read() as db:
        assert pairing.history(db, pid) == {}
    with store.write() as db:
        second = pairing.confirm(db, pid).pairs[0]
        pairs.log_meeting(db, second.id, held_on=ON + timedelta(weeks=1), minutes=20)
    with store.read() as db:
        assert pairing.history(db, pid) == {
            frozenset(x.person_id for x in second.people): ON + timedelta(weeks=1)
        }


def test_meetings_goals_ending_and_the_report(store: Store) -> None:
    pid, _, _ = _mentoring(store)
    with store.write() as db:
        made = pairing.confirm(db, pid, seed=1).pairs
        one, two = made[0].id, made[1].id
        pairs.log_meeting(db, one, held_on=ON, minutes=45, note="Career plan")
        goal = pairs.add_goal(db, one, "Ship a Rust CLI")
        pairs.set_goal_done(db, goal.id, done=True)
        ended = pairs.end_pair(db, two, completed=False, reason="moved to another team")
    assert (ended.status, ended.ended_on, ended.ics_sequence) == (PairStatus.ENDED_EARLY, ON, 1)
    with store.read() as db:
        detail = pairs.pair_detail(db, one)
        report = pairs.report(db, pid)
    assert [m.note for m in detail.meetings] == ["Career plan"] and detail.goals[0].done
    assert (report.pairs, report.active, report.ended_early, report.meetings_held) == (10, 9, 1, 1)
    assert report.completion == 0.0
    with pytest.raises(NotAllowed, match="already ended"), store.write() as db:
        pairs.end_pair(db, two, completed=True)
    # The mentee of the pair that ended early is matched again, but not with the same mentor.
    with store.read() as db:
        again = pairing.propose(db, pid, seed=1)
    (group,) = [g for g in again.groups if ended.people[1].person_id in g.ids]
    assert group.ids[0] != ended.people[0].person_id


def test_the_programme_screens_summary_counts_in_one_query(store: Store) -> None:
    """People (those who left not counted), active pairs, rounds and the last round's day: the
    programme screen's first line, counted in one query after the programme itself (three, one
    round trip each to a server, before)."""

    pid, mentors, _ = _mentoring(store)
    with store.write() as db:
        made = pairing.confirm(db, pid, seed=1).pairs
        pairs.end_pair(db, made[0].id, completed=False, reason="moved to another team")
        programmes.leave(db, pid, mentors[-1])
    with statements_sent(store.engine) as sent, store.read() as db:
        found = programmes.summary(db, pid)
    seen = [s for s, _ in sent]
    with store.read() as db:
        active = pairs.report(db, pid).active
    assert (found.participants, found.active_pairs, found.rounds, found.last_round_on) == (15, active, 1, ON)
    assert 0 < active < len(made)
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) == 2


def test_bad_input_names_the_field(store: Store) -> None:
    """In the services' words, which a form shows beside its box and the CLI as its flag
    (circles/cli/flags.py: --group-size)."""
    pid, mentors, mentees = _mentoring(store)
    extra = _people(store, 1, "Extra")[0]
    cases = [
        (lambda db: programmes.join(db, pid, extra, role="mentor", capacity=0), InvalidInput, "^capacity "),
        (lambda db: programmes.join(db, pid, extra, role="mentor", capacity=-2), InvalidInput, "^capacity "),
        (lambda db: programmes.join(db, pid, mentors[0], role="mentor"), AlreadyExists, "already in"),
        (lambda db: programmes.join(db, pid, extra, role="mentee", avoid=[extra]), InvalidInput, "^avoid "),
        (lambda db: programmes.join(db, pid, extra, role="member"), InvalidInput, "^as "),
        (
            lambda db: programmes.add_programme(
                db, name="X", kind="coffee", starts_on=ON, ends_on=ON - timedelta(days=1)
            ),
            InvalidInput,
            "^to ",
        ),
        (
            lambda db: programmes.add_programme(db, name="Y", kind="coffee", group_size=4),
            InvalidInput,
            "^group size ",
        ),
        (lambda db: pairing.check_group(db, pid, [mentees[0], mentees[0]]), InvalidInput, "same person"),
    ]
    for action, error, words in cases:
        with pytest.raises(error, match=words), store.write() as db:
            action(db)
    with store.write() as db:
        pair = pairing.confirm(db, pid).pairs[0]
    with pytest.raises(InvalidInput, match="before the pair began"), store.write() as db:
        pairs.log_meeting(db, pair.id, held_on=ON - timedelta(days=1))


def test_a_swap_that_breaks_a_rule_is_refused(store: Store) -> None:
    with store.write() as db:
        p = programmes.add_programme(db, name="Mentors", kind="mentoring")
    ana, bo = _people(store, 2, "Data", teams=1)
    with store.write() as db:
        programmes.join(db, p.id, ana, role="mentor")
        programmes.join(db, p.id, bo, role="mentee")
    with pytest.raises(CirclesError, match="same team"), store.read() as db:
        pairing.check_group(db, p.id, [ana, bo])


BAD = [
    (["program", "join", "Mentors", "new@example.org", "--as", "mentor", "--capacity", "0"], "--capacity"),
    (["program", "join", "Mentors", "new@example.org", "--as", "mentor", "--capacity", "-1"], "--capacity"),
    (["program", "join", "Mentors", "ana@example.org", "--as", "mentor"], "already in Mentors"),
    (
        ["program", "join", "Mentors", "new@example.org", "--as", "mentee", "--avoid", "new@example.org"],
        "--avoid",
    ),
    (
        ["program", "join", "Mentors", "new@example.org", "--as", "mentee", "--avoid", "who@example.org"],
        "who@example.org",
    ),
    (["program", "add", "Later", "--kind", "coffee", "--from", "2026-05-01", "--to", "2026-04-01"], "--to"),
    (["pair", "meet", "1", "--on", "2020-01-01"], "before the pair began"),
    (["program", "add", "Odd", "--kind", "mentoring", "--group-size", "3"], "--group-size"),
]


@pytest.mark.slow
def test_the_cli_says_what_is_wrong_in_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cli = Cli(str(tmp_path / "c.db"), tmp_path / "home")
    cli("person", "add", "Ana", "--email", "ana@example.org", "--team", "Data")
    cli("person", "add", "Bo", "--email", "bo@example.org", "--team", "Web")
    cli("person", "add", "New", "--email", "new@example.org")
    cli("program", "add", "Mentors", "--kind", "mentoring", "--cadence", "weekly on tue at 10:00")
    cli("program", "join", "Mentors", "ana@example.org", "--as", "mentor", "--offers", "Rust")
    cli("program", "join", "Mentors", "bo@example.org", "--as", "mentee", "--wants", "rust")
    shown = cli("program", "match", "Mentors", "--seed", "4", "--json")
    assert '"reasons": "topics: rust' in shown.stdout
    cli("program", "confirm", "Mentors", "--seed", "4")
    for args, words in BAD:
        result = cli(*args, ok=False)
        assert result.returncode == 1, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], (args, result.stderr)
    listed = cli.json("program", "pairs", "Mentors")
    assert listed["pairs"][0]["people"] == ["ana@example.org", "bo@example.org"]  # type: ignore[call-overload]


def _sqlite_steps(store: Store, work: Callable[[Any], object]) -> int:
    """How many SQLite virtual-machine steps ``work`` takes in one write: a measure of the rows it
    reads that no load on the machine changes."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    with store.write() as db:
        raw = db.connection().connection.driver_connection
        raw.set_progress_handler(count, 10)
        try:
            work(db)
        finally:
            raw.set_progress_handler(None, 0)
    return steps


def test_joining_reads_the_joiner_alone_however_big_the_programme(memory_store: Store) -> None:
    """A join answers with the joiner's view (their usual timezone from their circles, their pairs,
    their do-not-pair list): it used to work that out for every participant of the programme and
    keep one, so each join into a big programme cost more than the last (the huge demo's
    thousands of joins took minutes)."""
    berlin, tokyo = (
        factories.circle(memory_store, "Berlin"),
        factories.circle(memory_store, "Tokyo", tz="Asia/Tokyo"),
    )
    crowd = [factories.person(memory_store, f"Crowd {i}", f"crowd{i}@example.org") for i in range(60)]
    late, first = factories.person(memory_store, "Late Comer"), factories.person(memory_store, "First One")
    for p in [*crowd, late, first]:
        factories.member(memory_store, berlin, p)
        factories.member(memory_store, tokyo, p)
    with memory_store.write() as db:
        big = programmes.add_programme(db, name="Big", kind="coffee")
        empty = programmes.add_programme(db, name="Empty", kind="coffee")
        for p in crowd:
            programmes.join(db, big.id, p.id, role="member")

    into_empty = _sqlite_steps(
        memory_store, lambda db: programmes.join(db, empty.id, first.id, role="member")
    )
    into_big = _sqlite_steps(memory_store, lambda db: programmes.join(db, big.id, late.id, role="member"))
    assert into_big < 1.5 * into_empty
    # The same answer as before: a tie between circles goes to the zone named first.
    with memory_store.read() as db:
        assert programmes.get_participant(db, big.id, late.id).timezone == "Asia/Tokyo"


def test_a_persons_programmes_are_read_together_however_many(store: Store) -> None:
    """The person screen's programmes: each of the person's participations as the programme's
    own screen shows it (pairs, do-not-pair list, usual time zone), read in the same few queries
    for three programmes as for one, not again for each (the person screen's N+1)."""

    from circles.services.person_programmes import person_programmes

    tokyo = factories.circle(store, "Tokyo", tz="Asia/Tokyo")
    ana, bo, cy = (factories.person(store, n, f"{n.lower()}@example.org") for n in ("Ana", "Bo", "Cy"))
    for p in (ana, bo, cy):
        factories.member(store, tokyo, p)
    with store.write() as db:
        ids = [programmes.add_programme(db, name=f"P{i}", kind="coffee").id for i in range(3)]
        for n, pid in enumerate(ids):
            programmes.join(db, pid, bo.id, role="member")
            programmes.join(db, pid, cy.id, role="member", timezone="Europe/Berlin")
            programmes.join(db, pid, ana.id, role="member", avoid=[cy.id] if n == 1 else [])
        pairing.confirm(db, ids[2], seed=1)

    def statements(person_id: int) -> int:
        with statements_sent(store.engine) as sent, store.read() as db:
            person_programmes(db, person_id)
        return len(sent)

    with store.write() as db:
        programmes.leave(db, ids[0], bo.id)
        programmes.leave(db, ids[1], bo.id)
    assert statements(ana.id) == statements(bo.id)  # in three programmes, and in one
    with store.read() as db:
        found = person_programmes(db, ana.id).programmes
        one_by_one = [(programmes.get_participant(db, pid, ana.id), f"P{i}") for i, pid in enumerate(ids)]
    assert found == one_by_one
    assert [p.avoid for p, _ in found] == [(), ("cy@example.org",), ()]
    assert [p.timezone for p, _ in found] == ["Asia/Tokyo"] * 3
    assert [p.active_pairs for p, _ in found] == [0, 0, 1]


def test_a_second_round_the_same_day_is_refused_and_counts_nobody_as_a_ghost(store: Store, clock) -> None:  # type: ignore[no-untyped-def]
    pid = _rounds_programme(store, 6)
    for _ in range(2):  # two rounds nobody answered
        with store.write() as db:
            pairing.confirm(db, pid, seed=0)
        clock.advance(weeks=1)
    with store.write() as db:
        third = pairing.confirm(db, pid, seed=0)
    assert not third.ghosts
    clock.advance(minutes=5)  # another facilitator's screen, still showing the proposals
    with store.read() as db:
        assert not pairing.propose(db, pid).ghosts  # a round minutes old is not unanswered
    with (
        store.write() as db,
        pytest.raises(NotAllowed, match=r"Round 3 .* made on Tue 17 Mar: .* from Wed 18 Mar"),
    ):
        pairing.confirm(db, pid, seed=1)
    with store.read() as db:
        assert [r.number for r in pairs.list_rounds(db, pid)] == [3, 2, 1]
        assert all(p.status is PairStatus.ACTIVE for p in pairs.list_pairs(db, pid) if p.round_number == 3)
    clock.advance(days=1)
    with store.read() as db:
        assert pairing.propose(db, pid).ghosts  # three rounds unanswered, the third a day old


def test_a_programme_starting_tomorrow_is_matched_for_its_first_day(store: Store, clock) -> None:  # type: ignore[no-untyped-def]
    starts = clock.now.date() + timedelta(days=1)
    ids = [factories.person(store, f"Member {n}", f"member{n}@example.org").id for n in range(4)]
    with store.write() as db:
        pid = programmes.add_programme(db, name="Coffee", kind="coffee", starts_on=starts).id
        for person in ids:
            programmes.join(db, pid, person, role="member")
    with store.read() as db:
        assert pairing.propose(db, pid).on == starts  # not "is before the programme starts"
        with pytest.raises(InvalidInput, match=r"^on '.*' is before the programme starts"):
            pairing.propose(db, pid, on=clock.now.date())  # a day given is kept, and refused
    with store.write() as db:
        assert pairing.confirm(db, pid).round.held_on == starts


def test_match_says_how_to_confirm_the_same_round_and_nothing_when_there_is_none(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cli = Cli(str(tmp_path / "c.db"), tmp_path / "home")
    cli("program", "add", "Coffee", "--kind", "coffee")
    assert "makes these" not in cli("program", "match", "Coffee").stdout  # nobody to pair
    for name in ("Ana", "Bo"):
        cli("person", "add", name, "--email", f"{name.lower()}@example.org")
        cli("program", "join", "Coffee", f"{name.lower()}@example.org", "--as", "member")
    day = (date.today() + timedelta(days=3)).isoformat()
    hint = cli("program", "match", "Coffee", "--on", day).stdout.splitlines()[-1]
    assert (
        hint == f"Nothing is changed yet: 'circles program confirm Coffee --seed 0 --on {day}' makes these."
    )


def test_a_participant_reads_back_each_field_as_given(store):
    """list_participants and get_participant read a participant's row by place, not by name
    (programmes._views): each field comes back as it was given, none from its neighbour."""
    ana = factories.person(store, "Ana Ruiz", team="Data")
    bo = factories.person(store, "Bo Chen")
    with store.write() as db:
        pid = programmes.add_programme(db, name="Mentors", kind="mentoring").id
        programmes.join(
            db, pid, ana.id, role="mentor", capacity=2, offers="Rust, Go", wants="Kotlin",
            timezone="Asia/Tokyo", since=date(2020, 1, 2), avoid=[bo.id],
        )  # fmt: skip
        programmes.pause(db, pid, ana.id, until=date(2099, 5, 6), reason="on leave")
    with store.read() as db:
        listed = programmes.list_participants(db, pid)
        one = programmes.get_participant(db, pid, ana.id)
    assert listed == [one]
    assert (one.programme_id, one.person_id, one.name, one.email, one.team) == (
        pid, ana.id, "Ana Ruiz", "ana@example.org", "Data",
    )  # fmt: skip
    assert (one.role.value, one.capacity, one.offers, one.wants) == ("mentor", 2, ("Rust", "Go"), ("Kotlin",))
    assert (one.timezone, one.timezone_given, one.since) == ("Asia/Tokyo", True, date(2020, 1, 2))
    assert (one.paused_until, one.paused_reason, one.left_at) == (date(2099, 5, 6), "on leave", None)
    assert (one.avoid, one.active_pairs, one.version) == (("bo@example.org",), 0, 2)
    assert one.joined_at is not None and one.answers_from is None


def test_today_in_a_zone_ahead_of_utc_is_not_the_future(store: Store, clock: FixedClock) -> None:
    # 21:30 UTC on 3 March is 08:30 on 4 March in Sydney: a mentor there logs this morning's
    # meeting. Checked against UTC's date, it was refused as a meeting in the future.
    clock.now = datetime(2026, 3, 3, 21, 30, tzinfo=UTC)
    with store.write() as db:  # meeting on Wednesdays: 4 March is one (a meeting counts if planned)
        p = programmes.add_programme(db, name="Mentors", kind="mentoring", cadence="weekly on wed at 09:00")
    ana, bo = _people(store, 2, "Syd", teams=2)
    with store.write() as db:
        programmes.join(db, p.id, ana, role="mentor")
        programmes.join(db, p.id, bo, role="mentee", since=ON + timedelta(days=1))
        pair = pairing.confirm(db, p.id).pairs[0]
        logged = pairs.log_meeting(db, pair.id, held_on=ON + timedelta(days=1), minutes=30)
    assert logged.held_on == date(2026, 3, 4)
    # A day no clock on Earth has reached yet is still refused, naming the field and the day.
    with pytest.raises(InvalidInput, match=r"^on '?2026-03-05'?.*in the future"), store.write() as db:
        pairs.log_meeting(db, pair.id, held_on=ON + timedelta(days=2))
    with store.read() as db:
        report = success.success_report(db, Scope(since=ON, until=ON + timedelta(days=1)))
    # The Sydney meeting, and the Wednesday it was planned for, are inside "until today".
    assert (report.mentoring.meetings_held, report.mentoring.meetings_planned) == (1, 1)


def test_the_days_the_app_picks_are_the_facilitators(
    store: Store, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 21:30 UTC on 3 March is Wednesday 4 March in Sydney: a coffee round matched there, a goal
    # done and a pair ended then were all dated the 3rd, UTC's day.
    monkeypatch.setenv("TZ", "Australia/Sydney")
    clock.now = datetime(2026, 3, 3, 21, 30, tzinfo=UTC)
    sydney = date(2026, 3, 4)
    with store.write() as db:
        p = programmes.add_programme(db, name="Coffee", kind="coffee")
    for person in _people(store, 2, "Cup", teams=2):
        with store.write() as db:
            programmes.join(db, p.id, person, role="member")
    with store.write() as db:
        matched = pairing.confirm(db, p.id)
        (pair,) = matched.pairs
        goal = pairs.add_goal(db, pair.id, "Try the new place")
        done = pairs.set_goal_done(db, goal.id, done=True)
        ended = pairs.end_pair(db, pair.id, completed=True)
    assert (matched.round.held_on, pair.started_on, done.done_on, ended.ended_on) == (sydney,) * 4


def test_a_programmes_report_counts_its_meetings_as_organisation_does(
    store: Store, store_url: Any, tmp_path: Any
) -> None:
    """`program report` counted every meeting logged and none of a round's "yes, we met": a
    coffee programme whose pairs all answered yes read "0 of 4" where Organisation read 4 of
    4. Both now count with success.mentoring; meetings beyond the plan are said apart."""
    coffee = _rounds_programme(store, 8)
    mentors, _, _ = _mentoring(store)
    with store.write() as db:
        for pair in pairing.confirm(db, coffee, seed=0).pairs:
            pairs.answer(db, pair.id, met=True)
        programmes.set_cadence(db, mentors, None)  # pairs arrange their own meetings
        first = pairing.confirm(db, mentors, seed=1).pairs[0]
        pairs.log_meeting(db, first.id, held_on=ON, minutes=30)
        pairs.log_meeting(db, first.id, held_on=ON, minutes=45)
    with store.read() as db:
        organisation = {p.programme_id: p for p in success.mentoring(db, Scope()).programmes}
        for pid, expected in ((coffee, (4, 4, 4)), (mentors, (0, 0, 2))):
            report = pairs.report(db, pid)
            assert (report.meetings_held, report.meetings_planned) == expected[:2]
            held = (report.meetings_held, report.meetings_planned, report.meetings_met)
            assert held == expected
            o = organisation[pid]
            assert held == (o.meetings_held, o.meetings_planned, o.meetings_met)
    cli = Cli(store_url.render_as_string(hide_password=False), tmp_path / "home")
    said = cli("program", "report", "Mentors").stdout
    assert "meetings held 2, none planned (no cadence: pairs arrange their own)" in said


def test_a_programmes_report_plans_each_pair_to_the_day_its_totals_do(
    store: Store, clock: FixedClock
) -> None:
    """The report's totals planned meetings up to the latest day begun on Earth (as Organisation
    does), its rows and a pair's page up to UTC's: on a Monday noon (UTC), Tuesday's meeting was
    in the total and in no pair's row, and the rows did not add up to it."""
    pid, _, _ = _mentoring(store)
    with store.write() as db:
        made = pairing.confirm(db, pid, seed=1).pairs
    clock.now = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)  # Tuesday 17 March has begun in Kiribati
    with store.read() as db:
        report = pairs.report(db, pid)
        detail = pairs.pair_detail(db, made[0].id)
    planned = {pair.id: n for pair, n in report.rows}
    assert sum(planned.values()) == report.meetings_planned
    assert detail.planned == planned[made[0].id] == report.meetings_planned // len(made)


def test_a_pair_with_one_meeting_logged_is_said_to_have_one(store: Store) -> None:
    """'Pair 7 has 1 meetings logged, so they did meet.'"""
    with store.write() as db:
        pid = programmes.add_programme(db, name="Coffee", kind="coffee").id
    ana, bo = _people(store, 2, "Member", teams=2)
    with store.write() as db:
        for person in (ana, bo):
            programmes.join(db, pid, person, role="member")
        (made,) = pairing.confirm(db, pid).pairs
        pairs.log_meeting(db, made.id, held_on=ON)
    with store.write() as db, pytest.raises(NotAllowed) as refused:
        pairs.answer(db, made.id, met=False)
    assert str(refused.value) == f"Pair {made.id} has 1 meeting logged, so they did meet."


def test_resuming_someone_not_paused_says_so(store: Store) -> None:
    """'circles program resume' answered 'Member 0 is matched again in Coffee.' of someone who
    had never been paused."""
    with store.write() as db:
        pid = programmes.add_programme(db, name="Coffee", kind="coffee").id
    (ana,) = _people(store, 1, "Member")
    with store.write() as db:
        programmes.join(db, pid, ana, role="member")
    with store.write() as db, pytest.raises(NotAllowed) as refused:
        programmes.pause(db, pid, ana, until=None)
    assert str(refused.value) == "Member 0 is not paused in Coffee: there is nothing to resume."


def test_a_meeting_after_the_pair_ended_is_refused(store: Store, clock: FixedClock) -> None:
    """A pair that ended on 3 March took a meeting of 10 March without a word, counted held
    against nothing planned."""
    with store.write() as db:
        pid = programmes.add_programme(db, name="Coffee", kind="coffee").id
    for person in _people(store, 2, "Member", teams=2):
        with store.write() as db:
            programmes.join(db, pid, person, role="member")
    with store.write() as db:
        (made,) = pairing.confirm(db, pid).pairs
        pairs.end_pair(db, made.id, completed=True)
    clock.now += timedelta(days=7)
    with pytest.raises(InvalidInput) as refused, store.write() as db:
        pairs.log_meeting(db, made.id, held_on=ON + timedelta(days=7))
    assert str(refused.value) == "on '2026-03-10' is after the pair ended (03 Mar 2026)."
    with store.write() as db:  # its last day is still a day it may have met
        pairs.log_meeting(db, made.id, held_on=ON)


def test_why_someone_is_left_out_does_not_count_themselves(store: Store) -> None:
    """'no one left they may be paired with: same team (2); is the same person (1)': the
    reasons counted the person left out among those they could not be paired with."""
    with store.write() as db:
        pid = programmes.add_programme(db, name="Coffee", kind="coffee").id
    for person in _people(store, 3, "Member", teams=1):  # one team: nobody may be paired
        with store.write() as db:
            programmes.join(db, pid, person, role="member")
    with store.read() as db:
        left = pairing.propose(db, pid).unmatched
    assert [x.reason for x in left] == ["no one left they may be paired with: same team (2)"] * 3


def test_pair_show_says_when_an_ended_pair_ended(
    store: Store, clock: FixedClock, store_url: Any, tmp_path: Any
) -> None:
    """`circles pair show` said "(ended early since 03 Mar 2026)" of a pair that began that day
    and ended weeks later: its end was nowhere, its start read as one."""
    pid, _, _ = _mentoring(store)
    with store.write() as db:
        active, ending = pairing.confirm(db, pid, seed=1).pairs[:2]
    clock.advance(weeks=3)
    with store.write() as db:
        pairs.end_pair(db, ending.id, completed=False, reason="moved to another team")
    cli = Cli(store_url.render_as_string(hide_password=False), tmp_path / "home")
    assert "(ended early on 24 Mar 2026, from 03 Mar 2026)" in cli("pair", "show", str(ending.id)).stdout
    assert "(active since 03 Mar 2026)" in cli("pair", "show", str(active.id)).stdout


def test_someone_who_left_the_organisation_is_said_so_among_the_participants(
    store: Store, store_url: Any, tmp_path: Any
) -> None:
    """Marked inactive in the directory, a participant is left out of matching (Proposals says
    why), but the Participants list gave them an empty status, like anyone waiting to be matched."""
    from screens.programme import _participant_cells

    pid, mentors, _ = _mentoring(store)
    with store.write() as db:
        gone = people.get_person(db, mentors[0])
        people.update_person(db, gone, active=False)
    with store.read() as db:
        listed = {p.person_id: p for p in programmes.list_participants(db, pid)}
    left = listed[mentors[0]]
    assert (left.in_organisation, listed[mentors[1]].in_organisation) == (False, True)
    assert _participant_cells(left, ["Status"], left.name, ON) == ("inactive in the directory",)
    cli = Cli(store_url.render_as_string(hide_password=False), tmp_path / "home")
    row = next(
        line for line in cli("program", "participants", "Mentors").stdout.splitlines() if gone.name in line
    )
    assert "inactive in the directory" in row
