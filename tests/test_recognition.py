"""Recognition: talks numbered over all time (first talks, milestones 1/5/10/25), attendance
streaks right across a gap and a cancelled session, mentoring, feedback received as presenter
only where it is shared, thanks, and a digest that never lists anyone with nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from circles.cli import main
from circles.errors import InvalidInput, NotFound
from circles.feedback_views import Ledger
from circles.recognition_digest import as_json, markdown
from circles.services import (
    agenda,
    attendance,
    circle_records,
    feedback,
    members,
    people,
    recognition,
    sessions,
)
from models.enums import PresenterSource, SessionStatus
from models.store import Store
from tests.conftest import FixedClock
from tests.factories import scheduled_ahead
from tests.success_fixture import NOW, Book
from tests.success_fixture import build as build_book

# Weekly on Tuesdays at 12:00 UTC. 20 Jan cancelled; no sessions 27 Jan and 3 Feb (a break).
DAYS = {
    "jan06": (1, 6),
    "jan13": (1, 13),
    "jan20": (1, 20),
    "feb10": (2, 10),
    "feb17": (2, 17),
    "feb24": (2, 24),
    "mar03": (3, 3),
    "mar10": (3, 10),
}
# Who came: P present, A absent, E excused, W walked in (not yet a member), "" not checked in.
CAME = {
    "ana": {"jan06": "P", "jan13": "P", "feb10": "P", "feb17": "P", "feb24": "P", "mar03": "A", "mar10": "P"},
    "bo": {"feb10": "P", "feb17": "P", "feb24": "P", "mar03": "P", "mar10": "P"},
    "cy": {"jan06": "W", "jan13": "P", "feb10": "P", "feb17": "P", "feb24": "P", "mar03": "E"},
    "di": {"jan06": "P", "jan13": "P", "feb17": "P", "feb24": "P", "mar03": "P", "mar10": "P"},
}
MARK = {"P": "present", "A": "absent", "E": "excused", "W": "present"}


@dataclass
class Weekly:
    circle: int
    s: dict[str, int]
    p: dict[str, int]


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def weekly(store: Store, clock: FixedClock) -> Weekly:
    clock.now = _utc(2026, 4, 1, 9)
    with store.write() as db:
        p = {k: people.add_person(db, name=f"{k.title()} Person", email=f"{k}@example.org").id for k in CAME}
        c = circle_records.add_circle(db, name="Weekly", kind="learning-circle", timezone="UTC").id
        for key, joined in (("ana", _utc(2026, 1, 1)), ("cy", _utc(2026, 1, 10)), ("di", _utc(2026, 1, 1))):
            members.add_member(db, circle_id=c, person_id=p[key], joined_at=joined)
        members.add_member(db, circle_id=c, person_id=p["bo"], joined_at=_utc(2026, 2, 1))
        with scheduled_ahead(db, min(_utc(2026, m, d, 12) for m, d in DAYS.values())):
            s = {
                key: sessions.add_session(db, circle_id=c, starts_at=_utc(2026, m, d, 12)).id
                for key, (m, d) in DAYS.items()
            }
        for who, marks in CAME.items():
            for key, mark in marks.items():
                attendance.check_in(db, session_id=s[key], person_id=p[who], attended=MARK[mark])
        # Ana presents these (and an agenda item on 17 Feb); the cancelled 20 Jan must not count.
        talks = {"jan06", "jan13", "jan20", "feb10", "feb24", "mar10"}
        for key in DAYS:
            view = sessions.get_session(db, s[key])
            who = p["ana"] if key in talks else None
            view = sessions.set_presenter(
                db, view, presenter_id=who, source=PresenterSource.MANUAL if who else None
            )
            if key == "jan20":
                sessions.cancel_session(db, view)
            else:
                sessions.update_session(db, view, status=SessionStatus.HELD)
        agenda.add_item(db, session_id=s["feb17"], title="Lightning talk", presenter_id=p["ana"])
    return Weekly(circle=c, s=s, p=p)


def _ledger(store: Store, since: str, until: str, circle: str | None = None):  # type: ignore[no-untyped-def]
    with store.read() as db:
        return recognition.ledger(db, recognition.period_scope(db, since=since, until=until, circle=circle))


def test_talks_are_numbered_over_all_time_and_milestones_marked(store: Store, weekly: Weekly) -> None:
    january = {r.name: r for r in _ledger(store, "2026-01-01", "2026-01-31").people}
    ana = january["Ana Person"]
    # The cancelled 20 Jan was never given: January holds talks 1 and 2.
    assert [(t.day, t.number) for t in ana.talks] == [(date(2026, 1, 6), 1), (date(2026, 1, 13), 2)]
    later = {r.name: r for r in _ledger(store, "2026-02-01", "2026-03-31").people}["Ana Person"]
    assert [(t.day.isoformat(), t.number) for t in later.talks] == [
        ("2026-02-10", 3),
        ("2026-02-17", 4),  # an agenda item counts as a talk
        ("2026-02-24", 5),
        ("2026-03-10", 6),
    ]
    assert [t.number for t in later.milestones] == [5]


def test_streaks_run_across_a_gap_and_a_cancelled_session(store: Store, weekly: Weekly) -> None:
    found = {
        r.name: [(s.sessions, s.day) for s in r.streaks]
        for r in _ledger(store, "2026-02-01", "2026-03-31").people
    }
    # Ana: 6 Jan, 13 Jan, (20 Jan cancelled, two weeks without sessions), 10, 17, 24 Feb: five
    # in a row on 24 Feb (had the cancelled session counted, on 17 Feb; had it or the break
    # broken the run, not at all). Absent on 3 Mar ends it.
    assert found["Ana Person"] == [(5, date(2026, 2, 24))]
    # Bo joined on 1 Feb: the sessions before were not his to miss.
    assert found["Bo Person"] == [(5, date(2026, 3, 10))]
    # Cy walked in on 6 Jan before joining: coming counts.
    assert found["Cy Person"] == [(5, date(2026, 2, 24))]
    # Di was expected on 10 Feb and never checked in: the run broke there (2, then 4).
    assert found.get("Di Person", []) == []
    march = {
        r.name: [(s.sessions, s.day) for s in r.streaks]
        for r in _ledger(store, "2026-03-01", "2026-03-31").people
    }
    assert march == {"Ana Person": [], "Bo Person": [(5, date(2026, 3, 10))]}


def test_an_excused_absence_ends_a_streak(store: Store, weekly: Weekly) -> None:
    with store.write() as db:
        attendance.check_in(db, session_id=weekly.s["feb17"], person_id=weekly.p["bo"], attended="excused")
    found = {r.name: r.streaks for r in _ledger(store, "2026-02-01", "2026-03-31").people}
    assert found.get("Bo Person", []) == []


def test_a_long_run_is_recognised_once_in_the_period_it_reached_the_milestone(
    store: Store, clock: FixedClock
) -> None:
    # 28 weekly sessions from 6 Jan, all of them attended: the 25th (23 Jun) is the milestone.
    # July (the 27th and 28th) reached none, however many sessions before the period are read.
    clock.now = _utc(2026, 8, 1, 9)
    days = [_utc(2026, 1, 6, 12) + timedelta(weeks=k) for k in range(28)]
    with store.write() as db:
        eva = people.add_person(db, name="Eva Long", email="eva@example.org").id
        c = circle_records.add_circle(db, name="Long", kind="learning-circle", timezone="UTC").id
        members.add_member(db, circle_id=c, person_id=eva, joined_at=_utc(2026, 1, 1))
        with scheduled_ahead(db, days[0]):
            ids = [sessions.add_session(db, circle_id=c, starts_at=day).id for day in days]
        for sid in ids:
            attendance.check_in(db, session_id=sid, person_id=eva, attended="present")

    def streaks(since: str, until: str) -> list[tuple[int, date]]:
        found = {r.name: r.streaks for r in _ledger(store, since, until).people}
        return [(s.sessions, s.day) for s in found.get("Eva Long", [])]

    assert streaks("2026-06-01", "2026-06-30") == [(25, date(2026, 6, 23))]
    assert streaks("2026-07-01", "2026-07-31") == []
    assert streaks("2026-02-01", "2026-03-31") == [(10, date(2026, 3, 10))]


def test_mentoring_is_recognised_with_hours(store: Store, clock: FixedClock) -> None:
    clock.now = NOW
    build_book(store)
    found = {r.name: r.mentoring for r in _ledger(store, "2026-06-01", "2026-08-31").people}
    # Mo mentors P1 (met 15 Jun, 15 Aug, 45 min each) and P2 (completed 20 Jun).
    assert found["Mo Adams"] is not None
    assert (found["Mo Adams"].pairs_completed, found["Mo Adams"].meetings, found["Mo Adams"].minutes) == (
        1,
        2,
        90,
    )
    assert found["Mo Adams"].as_mentor
    assert found["Bo Chen"] is not None and (found["Bo Chen"].pairs_completed, found["Bo Chen"].meetings) == (
        1,
        0,
    )
    # Nia's pair ended early in May: nothing to recognise this summer, so she is not listed.
    assert "Nia Lee" not in found
    whole = {r.name: r.mentoring for r in _ledger(store, "2026-01-01", "2026-08-31").people}
    # P1 four meetings of 45 min, P2 two of the programme's usual 30: 4 hours.
    assert whole["Mo Adams"] is not None and whole["Mo Adams"].hours == 4.0


def test_a_page_of_the_ledger_is_that_part_of_the_whole(store: Store, clock: FixedClock) -> None:
    """The Recognition screen lists everyone by ledger_names and reads what they did a page at
    a time (ledger with ``people``): the names are the whole ledger's, in its order, namesakes
    told apart alike, and each page is exactly those people's part of the whole ledger, every
    kind of recognition (talks, streaks, mentoring, feedback with its notes, thanks), for all
    circles or one (thanks about one of its sessions, no mentoring)."""
    clock.now = NOW
    book: Book = build_book(store)
    with store.write() as db:
        feedback.add_answer(
            db, session_id=book.s["jan"], person_id=book.p["bo"], rating=4, for_presenter="Nice"
        )
        namesake = people.add_person(db, name="ana  ruiz", email="ana2@example.org", team="Ops").id
        recognition.add_thanks(db, person=str(namesake), text="for the chairs")
        recognition.add_thanks(db, person=str(book.p["bo"]), text="for the talk", session_id=book.s["jan"])
    for since, until, circle in (
        ("2026-01-01", "2026-08-31", None),
        ("2026-06-01", "2026-08-31", None),
        ("2026-01-01", "2026-08-31", "Book Club"),
    ):
        with store.read() as db:
            scope = recognition.period_scope(db, since=since, until=until, circle=circle)
            whole = recognition.ledger(db, scope)
            names = recognition.ledger_names(db, scope)
            assert len(whole.people) > 3  # pages of three: more than one
            assert names.people == [(r.person_id, r.name, r.team) for r in whole.people]
            assert (names.period, names.circle) == (whole.period, whole.circle)
            assert names.shown_names() == whole.shown_names()
            for start in range(0, len(whole.people), 3):
                page = [p.person_id for p in names.people[start : start + 3]]
                for notes in (True, False):
                    read = recognition.ledger(db, scope, notes=notes, people=page)
                    wanted = recognition.ledger(db, scope, notes=notes).people[start : start + 3]
                    assert read.people == wanted, (since, circle, start, notes)
            assert recognition.ledger(db, scope, people=[]).people == []


def test_feedback_reaches_presenters_only_when_shared(store: Store, clock: FixedClock) -> None:
    clock.now = NOW
    book: Book = build_book(store)
    with store.write() as db:
        feedback.add_answer(
            db, session_id=book.s["jan"], person_id=book.p["bo"], rating=4, for_presenter="Loved the examples"
        )
    received = {r.name: r.feedback for r in _ledger(store, "2026-01-01", "2026-08-31").people}
    ana = received["Ana Ruiz"]
    assert ana is not None and (ana.ratings, ana.mean, ana.notes) == (2, 4.5, ["Loved the examples"])
    di = received["Di Park"]  # presented an agenda item of 10 Mar: rated 5 and 2
    assert di is not None and (di.ratings, di.mean) == (2, 3.5)
    gil = received["Gil Guest"]
    assert gil is not None and (gil.ratings, gil.mean) == (1, 5.0)
    # The Markdown digest counts the notes and never quotes them: read or only counted (as
    # `circles recognition` does for Markdown), the same digest.
    with store.read() as db:
        scope = recognition.period_scope(db, since="2026-01-01", until="2026-08-31")
        read, counted = recognition.ledger(db, scope), recognition.ledger(db, scope, notes=False)
    ana_counted = {r.name: r.feedback for r in counted.people}["Ana Ruiz"]
    assert ana_counted is not None and (ana_counted.notes, ana_counted.noted) == ([], 1)
    assert "Ana Ruiz**: 2 ratings, 4.5 out of 5 on average, 1 note for them" in markdown(counted)
    assert markdown(counted) == markdown(read)
    with store.write() as db:
        feedback.set_settings(db, book.circle, share_with_presenter=False)
    assert all(r.feedback is None for r in _ledger(store, "2026-01-01", "2026-08-31").people)


def test_thanks_and_the_digest_lists_nobody_with_nothing(store: Store, weekly: Weekly) -> None:
    with store.write() as db:
        recognition.add_thanks(
            db,
            person="di@example.org",
            text="  for the   *notes*  ",
            session_id=weekly.s["mar10"],
            given_by="bo@example.org",
        )
        with pytest.raises(InvalidInput, match=r"^from 'Di Person' is the person being thanked"):
            recognition.add_thanks(db, person="di@example.org", text="me", given_by="di@example.org")
        with pytest.raises(InvalidInput, match=r"^for is required\."):
            recognition.add_thanks(db, person="di@example.org", text="  ")
        with pytest.raises(NotFound):
            recognition.add_thanks(db, person="nobody@example.org", text="x")
    ledger = _ledger(store, "2026-03-01", "2026-04-01")
    assert [r.name for r in ledger.people] == ["Ana Person", "Bo Person", "Di Person"]
    text = markdown(ledger)
    assert "- **Di Person** from Bo Person: for the \\*notes\\* (Weekly, Tue 10 Mar)" in text
    assert "- **Bo Person** came to 5 Weekly sessions in a row (10 Mar)" in text
    assert "Cy" not in text  # nothing this period: not listed as zero
    data = as_json(ledger)
    assert [p["name"] for p in data["people"]] == ["Ana Person", "Bo Person", "Di Person"]
    assert data["people"][2]["thanks"][0]["for"] == "for the *notes*"


def test_an_empty_period_says_so(store: Store, weekly: Weekly) -> None:
    ledger = _ledger(store, "2025-01-01", "2025-01-31")
    assert ledger.people == [] and "Nothing to recognise in this period yet." in markdown(ledger)


def test_period_defaults_to_this_month_and_never_passes_today(store: Store, weekly: Weekly) -> None:
    with store.read() as db:
        scope = recognition.period_scope(db)
        assert (scope.since, scope.until) == (date(2026, 4, 1), date(2026, 4, 1))
        assert recognition.period_scope(db, until="2027-01-01").until == date(2026, 4, 1)
        with pytest.raises(InvalidInput, match="since 'last month' is not a date"):
            recognition.period_scope(db, since="last month")


def test_cli_thanks_and_recognition(store: Store, weekly: Weekly, tmp_path: Path) -> None:
    runner = CliRunner()
    db = ["--db", store.url.render_as_string(hide_password=False)]
    thanked = runner.invoke(
        main, [*db, "thanks", "add", "cy@example.org", "--for", "the Rust talk", "--from", "ana@example.org"]
    )
    assert thanked.exit_code == 0 and "Thanked Cy Person: the Rust talk" in thanked.output
    period = ["--since", "2026-02-01", "--until", "2026-03-31"]
    md_out = runner.invoke(main, [*db, "recognition", *period, "--circle", "Weekly"])
    assert md_out.exit_code == 0, md_out.output
    assert md_out.output.startswith("# Thank you in Weekly: 01 Feb 2026 to 31 Mar 2026")
    out = tmp_path / "digest.json"
    written = runner.invoke(main, [*db, "recognition", *period, "--json", "-o", str(out)])
    assert written.exit_code == 0 and "people recognised" in written.output
    names = [p["name"] for p in json.loads(out.read_text())["people"]]
    assert names == ["Ana Person", "Bo Person", "Cy Person"]
    both = runner.invoke(main, [*db, "recognition", "--json", "--markdown"])
    assert both.exit_code == 2
    # The service names the value in words (a form shows it under From); the command, its flag.
    themselves = runner.invoke(
        main, [*db, "thanks", "add", "cy@example.org", "--for", "x", "--from", "cy@example.org"]
    )
    assert themselves.exit_code == 1
    assert themselves.output.startswith("circles: --from 'Cy Person' is the person being thanked")
    bad = runner.invoke(main, [*db, "thanks", "add", "cy@example.org", "--for", "x" * 301])
    assert (
        bad.exit_code == 1
        and bad.output.startswith("circles: --for 'xxx")
        and "is 301 characters long" in bad.output
    )


def test_a_circle_scope_keeps_to_that_circle(store: Store, weekly: Weekly) -> None:
    with store.write() as db:
        circle_records.add_circle(db, name="Other", kind="workshop", timezone="UTC")
        recognition.add_thanks(db, person="bo@example.org", text="for hosting")
    assert _ledger(store, "2026-01-01", "2026-04-01", circle="Other").people == []
    names = [r.name for r in _ledger(store, "2026-01-01", "2026-04-01", circle="Weekly").people]
    assert "Bo Person" in names  # his streak, not the thanks tied to no session
    bo = next(
        r for r in _ledger(store, "2026-01-01", "2026-04-01", circle="Weekly").people if r.name == "Bo Person"
    )
    assert bo.thanks == []


def test_streaks_agree_with_the_definition_over_a_long_history(store: Store, clock: FixedClock) -> None:
    # 70 weekly sessions in Tokyo (local days are not UTC days), a few cancelled, people who
    # come most weeks: runs of 25 and more begin long before the months asked about, so only
    # the right number of sessions before each period may be read.
    import random

    rng = random.Random(20)
    clock.now = _utc(2027, 6, 1, 9)
    days = [_utc(2026, 1, 5, 23, 30) + timedelta(weeks=k) for k in range(70)]
    cancelled = {7, 33, 51}
    came = {
        name: [rng.random() < odds for _ in days]
        for name, odds in (("Ria", 0.97), ("Sol", 0.9), ("Tam", 0.75))
    }
    with store.write() as db:
        c = circle_records.add_circle(db, name="Tokyo", kind="learning-circle", timezone="Asia/Tokyo").id
        ids = {}
        for name in came:
            ids[name] = people.add_person(db, name=name, email=f"{name.lower()}@example.org").id
            members.add_member(db, circle_id=c, person_id=ids[name], joined_at=_utc(2025, 12, 1))
        with scheduled_ahead(db, days[0]):
            added = [sessions.add_session(db, circle_id=c, starts_at=day) for day in days]
        for k, view in enumerate(added):
            sid = view.id
            if k in cancelled:
                sessions.cancel_session(db, view)
                continue
            for name, marks in came.items():
                attendance.check_in(
                    db, session_id=sid, person_id=ids[name], attended="present" if marks[k] else "absent"
                )

    def expected(first: date, last: date) -> dict[str, list[tuple[int, date]]]:
        found: dict[str, list[tuple[int, date]]] = {}
        for name, marks in came.items():
            run, best = 0, None
            for k, day in enumerate(days):
                if k in cancelled:
                    continue
                run = run + 1 if marks[k] else 0
                local = (day + timedelta(hours=9)).date()
                if run in (5, 10, 25) and first <= local <= last and (best is None or best[0] < run):
                    best = (run, local)
            if best is not None:
                found[name] = [best]
        return found

    month = date(2026, 2, 1)
    while month < date(2027, 5, 1):
        end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        ledger = _ledger(store, month.isoformat(), end.isoformat())
        got = {r.name: [(s.sessions, s.day) for s in r.streaks] for r in ledger.people if r.streaks}
        assert got == expected(month, end), month
        month = end + timedelta(days=1)


def test_a_ledger_names_more_people_than_one_statement_may_bind(memory_store: Store, monkeypatch) -> None:
    """A year on a huge store recognises 67,000 people: named in one IN (...), that passed
    psycopg's 65,535 bound values and the digest crashed. Here SQLite is told to take 50 at most
    and the ledger has 120 people."""
    import sqlite3

    import circles.services.sql
    from tests import factories

    monkeypatch.setattr(circles.services.sql, "IN_LIST_LIMIT", 40)
    for i in range(120):
        factories.person(memory_store, f"Helper {i:03}", f"helper{i}@example.org")
    with memory_store.write() as db:
        for i in range(120):
            recognition.add_thanks(db, person=f"helper{i}@example.org", text="for setting up the room")
    with memory_store.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 50)
    with memory_store.read() as db:
        ledger = recognition.ledger(db, recognition.period_scope(db))
    assert [r.name for r in ledger.people] == [f"Helper {i:03}" for i in range(120)]


def test_a_presenters_feedback_adds_up_every_shared_session_they_presented(
    store: Store, weekly: Weekly
) -> None:
    """Talks and the feedback on them are read in one statement (the sessions' summed ratings
    and, for the Markdown, their notes counted): two presenters of one session both get its
    feedback, someone who left the circle keeps theirs, a session of a circle that does not
    share is left out, and the counted notes are the notes read, period by period."""
    p, s = weekly.p, weekly.s
    with store.write() as db:
        # Di gives an agenda item of 10 Mar, whose session Ana presents, then leaves the circle.
        agenda.add_item(db, session_id=s["mar10"], title="Second half", presenter_id=p["di"])
        members.remove_member(db, circle_id=weekly.circle, person_id=p["di"], left_at=_utc(2026, 3, 20))
        for key, who, rating, note in (
            ("jan13", "di", 5, "Clear"),
            ("feb10", "bo", 4, "More demos"),
            ("feb10", "cy", 3, ""),
            ("mar10", "bo", 2, "Too fast"),
            ("mar10", "ana", 4, ""),
        ):
            feedback.add_answer(db, session_id=s[key], person_id=p[who], rating=rating, for_presenter=note)
        # A circle that keeps feedback from presenters: Ana presented there on 3 Mar.
        closed = circle_records.add_circle(db, name="Closed", kind="learning-circle", timezone="UTC").id
        members.add_member(db, circle_id=closed, person_id=p["bo"], joined_at=_utc(2026, 1, 1))
        with scheduled_ahead(db, _utc(2026, 3, 3, 15)):
            view = sessions.add_session(db, circle_id=closed, starts_at=_utc(2026, 3, 3, 15))
        view = sessions.set_presenter(db, view, presenter_id=p["ana"], source=PresenterSource.MANUAL)
        sessions.update_session(db, view, status=SessionStatus.HELD)
        attendance.check_in(db, session_id=view.id, person_id=p["bo"], attended="present")
        feedback.add_answer(db, session_id=view.id, person_id=p["bo"], rating=1, for_presenter="Not shared")
        feedback.set_settings(db, closed, share_with_presenter=False)

    def received(since: str, until: str, *, notes: bool) -> dict[str, tuple[int, int, list[str], int]]:
        with store.read() as db:
            scope = recognition.period_scope(db, since=since, until=until)
            ledger = recognition.ledger(db, scope, notes=notes)
        return {
            r.name: (r.feedback.ratings, r.feedback.rating_sum, r.feedback.notes, r.feedback.noted)
            for r in ledger.people
            if r.feedback is not None
        }

    expected = {
        ("2026-01-01", "2026-03-31"): {
            "Ana Person": (5, 18, ["Clear", "More demos", "Too fast"], 3),
            "Di Person": (2, 6, ["Too fast"], 1),
        },
        ("2026-02-01", "2026-02-28"): {"Ana Person": (2, 7, ["More demos"], 1)},
        ("2026-03-01", "2026-03-31"): {
            "Ana Person": (2, 6, ["Too fast"], 1),
            "Di Person": (2, 6, ["Too fast"], 1),
        },
    }
    for (since, until), wanted in expected.items():
        assert received(since, until, notes=True) == wanted, since
        counted = {name: (n, total, [], noted) for name, (n, total, _, noted) in wanted.items()}
        assert received(since, until, notes=False) == counted, since


def test_the_digest_marks_a_first_talk_beside_that_talk_not_after_the_list() -> None:
    from circles.feedback_views import Ledger, Recognised, Talk

    talks = [
        Talk(1, date(2026, 3, 2), "Rust Lunch", "Ownership", 1),
        Talk(2, date(2026, 3, 9), "Rust Lunch", "Traits", 2),
        Talk(3, date(2026, 3, 16), "Rust Lunch", "Lifetimes", 5),
    ]
    ledger = Ledger(date(2026, 3, 1), date(2026, 3, 31), None, [Recognised(7, "Ana Ruiz", None, talks=talks)])
    assert (
        "- **Ana Ruiz** gave 3 talks: “Ownership”, Rust Lunch, 02 Mar (their first talk ever!); "
        "“Traits”, Rust Lunch, 09 Mar; “Lifetimes”, Rust Lunch, 16 Mar (their 5th talk!)"
    ) in markdown(ledger).splitlines()


def test_the_digest_does_not_call_a_coffee_pairs_meetings_mentoring_meetings() -> None:
    from circles.feedback_views import Ledger, MentoringDone, Recognised

    # Cy met a coffee partner three times and completed no mentoring pair.
    cy = Recognised(8, "Cy Ode", None, mentoring=MentoringDone(0, 3, 90, as_mentor=False))
    text = markdown(Ledger(date(2026, 3, 1), date(2026, 3, 31), None, [cy]))
    assert "- **Cy Ode** met their pairs 3 times (1.5 h)" in text.splitlines()
    assert "mentoring meeting" not in text


def test_mentoring_is_read_from_the_periods_pairs_and_meetings_not_every_pair_member(
    memory_store: Store, clock: FixedClock
) -> None:
    """SQLite (which plans without statistics, so an empty store's plan is the huge demo's)
    reads the period's completed pairs and its meetings first and their members by the pair:
    grouped by the member's person, it read every pair's members in that index's order and
    looked up each one's pair and meetings, 17 and 28 ms of a month on the huge demo for no row."""
    from tests.statements import statements_sent

    clock.now = NOW
    with statements_sent(memory_store.engine) as sent, memory_store.read() as db:
        recognition.ledger(db, recognition.period_scope(db, since="2026-08-01", until="2026-08-31"))
    mentoring = [(s, p) for s, p in sent if "pair_member" in s]
    assert len(mentoring) == 2
    with memory_store.engine.connect() as conn:
        for statement, parameters in mentoring:
            plan = [
                str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            ]
            assert not any(step.startswith("SCAN pair_member") for step in plan), plan


def test_the_digest_counts_the_notes_for_presenters_from_the_stores_summary(
    store: Store, weekly: Weekly
) -> None:
    """The Markdown digest counts each talk's notes for its presenter from session_feedback,
    where the store keeps them beside the ratings (migration 0250), and reads no answer (a count
    of the answers per session was 150-200 ms of a year's digest over the large demo): as many
    as the notes read one by one, anonymous ones too, after notes are written, edited and
    cleared."""
    from tests.statements import statements_sent

    p, s = weekly.p, weekly.s

    def answer(key: str, who: str, note: str, *, anonymous: bool = False) -> None:
        with store.write() as db:
            feedback.add_answer(
                db, session_id=s[key], person_id=p[who], rating=4, for_presenter=note, anonymous=anonymous
            )

    def noted() -> dict[int, int]:
        with statements_sent(store.engine) as sent, store.read() as db:
            scope = recognition.period_scope(db, since="2026-01-01", until="2026-03-31")
            counted = recognition.ledger(db, scope, notes=False)
        assert [q for q, _ in sent if "session_feedback" in q]
        assert not [q for q, _ in sent if "feedback_answer" in q]
        with store.read() as db:
            read = recognition.ledger(db, scope, notes=True)
        found = {r.person_id: r.feedback.noted for r in counted.people if r.feedback is not None}
        assert found == {r.person_id: len(r.feedback.notes) for r in read.people if r.feedback is not None}
        return found

    answer("feb10", "bo", "More demos")
    answer("feb10", "cy", "Kind words", anonymous=True)
    answer("mar10", "ana", "", anonymous=True)
    answer("mar10", "bo", "Too fast")
    assert noted() == {p["ana"]: 3}
    answer("feb10", "bo", "")  # a named answer given again replaces the first
    answer("mar10", "bo", "A little fast")
    assert noted() == {p["ana"]: 2}


def test_a_period_of_one_day_is_named_as_that_day() -> None:
    def period(since: date | None, until: date) -> str:
        return Ledger(since=since, until=until, circle=None, people=[]).period

    # "This month" on the 1st: "01 Dec 2026 to 01 Dec 2026" said the day twice.
    assert period(date(2026, 12, 1), date(2026, 12, 1)) == "01 Dec 2026"
    assert period(date(2026, 12, 1), date(2026, 12, 2)) == "01 Dec 2026 to 02 Dec 2026"
    assert period(None, date(2026, 12, 2)) == "the beginning to 02 Dec 2026"


def test_the_digest_of_a_small_store_word_for_word(store: Store, weekly: Weekly) -> None:
    """The whole Markdown of a quarter and of one circle's, byte for byte: talks (a first and a
    5th) with their circle and local day (a Tokyo session on the next day there), streaks at
    their longest on the first day reached, namesakes told apart by team and number, feedback
    summed per presenter with the notes counted, thanks. The ledger reads each part its own way
    (circles and names once, feedback summed by the store): any change in what it reads shows
    here as a changed line."""
    p, s = weekly.p, weekly.s
    with store.write() as db:
        other_bo = people.add_person(db, name="Bo  Person", email="bo2@example.org", team="Sales").id
        tokyo = circle_records.add_circle(
            db, name="Tokyo_Lunch", kind="learning-circle", timezone="Asia/Tokyo"
        ).id
        for who in (p["cy"], other_bo):
            members.add_member(db, circle_id=tokyo, person_id=who, joined_at=_utc(2026, 1, 1))
        for at, presenter, note in (
            (_utc(2026, 2, 9, 20), p["cy"], "Great *pace*"),
            (_utc(2026, 3, 2, 20), other_bo, ""),
        ):
            with scheduled_ahead(db, at):
                view = sessions.add_session(db, circle_id=tokyo, starts_at=at, title="Ramen & Rust")
            view = sessions.set_presenter(db, view, presenter_id=presenter, source=PresenterSource.MANUAL)
            sessions.update_session(db, view, status=SessionStatus.HELD)
            attendance.check_in(db, session_id=view.id, person_id=p["cy"], attended="present")
            feedback.add_answer(db, session_id=view.id, person_id=p["cy"], rating=4, for_presenter=note)
        for key, who, rating, note in (
            ("feb10", "bo", 5, "Clear"),
            ("feb10", "ana", 2, ""),
            ("mar10", "bo", 3, ""),
        ):
            feedback.add_answer(db, session_id=s[key], person_id=p[who], rating=rating, for_presenter=note)
        recognition.add_thanks(
            db,
            person="di@example.org",
            text="for the notes",
            session_id=s["mar10"],
            given_by="bo2@example.org",
        )
    quarter = markdown(_ledger(store, "2026-01-01", "2026-04-01"))
    assert quarter == (
        "# Thank you: 01 Jan 2026 to 01 Apr 2026\n"
        "\n"
        "## Talks\n"
        "\n"
        "- **Ana Person** gave 6 talks: Weekly, 06 Jan (their first talk ever!); Weekly, 13 Jan; "
        "Weekly, 10 Feb; Weekly, 17 Feb; Weekly, 24 Feb (their 5th talk!); Weekly, 10 Mar\n"
        "- **Bo Person (Sales)** gave 1 talk: “Ramen & Rust”, Tokyo\\_Lunch, 03 Mar "
        "(their first talk ever!)\n"
        "- **Cy Person** gave 1 talk: “Ramen & Rust”, Tokyo\\_Lunch, 10 Feb (their first talk ever!)\n"
        "\n"
        "## Attendance streaks\n"
        "\n"
        "- **Ana Person** came to 5 Weekly sessions in a row (24 Feb)\n"
        "- **Bo Person (no. 2)** came to 5 Weekly sessions in a row (10 Mar)\n"
        "- **Cy Person** came to 5 Weekly sessions in a row (24 Feb)\n"
        "\n"
        "## Feedback for presenters\n"
        "\n"
        "- **Ana Person**: 3 ratings, 3.3 out of 5 on average, 1 note for them\n"
        "- **Bo Person (Sales)**: 1 rating, 4.0 out of 5 on average\n"
        "- **Cy Person**: 1 rating, 4.0 out of 5 on average, 1 note for them\n"
        "\n"
        "## Thanks\n"
        "\n"
        "- **Di Person** from Bo Person: for the notes (Weekly, Tue 10 Mar)\n"
    )
    one_circle = markdown(_ledger(store, "2026-01-01", "2026-04-01", circle="Tokyo_Lunch"))
    assert one_circle == (
        "# Thank you in Tokyo\\_Lunch: 01 Jan 2026 to 01 Apr 2026\n"
        "\n"
        "## Talks\n"
        "\n"
        "- **Bo Person** gave 1 talk: “Ramen & Rust”, Tokyo\\_Lunch, 03 Mar (their first talk ever!)\n"
        "- **Cy Person** gave 1 talk: “Ramen & Rust”, Tokyo\\_Lunch, 10 Feb (their first talk ever!)\n"
        "\n"
        "## Feedback for presenters\n"
        "\n"
        "- **Bo Person**: 1 rating, 4.0 out of 5 on average\n"
        "- **Cy Person**: 1 rating, 4.0 out of 5 on average, 1 note for them\n"
    )


def test_thanks_are_counted_on_the_readers_days(store: Store, clock: FixedClock) -> None:
    """Thanks belong to no circle: their day is the reader's. At 08:30 on 1 April in Sydney
    (21:30 UTC on 31 March) thanks given that moment are April's there; in UTC's days they
    were March's, so Sydney's 'this month' left out the thanks just given."""
    from tests import factories

    clock.now = datetime(2026, 3, 31, 21, 30, tzinfo=UTC)
    factories.person(store, "Ana Person", "ana@example.org")
    with store.write() as db:
        recognition.add_thanks(db, person="ana@example.org", text="for the demo")

    def thanked(zone: str, **period: str) -> list[date]:
        with store.read() as db:
            scope = recognition.period_scope(db, zone=zone, **period)
            return [t.day for r in recognition.ledger(db, scope, zone=zone).people for t in r.thanks]

    with store.read() as db:
        sydney = recognition.period_scope(db, zone="Australia/Sydney")
    assert (sydney.since, sydney.until) == (date(2026, 4, 1), date(2026, 4, 1))
    assert thanked("Australia/Sydney") == [date(2026, 4, 1)]
    assert thanked("Australia/Sydney", since="2026-03-01", until="2026-03-31") == []
    assert thanked("UTC") == [date(2026, 3, 31)]  # this month in UTC: March
    assert thanked("America/Los_Angeles", since="2026-03-31", until="2026-03-31") == [date(2026, 3, 31)]


def _sessions_read(db, statement, values) -> int:  # type: ignore[no-untyped-def]
    """The rows of circle_session PostgreSQL's plan of ``statement`` reads, run (EXPLAIN ANALYZE)."""
    import json as json_text

    compiled = statement.compile(db.get_bind())
    sql, params = compiled.string, compiled.construct_params(values)
    cursor = db.connection().connection.driver_connection.cursor()
    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
    plan = cursor.fetchone()[0]
    plan = json_text.loads(plan) if isinstance(plan, str) else plan

    def read(node: dict) -> int:  # type: ignore[type-arg]
        own = (
            node["Actual Rows"] * node["Actual Loops"] if node.get("Relation Name") == "circle_session" else 0
        )
        return own + sum(read(child) for child in node.get("Plans", []))

    return read(plan[0]["Plan"])


def test_a_page_of_people_reads_only_their_sessions_on_postgresql(store: Store, weekly: Weekly) -> None:
    """A page of the ledger on PostgreSQL looked through every held session of the period for
    the few its people presented or made a streak at (planned as for a large store: a month of
    the huge demo, 12,500 sessions read for 36 talks): their sessions are read by id."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("the plans are PostgreSQL's; SQLite reads a page's rows by person")
    with store.read() as db:
        db.connection().exec_driver_sql("SET LOCAL enable_seqscan = off")  # as for a large store
        scope = recognition.period_scope(db, since="2026-01-01", until="2026-04-01")
        bound = recognition._bound(db, scope, "UTC")
        bound.values["people"] = [weekly.p["cy"]]  # no talk, one streak (at 24 Feb)
        read = {
            "talks": _sessions_read(db, recognition._talks_sql(bound.shape, "postgresql"), bound.values),
            "feedback": _sessions_read(
                db, recognition._feedback_sql(bound.shape, True, "postgresql"), bound.values
            ),
            "notes": _sessions_read(db, recognition._notes_sql(bound.shape, "postgresql"), bound.values),
            "streaks": _sessions_read(db, recognition._streaks_sql(bound.shape, "postgresql"), bound.values),
        }
    assert read == {"talks": 0, "feedback": 0, "notes": 0, "streaks": 1}
