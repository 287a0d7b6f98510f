"""RSVP replies back into the store, on SQLite and PostgreSQL: from .eml, mbox, Maildir and bare
.ics; written by icalendar and by vobject; stale, older, foreign and malformed ones reported, with
nothing but the attendee's answer changing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from circles.cli import main
from circles.delivery.replies import scan
from circles.delivery.send import send_plan
from circles.errors import NotAllowed
from circles.services import attendance, delivery, members, people, replies, sessions
from models.enums import Rsvp
from models.store import Store
from models.summaries import FILLS
from tests.delivery_world import make_world, settings_for
from tests.reply_makers import (
    STAMP,
    as_email,
    plain_email,
    reply_icalendar,
    reply_vobject,
    write_maildir,
    write_mbox,
)
from tests.smtp_sink import Sink, smtp_sink


@pytest.fixture
def sink() -> Iterator[Sink]:
    with smtp_sink() as s:
        yield s


def _cli(store: Store, *args: str) -> Result:
    db = store.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(main, ["--db", db, "import", "replies", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def _answer(store: Store, session_id: int, person_id: int) -> Rsvp:
    with store.read() as db:
        (entry,) = [e for e in attendance.roster(db, session_id) if e.person_id == person_id]
        return entry.rsvp


def _tables(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table but the two a reply may write (and the summaries the store keeps
    of them, which its triggers count again from those rows: models/summaries.py)."""
    with store.engine.connect() as conn:
        names = sorted(set(sa.inspect(conn).get_table_names()) - {"attendance", "invite_reply", *FILLS})
        return {
            n: sorted(map(tuple, conn.exec_driver_sql(f"SELECT * FROM {n}").all()), key=repr) for n in names
        }


def test_a_yes_in_an_eml_sets_the_answer_and_nothing_else(store: Store, tmp_path: Path) -> None:
    w = make_world(store)
    s = w.sessions[0]
    before = _tables(store)
    with store.read() as db:
        assert attendance.headcount(db, s.id).yes == 0
    eml = tmp_path / "Accepted Rust Lunch.eml"
    eml.write_bytes(as_email(reply_icalendar(s.ics_uid, [("bo@example.org", "ACCEPTED")])))
    result = _cli(store, str(eml))
    assert result.exit_code == 0, result.output
    assert "Bo Smith: yes for Rust Lunch, Tue 10 Mar 2026 12:00 (was none)." in result.stdout
    assert "Read 1 message or file: 1 applied." in result.stdout
    assert _answer(store, s.id, w.bo) is Rsvp.YES
    with store.read() as db:
        assert attendance.headcount(db, s.id).yes == 1
    assert _tables(store) == before
    again = _cli(store, str(eml))  # the same mailbox twice: the answer is taken once
    assert again.exit_code == 0 and "was imported before" in again.stdout


def test_a_vobject_reply_in_a_bare_ics_file(store: Store, tmp_path: Path) -> None:
    w = make_world(store)
    ics = tmp_path / "reply.ics"
    ics.write_bytes(reply_vobject(w.sessions[1].ics_uid, "zoe@example.org", "DECLINED"))
    result = _cli(store, str(ics))
    assert result.exit_code == 0, result.output
    assert _answer(store, w.sessions[1].id, w.zoe) is Rsvp.NO


def test_a_reply_from_an_address_that_is_not_ascii_is_matched_however_it_is_written(
    store: Store, tmp_path: Path
) -> None:
    """The invite went to 'noé@xn--exmple-cua.org' (the domain's ASCII form): a calendar answers
    from that form, or percent-encodes the mailto URI (RFC 6068), or writes 'é' decomposed (NFD).
    Each is the person the store has as 'noé@exämple.org'; each was 'not someone circles knows'."""
    w = make_world(store)
    with store.write() as db:
        noe = people.add_person(db, name="Noé Ñandú", email="noé@exämple.org")
        members.add_member(db, circle_id=w.circle.id, person_id=noe.id)
    written = {
        "NOÉ@XN--EXMPLE-CUA.ORG": "ACCEPTED",
        "no%C3%A9@xn--exmple-cua.org": "DECLINED",
        "noe\u0301@ex\u00e4mple.org": "TENTATIVE",
    }
    expected = [Rsvp.YES, Rsvp.NO, Rsvp.MAYBE]
    for (address, partstat), session, rsvp in zip(written.items(), w.sessions, expected, strict=False):
        ics = tmp_path / f"reply-{session.id}.ics"
        ics.write_bytes(reply_icalendar(session.ics_uid, [(address, partstat)]))
        result = _cli(store, str(ics))
        assert result.exit_code == 0, result.output
        assert _answer(store, session.id, noe.id) is rsvp


def test_a_reply_saved_as_utf16_is_read(store: Store, tmp_path: Path) -> None:
    # Windows programs offer to save text as UTF-16; such a calendar was passed over in silence.
    w = make_world(store)
    ics = tmp_path / "reply.ics"
    text = reply_icalendar(w.sessions[1].ics_uid, [("zoe@example.org", "DECLINED")]).decode()
    ics.write_bytes(text.encode("utf-16"))
    result = _cli(store, str(ics))
    assert result.exit_code == 0, result.output
    assert _answer(store, w.sessions[1].id, w.zoe) is Rsvp.NO


def test_an_mbox_of_ten_thousand_messages_with_one_reply(store: Store, tmp_path: Path) -> None:
    w = make_world(store)
    messages = [plain_email(n) for n in range(10_000)]
    messages[7_345] = as_email(reply_icalendar(w.sessions[2].ics_uid, [("cy@guest.org", "TENTATIVE")]))
    box = write_mbox(tmp_path / "Inbox", messages)
    result = _cli(store, str(box))
    assert result.exit_code == 0, result.output
    assert "Read 10,000 messages or files: 1 applied." in result.stdout
    assert _answer(store, w.sessions[2].id, w.cy) is Rsvp.MAYBE


def test_a_maildir_and_a_folder_of_files(store: Store, tmp_path: Path) -> None:
    w = make_world(store)
    write_maildir(
        tmp_path / "Maildir",
        [plain_email(1), as_email(reply_icalendar(w.sessions[0].ics_uid, [("zoe@example.org", "ACCEPTED")]))],
    )
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "a.eml").write_bytes(
        as_email(reply_icalendar(w.sessions[3].ics_uid, [("bo@example.org", "DECLINED")]))
    )
    (folder / "notes.txt").write_bytes(b"just notes")
    result = _cli(store, str(tmp_path / "Maildir"), str(folder))
    assert result.exit_code == 0, result.output
    assert _answer(store, w.sessions[0].id, w.zoe) is Rsvp.YES
    assert _answer(store, w.sessions[3].id, w.bo) is Rsvp.NO


def test_a_reply_to_an_older_sequence_is_stale_and_not_applied(
    store: Store, sink: Sink, tmp_path: Path
) -> None:
    w = make_world(store)
    s = w.sessions[1]
    with store.read() as db:
        send_plan(store, delivery.plan_session(db, s.id), settings_for(sink.url))
    with store.write() as db:
        sessions.move_session(db, s, starts_at=s.starts_at + timedelta(days=1))
        attendance.set_rsvp(db, session_id=s.id, person_id=w.bo, rsvp="maybe")
    with store.read() as db:
        send_plan(store, delivery.plan_session(db, s.id), settings_for(sink.url))  # SEQUENCE 1 goes out
    old = tmp_path / "old.eml"
    old.write_bytes(as_email(reply_icalendar(s.ics_uid, [("bo@example.org", "ACCEPTED")], sequence=0)))
    result = _cli(store, str(old))
    assert result.exit_code == 0
    assert (
        "stale: Bo Smith answered SEQUENCE 0" in result.stderr
        and "SEQUENCE 1 went out since" in result.stderr
    )
    assert _answer(store, s.id, w.bo) is Rsvp.MAYBE
    new = tmp_path / "new.eml"
    new.write_bytes(as_email(reply_icalendar(s.ics_uid, [("bo@example.org", "DECLINED")], sequence=1)))
    assert _cli(store, str(new)).exit_code == 0
    assert _answer(store, s.id, w.bo) is Rsvp.NO


def test_an_older_answer_found_later_does_not_replace_a_newer_one(store: Store, tmp_path: Path) -> None:
    w = make_world(store)
    uid = w.sessions[0].ics_uid
    later = tmp_path / "later.eml"
    later.write_bytes(
        as_email(reply_icalendar(uid, [("bo@example.org", "DECLINED")], stamp=STAMP + timedelta(hours=5)))
    )
    earlier = tmp_path / "earlier.eml"
    earlier.write_bytes(as_email(reply_icalendar(uid, [("bo@example.org", "ACCEPTED")], stamp=STAMP)))
    assert _cli(store, str(later)).exit_code == 0
    result = _cli(store, str(earlier))
    assert "is older than the one already taken (no); not applied" in result.stderr
    assert _answer(store, w.sessions[0].id, w.bo) is Rsvp.NO
    # Both in one go, whichever file comes first: the later answer stands.
    uid2 = w.sessions[1].ics_uid
    late = as_email(
        reply_icalendar(uid2, [("zoe@example.org", "ACCEPTED")], stamp=STAMP + timedelta(hours=1))
    )
    early = as_email(reply_icalendar(uid2, [("zoe@example.org", "DECLINED")], stamp=STAMP))
    (tmp_path / "b-late.eml").write_bytes(late)
    (tmp_path / "c-early.eml").write_bytes(early)
    with store.write() as db:
        found = scan([tmp_path / "b-late.eml", tmp_path / "c-early.eml"])
        outcomes = [(r.outcome.value, r.rsvp) for r in replies.apply_replies(db, found.replies)]
    assert outcomes == [("applied", Rsvp.NO), ("applied", Rsvp.YES)]
    assert _answer(store, w.sessions[1].id, w.zoe) is Rsvp.YES


@pytest.mark.parametrize(
    ("attendees", "message"),
    [
        ([("bo@example.org", "ACCEPTED"), ("zoe@example.org", "ACCEPTED")], "has 2 ATTENDEEs"),
        ([], "has no ATTENDEE"),
        ([("mallory@example.org", "ACCEPTED")], "is not someone circles knows"),
        ([("dee@example.org", "ACCEPTED")], "Dee Other (dee@example.org) answered for Rust Lunch"),
        ([("bo@example.org", "DELEGATED")], "answered 'DELEGATED', which is not yes, maybe or no"),
    ],
    ids=["two attendees", "none", "a stranger", "not invited", "delegated"],
)
def test_a_reply_circles_cannot_take_is_one_line_and_changes_nothing(
    store: Store, tmp_path: Path, attendees: list[tuple[str, str]], message: str
) -> None:
    w = make_world(store)
    with store.write() as db:
        people.add_person(db, name="Dee Other", email="dee@example.org")
    before = _tables(store)
    eml = tmp_path / "reply.eml"
    eml.write_bytes(as_email(reply_icalendar(w.sessions[0].ics_uid, attendees)))
    result = _cli(store, str(eml))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].endswith("nothing changed."), lines
    assert _tables(store) == before
    with store.read() as db:
        assert attendance.headcount(db, w.sessions[0].id).yes == 0


def test_unknown_uids_and_unreadable_files_are_one_line_each(store: Store, tmp_path: Path) -> None:
    w = make_world(store)
    before = _tables(store)
    unknown = tmp_path / "unknown.eml"
    unknown.write_bytes(as_email(reply_icalendar("not-ours@elsewhere", [("bo@example.org", "ACCEPTED")])))
    garbage = tmp_path / "garbage.eml"
    garbage.write_bytes(bytes(range(256)) * 40)
    broken = tmp_path / "broken.eml"
    broken.write_bytes(as_email(b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID;=:x\r\n"))
    junk_ics = tmp_path / "junk.ics"
    junk_ics.write_bytes(b"BEGIN:VCALENDAR\r\nthis is not a calendar")
    result = _cli(store, str(unknown), str(garbage), str(broken), str(junk_ics), "--json")
    assert result.exit_code == 1
    rows = {Path(r["source"]).name: r for r in json.loads(result.stdout)}
    assert (
        rows["unknown.eml"]["outcome"] == "refused"
        and "no session or series" in rows["unknown.eml"]["message"]
    )
    assert rows["broken.eml"]["outcome"] == "unreadable"
    assert rows["junk.ics"]["outcome"] == "unreadable"
    # Binary data given by name said "no RSVP reply in it" and exited 0, as if it had been read.
    plain = _cli(store, str(garbage))
    assert plain.exit_code == 1
    assert plain.stderr.strip().splitlines() == [
        f"circles: {garbage}: is not an e-mail message, an mbox or a calendar file: it holds binary data"
    ]
    # In a folder of saved mail, a file that is none of those (an attachment) is passed over.
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "garbage.pdf").write_bytes(bytes(range(256)) * 40)
    assert _cli(store, str(folder)).exit_code == 0
    missing = _cli(store, str(tmp_path / "nope.mbox"))
    assert (
        missing.exit_code == 1
        and missing.stderr.startswith("circles: file '")
        and "is not there" in missing.stderr
    )
    assert _tables(store) == before
    assert w.sessions  # the world was there all along


def test_a_series_reply_answers_one_session_or_the_whole_series(store: Store, tmp_path: Path) -> None:
    w = make_world(store)
    moved = w.sessions[1]
    with store.write() as db:
        sessions.move_session(db, moved, starts_at=moved.starts_at + timedelta(hours=3))
    series = w.circle.ics_series_uid
    with store.read() as db:
        from circles.services import circle_records as circle_service

        circle = circle_service.get_circle(db, w.circle.id)
        sequence = replies._series_sequence(db, circle)
    # The moved session is named by the slot it was planned in (its RECURRENCE-ID).
    one = tmp_path / "one.ics"
    one.write_bytes(
        reply_icalendar(
            series,
            [("zoe@example.org", "DECLINED")],
            sequence=sequence,
            recurrence_id=moved.planned_starts_at,
        )
    )
    whole = tmp_path / "whole.ics"
    whole.write_bytes(reply_icalendar(series, [("bo@example.org", "ACCEPTED")], sequence=sequence))
    result = _cli(store, str(one), str(whole))
    assert result.exit_code == 0, result.output
    assert _answer(store, moved.id, w.zoe) is Rsvp.NO
    with store.read() as db:
        bo = members.current_membership(db, circle_id=w.circle.id, person_id=w.bo)
        assert bo is not None and bo.default_rsvp is Rsvp.YES
    assert _answer(store, w.sessions[3].id, w.bo) is Rsvp.YES  # the series answer reaches every session
    stale = tmp_path / "stale.ics"
    stale.write_bytes(reply_icalendar(series, [("zoe@example.org", "ACCEPTED")], sequence=0))
    assert "stale" in _cli(store, str(stale)).stderr


def test_a_reply_to_a_cancelled_session_is_refused_and_changes_nothing(store: Store, tmp_path: Path) -> None:
    """A calendar's 'yes' read after the session was cancelled (its SEQUENCE the cancellation's)
    was applied: the cancelled session counted one yes. An answer for a cancelled session is
    refused wherever it comes from (attendance.set_rsvp)."""
    w = make_world(store)
    s = w.sessions[1]
    with store.write() as db:
        cancelled = sessions.cancel_session(db, s)
    late = tmp_path / "late.eml"
    yes = reply_icalendar(s.ics_uid, [("bo@example.org", "ACCEPTED")], sequence=cancelled.ics_sequence)
    late.write_bytes(as_email(yes))
    result = _cli(store, str(late))
    assert result.exit_code == 1, result.output  # as every refused reply
    assert "Bo Smith's answer (yes): Rust Lunch, " in result.stderr
    assert "was cancelled: there is nothing to answer; nothing changed." in result.stderr
    assert _answer(store, s.id, w.bo) is Rsvp.NONE
    with pytest.raises(NotAllowed, match="was cancelled"), store.write() as db:
        attendance.set_rsvp(db, session_id=s.id, person_id=w.bo, rsvp="maybe")
