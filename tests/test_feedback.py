"""Feedback after sessions: who may answer, a second answer, anonymous answers, the
non-responders (exact, per session and per circle), settings, and the CLI's one-line errors.

The history is tests/attendance_fixture.py: at S1 Ana and Dee came (Bob was absent, Cy not
yet a member); at S2 Ana (late) and Eve (a walk-in); at S3 Cy; at S4 Ana and Dee.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from circles.cli import main
from circles.errors import Conflict, InvalidInput, NotAllowed
from circles.services import feedback
from models.store import Store
from tests.attendance_fixture import History, build
from tests.statements import statements_sent


@pytest.fixture
def history(store: Store) -> History:
    return build(store)


def _add(store: Store, history: History, session: str, person: str, rating: object = 4, **kw: object):  # type: ignore[no-untyped-def]
    with store.write() as db:
        return feedback.add_answer(
            db, session_id=history.s[session], person_id=history.p[person], rating=rating, **kw
        )


def test_an_answer_is_listed_and_the_non_responders_are_exact(store: Store, history: History) -> None:
    saved = _add(store, history, "S1", "ana", 5, learned="  borrowing\nis   checked ", for_presenter="More!")
    assert not saved.replaced
    assert saved.message == "Saved Ana Ruiz's answer about Rust Lunch, Tue 03 Feb 2026 12:00 (rated 5)."
    with store.read() as db:
        answers = feedback.list_answers(db, history.s["S1"])
        assert [(a.person_name, a.rating, a.learned, a.for_presenter) for a in answers] == [
            ("Ana Ruiz", 5, "borrowing is checked", "More!")
        ]
        # Dee came and has not answered; Bob was absent and Cy not yet a member: not asked.
        assert [n.name for n in feedback.missing_for_session(db, history.s["S1"])] == ["Dee Park"]
        # The walk-in at S2 is asked too; nobody who did not come is.
        assert [n.name for n in feedback.missing_for_session(db, history.s["S2"])] == [
            "Ana Ruiz",
            "Eve Walker",
        ]
        per_person = {
            n.name: [m.session_id for m in n.sessions] for n in feedback.missing_for_circle(db, "Rust Lunch")
        }
    s = history.s
    assert per_person == {
        "Ana Ruiz": [s["S2"], s["S4"]],
        "Dee Park": [s["S1"], s["S4"]],
        "Cy Young": [s["S3"]],
        "Eve Walker": [s["S2"]],
    }


def test_non_responders_of_a_circle_keep_to_the_period(store: Store, history: History) -> None:
    with store.read() as db:
        found = feedback.missing_for_circle(db, "Rust Lunch", since="2026-02-17", until="2026-02-17")
    assert [(n.name, [m.session_id for m in n.sessions]) for n in found] == [("Cy Young", [history.s["S3"]])]


@pytest.mark.parametrize("rating", [0, 6, 7, "4.5", "four", "", None, True])
def test_a_rating_outside_1_to_5_is_refused_naming_the_field(
    store: Store, history: History, rating: object
) -> None:
    with pytest.raises(InvalidInput, match=r"^rating( '.*')? must be a whole number from 1 to 5\."):
        _add(store, history, "S1", "ana", rating)
    with store.read() as db:
        assert feedback.list_answers(db, history.s["S1"]) == []


def test_only_people_who_came_can_answer(store: Store, history: History) -> None:
    with pytest.raises(NotAllowed, match=r"Bob Stone was not at Rust Lunch.*\(checked in as absent\)"):
        _add(store, history, "S1", "bob")
    with pytest.raises(NotAllowed, match=r"Cy Young was not at .*\(not checked in\)"):
        _add(store, history, "S1", "cy")
    with pytest.raises(NotAllowed, match="was cancelled"):
        _add(store, history, "cancelled", "ana")
    with pytest.raises(NotAllowed, match="has not started yet"):
        _add(store, history, "S5", "ana")


def test_a_second_answer_replaces_the_first_and_says_so(store: Store, history: History) -> None:
    _add(store, history, "S1", "ana", 2, learned="first")
    again = _add(store, history, "S1", "ana", 5, learned="second")
    assert again.replaced
    assert again.message.startswith("Replaced Ana Ruiz's earlier answer")
    with store.read() as db:
        assert [(a.rating, a.learned) for a in feedback.list_answers(db, history.s["S1"])] == [(5, "second")]
        assert [a.answered for a in feedback.attendees(db, history.s["S1"])] == [True, False]


def test_a_first_answer_given_meanwhile_is_kept_when_the_other_was_typed_as_a_first(
    store: Store, history: History
) -> None:
    """Check-out on two screens: the line typed on a row showing no answer does not replace the
    answer the other facilitator saved meanwhile; it is refused naming what they gave."""
    _add(store, history, "S1", "ana", 2, learned="first")
    with pytest.raises(Conflict) as refused:
        _add(store, history, "S1", "ana", 5, learned="second", replacing=False)
    # In check-out's words: the typed line comes back, and Enter again replaces their answer.
    assert str(refused.value) == (
        "Someone else gave Ana Ruiz's answer meanwhile (they answered, rated 2: 'first'). "
        "Nothing was saved: your line is back; Enter again puts it in place of theirs, Escape drops it."
    )
    with store.read() as db:
        assert [(a.rating, a.learned) for a in feedback.list_answers(db, history.s["S1"])] == [(2, "first")]
    assert _add(store, history, "S1", "ana", 5, learned="second", replacing=True).replaced
    assert not _add(store, history, "S1", "dee", 4, replacing=False).replaced


def test_a_named_answer_can_become_anonymous_but_not_back(store: Store, history: History) -> None:
    _add(store, history, "S1", "ana", 2)
    turned = _add(store, history, "S1", "ana", 3, anonymous=True)
    assert turned.replaced and turned.answer.anonymous
    with pytest.raises(NotAllowed, match=r"already answered about .* anonymously"):
        _add(store, history, "S1", "ana", 4)
    with store.read() as db:
        answers = feedback.list_answers(db, history.s["S1"])
    assert [(a.person_id, a.rating) for a in answers] == [(None, 3)]


def test_an_anonymous_circle_stores_every_answer_without_a_name(store: Store, history: History) -> None:
    with store.write() as db:
        feedback.set_settings(db, history.rust, anonymous=True)
    saved = _add(store, history, "S4", "dee", 4)
    assert saved.answer.anonymous and saved.message.endswith("(anonymously, without their name).")
    with store.read() as db:
        data = feedback.session_feedback(db, history.s["S4"])
    assert [(a.person_id, a.person_name) for a in data.answers] == [(None, None)]
    # Who answered is still known, so the reminder list is right.
    assert [(a.name, a.answered, a.rating) for a in data.attendees] == [
        ("Ana Ruiz", False, None),
        ("Dee Park", True, None),
    ]
    assert (data.responded, data.response_rate, data.mean) == (1, 0.5, 4.0)


def test_settings_default_and_change(store: Store, history: History) -> None:
    with store.write() as db:
        assert feedback.get_settings(db, history.rust).anonymous is False
        assert feedback.get_settings(db, history.rust).share_with_presenter is True
        changed = feedback.set_settings(db, history.rust, share_with_presenter=False)
        assert (changed.anonymous, changed.share_with_presenter) == (False, False)
        again = feedback.set_settings(db, history.rust, anonymous=True)
        assert (again.anonymous, again.share_with_presenter, again.version) == (True, False, 2)


def test_a_save_and_the_roster_read_after_it_read_the_circle_not_at_all(
    store: Store, history: History
) -> None:
    """Check-out's save (an answer, then the session's roster in the same unit of work) read
    the circle twice, once for each time it looked up the circle's feedback settings, only to
    check a circle exists that the session names: two trips to the store between Enter and
    the answer shown, the slowest part of it on a server."""
    with statements_sent(store.engine) as sent, store.write() as db:
        feedback.add_answer(db, session_id=history.s["S1"], person_id=history.p["ana"], rating=5)
        shown = feedback.session_feedback(db, history.s["S1"])
    assert shown.responded == 1
    circle_reads = [s for s, _ in sent if s.lstrip().upper().startswith("SELECT") and "FROM circle " in s]
    assert circle_reads == []


def test_cli_feedback_add_list_missing(store: Store, history: History) -> None:
    runner = CliRunner()
    db = ["--db", store.url.render_as_string(hide_password=False)]
    s1 = str(history.s["S1"])
    ok = runner.invoke(
        main, [*db, "feedback", "add", s1, "ana@example.org", "--rating", "5", "--learned", "Rc"]
    )
    assert ok.exit_code == 0, ok.output
    assert "Saved Ana Ruiz's answer" in ok.output
    again = runner.invoke(main, [*db, "feedback", "add", s1, "ANA@example.org", "--rating", "4"])
    assert again.exit_code == 0 and "Replaced Ana Ruiz's earlier answer" in again.output
    listed = runner.invoke(main, [*db, "feedback", "list", s1, "--json"])
    assert listed.exit_code == 0, listed.output
    assert [(a["person_name"], a["rating"]) for a in json.loads(listed.output)] == [("Ana Ruiz", 4)]
    shown = runner.invoke(main, [*db, "feedback", "list", s1]).output
    assert ": 1 answer from 1 of 2 who came, mean 4.0" in shown  # it said "1 answers"
    missing = runner.invoke(main, [*db, "feedback", "missing", s1, "--json"])
    assert [n["email"] for n in json.loads(missing.output)] == ["dee@example.org"]
    per_circle = runner.invoke(main, [*db, "feedback", "missing", "--circle", "Rust Lunch"])
    assert per_circle.exit_code == 0 and "Dee Park" in per_circle.output


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--rating", "7"], "circles: --rating '7' must be a whole number from 1 to 5."),
        (
            ["--rating", "3", "--learned", "x" * 400],
            "circles: --learned '" + "x" * 60 + "…' is 400 characters long; the limit is 300.",
        ),
    ],
)
def test_cli_bad_input_is_one_line_and_status_1(
    store: Store, history: History, args: list[str], line: str
) -> None:
    runner = CliRunner()
    db = ["--db", store.url.render_as_string(hide_password=False)]
    result = runner.invoke(main, [*db, "feedback", "add", str(history.s["S1"]), "ana@example.org", *args])
    assert result.exit_code == 1
    assert result.output.startswith(line)
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_cli_feedback_from_someone_not_there(store: Store, history: History) -> None:
    runner = CliRunner()
    db = ["--db", store.url.render_as_string(hide_password=False)]
    result = runner.invoke(
        main, [*db, "feedback", "add", str(history.s["S1"]), "bob@example.org", "--rating", "3"]
    )
    assert result.exit_code == 1
    assert "Bob Stone was not at" in result.output and len(result.output.strip().splitlines()) == 1
    usage = runner.invoke(main, [*db, "feedback", "missing"])
    assert usage.exit_code == 2
    # Given neither, it asks for one (it used to say "not both").
    assert usage.output.splitlines()[-1] == "Error: Give a SESSION_ID or --circle CIRCLE."
    both = runner.invoke(main, [*db, "feedback", "missing", "1", "--circle", "Rust Lunch"])
    assert both.exit_code == 2 and "not both" in both.output


def test_cli_feedback_settings_say_it_in_one_sentence(store: Store, history: History) -> None:
    runner = CliRunner()
    db = ["--db", store.url.render_as_string(hide_password=False)]
    shown = runner.invoke(main, [*db, "feedback", "settings", "Rust Lunch"])
    assert shown.exit_code == 0, shown.output
    assert shown.output == "Rust Lunch: answers are named; notes for presenters reach them.\n"
    changed = runner.invoke(main, [*db, "feedback", "settings", "Rust Lunch", "--anonymous", "--no-share"])
    assert changed.output.splitlines()[0] == (
        "Rust Lunch: answers are anonymous; notes for presenters stay with the facilitators."
    )


def test_cli_feedback_missing_for_a_cancelled_session_says_it_was_cancelled(
    store: Store, history: History
) -> None:
    runner = CliRunner()
    db = ["--db", store.url.render_as_string(hide_password=False)]
    result = runner.invoke(main, [*db, "feedback", "missing", str(history.s["cancelled"])])
    assert result.exit_code == 1
    assert "was cancelled: there is nothing to give feedback on." in result.output
    assert "Everyone who came has answered" not in result.output
