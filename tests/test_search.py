"""Search on each backend's own full-text engine: the same documents for the same queries on
SQLite and PostgreSQL (one shared table of queries and expected hits), a change found as soon
as it is saved, and no query a person can type raising anything but a clear message."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

import psycopg
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circles.errors import InvalidInput
from circles.search_query import fold
from circles.services import (
    agenda,
    attendance,
    circle_records,
    feedback,
    knowledge,
    people,
    search,
    sessions,
)
from models.search_schema import FOLD_FROM, FOLD_TO, FTS_TABLE, VECTOR_COLUMN, VECTOR_INDEX
from tests import factories


@pytest.fixture
def library(store, tmp_path, clock):
    """A small store with something of every kind, each thing named for the table below."""
    ana = factories.person(store, "Ana Müller", "ana@example.org")
    bo = factories.person(store, "Bo Chen", "bo@example.org")
    jose = factories.person(store, "José Álvarez", "jose@example.org")
    rust = factories.circle(store, "Rust Lunch", description="Crabs, café and compilers")
    data = factories.circle(
        store, "Data Guild", kind="community-of-practice", description="Statistics for all"
    )
    own = factories.session(store, rust, "2026-03-05 12:00", title="Ownership and borrowing")
    traits = factories.session(store, rust, "2026-03-12 12:00", title="Traits in practice")
    sql = factories.session(store, data, "2026-03-10 16:00", title="Window functions")
    deck = tmp_path / "window-functions-deck.pdf"
    deck.write_text("slides")
    with store.write() as db:
        checker = agenda.add_item(db, session_id=own.id, title="The borrow checker", presenter_id=ana.id)
        generics = agenda.add_item(db, session_id=traits.id, title="Generic code", presenter_id=bo.id)
        ranks = agenda.add_item(db, session_id=sql.id, title="Ranking rows", presenter_id=jose.id)
        sessions.update_session(
            db,
            sessions.get_session(db, own.id),
            notes="We drew the borrow checker's rules on the whiteboard.",
        )
        sessions.update_session(
            db, sessions.get_session(db, sql.id), notes="Naïve queries versus window functions; e-mail Bo."
        )
        book = knowledge.add_material(
            db, session_id=own.id, target="https://doc.rust-lang.org/book/ch04-understanding-ownership.html"
        )
        slides = knowledge.add_material(db, session_id=sql.id, target=str(deck), title="Deck")
        moves = knowledge.add_takeaway(db, session_id=own.id, text="Moves are cheap, clones are explicit")
        over = knowledge.add_takeaway(
            db, session_id=sql.id, text="OVER() with PARTITION BY replaces self-joins"
        )
        knowledge.add_topics(db, session_id=own.id, topics="Memory safety, Rust")
        knowledge.add_topics(db, agenda_item_id=generics.id, topics=["Type systems"])
        knowledge.add_topics(db, session_id=sql.id, topics=["SQL", "Analytics"])
    # What people learned, once the sessions are over: José by name, Bo and Ana anonymously.
    clock.now = datetime(2026, 3, 20, 9, tzinfo=UTC)
    with store.write() as db:
        sessions.update_session(db, sessions.get_session(db, own.id), status="held")
        sessions.update_session(db, sessions.get_session(db, sql.id), status="held")
        for session_id, person_id, line, anonymous in LEARNED:
            who = {"ana": ana.id, "bo": bo.id, "jose": jose.id}[person_id]
            sid = {"own": own.id, "sql": sql.id}[session_id]
            attendance.check_in(db, session_id=sid, person_id=who, attended="present")
            feedback.add_answer(
                db, session_id=sid, person_id=who, rating=4, learned=line, anonymous=anonymous
            )
    return {
        "ana": ("person", ana.id),
        "bo": ("person", bo.id),
        "jose": ("person", jose.id),
        "rust": ("circle", rust.id),
        "data": ("circle", data.id),
        "own": ("session", own.id),
        "traits": ("session", traits.id),
        "sql": ("session", sql.id),
        "checker": ("agenda_item", checker.id),
        "generics": ("agenda_item", generics.id),
        "ranks": ("agenda_item", ranks.id),
        "book": ("material", book.id),
        "slides": ("material", slides.id),
        "moves": ("takeaway", moves.id),
        "over": ("takeaway", over.id),
        "own_learned": ("learned", own.id),
        "sql_learned": ("learned", sql.id),
    }


# (session, author, "one thing I learned", anonymous)
LEARNED = [
    ("own", "jose", "Aliasing xor mutation is the whole idea", False),
    ("own", "bo", "Clippy catches more than I thought", True),
    ("sql", "ana", "Frames decide which rows a running total sees", True),
    ("sql", "bo", "", True),  # an answer with no line adds nothing
]


# What a person types, and what must be found: exactly these, on both backends.
QUERIES = [
    ("rust", {"rust", "own", "traits", "book"}),  # a circle, its sessions (by name, by topic), a link
    ("RUST", {"rust", "own", "traits", "book"}),
    ("borrow", {"own", "checker"}),  # a title word and a note word
    ('"borrow checker"', {"own", "checker"}),  # a phrase
    ('"checker borrow"', set()),  # words in the wrong order
    ("borrow -whiteboard", {"checker"}),  # leave out what has a word
    ("muller", {"ana", "checker"}),  # accents folded: Müller; presenters are in their items
    ("Müller", {"ana", "checker"}),
    ("alvarez", {"jose", "ranks"}),
    ("naive", {"sql"}),  # Naïve in notes
    ("cafe", {"rust"}),  # café in a description
    ("memory safety", {"own"}),  # a topic
    ("type systems", {"generics"}),  # a topic on one agenda item
    ("understanding", {"book"}),  # a word inside a link
    ("window functions deck", {"slides"}),  # a file's name
    ("e-mail", {"sql"}),  # punctuation splits words as the index does
    ("partition", {"over"}),  # a takeaway
    ("explicit", {"moves"}),
    ("own*", {"own", "book"}),  # a beginning
    ("statis*", {"data"}),
    ("community", {"data"}),  # the circle's kind
    ("bo", {"bo", "generics", "sql"}),  # a person, their talk, a note that names them
    ("ownership compilers", set()),  # every word must be in one document
    ("NEAR", set()),
    ("title:rust", set()),  # no column filters: the phrase "title rust"
    ("zzz", set()),
    ("aliasing", {"own_learned"}),  # a named line: its author (José) is not in it, see "alvarez"
    ("clippy", {"own_learned"}),  # an anonymous one
    ('"running total"', {"sql_learned"}),
    ("frames -clippy", {"sql_learned"}),
    ("rows", {"ranks", "sql_learned"}),
]


def _found(store, text: str, *, typing: bool = False) -> set[tuple[str, int]]:
    with store.read() as db:
        return {(h.kind, h.id) for h in search.search(db, text, limit=100, typing=typing, grouped=False)}


def test_the_same_documents_are_found_for_the_same_queries(store, library):
    wrong = []
    for text, names in QUERIES:
        expected = {library[n] for n in names}
        got = _found(store, text)
        if got != expected:
            named = {v: k for k, v in library.items()}
            wrong.append(f"{text!r}: got {sorted(named.get(h, h) for h in got)}, expected {sorted(names)}")
    assert wrong == []


def test_while_typing_the_last_word_is_a_beginning(store, library):
    assert _found(store, "borro", typing=True) == {library["own"], library["checker"]}
    assert _found(store, "borro ", typing=True) == set()  # the word is finished
    assert _found(store, '"the borrow che', typing=True) == {library["own"], library["checker"]}


def test_a_search_on_postgresql_is_its_one_statement_and_no_transaction(store, library):
    # A transaction around the one statement cost a BEGIN and a ROLLBACK: two more round trips
    # to the server than the answer. The next unit of work is a transaction again.
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's transactions are in the same process")
    with store.read() as db:
        assert search.search(db, "borrow")
        driver = db.connection().connection.driver_connection
        assert driver.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    with store.read() as db:
        db.execute(sa.text("SELECT 1"))
        assert db.connection().connection.driver_connection is driver  # the pool keeps one
        assert driver.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS


def test_a_failed_search_on_postgresql_raises_as_any_statement_does(store, library, monkeypatch):
    # The search runs on psycopg's own cursor; what callers catch is still SQLAlchemy's error.
    if store.engine.dialect.name != "postgresql":
        pytest.skip("the search runs through SQLAlchemy on SQLite")
    monkeypatch.setattr(search, "_driver_text", lambda dialect, sql: "SELECT * FROM no_such_table")
    with store.read() as db, pytest.raises(sa.exc.ProgrammingError, match="no_such_table"):
        search.search(db, "borrow")


def test_a_title_ranks_above_a_mention_and_matched_words_are_marked(store, library):
    with store.read() as db:
        hits = search.search(db, "borrow")
    assert (hits[0].kind, hits[0].id) == library["checker"]
    for h in hits:
        assert h.marks, h
        assert all(h.snippet[a:b].lower().startswith("borrow") for a, b in h.marks)
        assert "\x02" not in h.snippet and "\x03" not in h.snippet
    with store.read() as db:
        (person, item) = search.search(db, "muller")
    assert [person.snippet[a:b] for a, b in person.marks] == ["Müller"]
    assert person.where == "ana@example.org"
    assert item.opens == ("session", library["own"][1])
    assert item.where == "Rust Lunch, Thu 05 Mar"  # the year only when it is not this one


def test_an_edited_note_is_found_by_its_new_words_and_not_its_old_ones(store, library):
    with store.write() as db:
        s = sessions.get_session(db, library["own"][1])
        sessions.update_session(db, s, notes="Lifetimes, explained with a library card.")
        # In the same transaction: what was just saved is already found.
        assert {(h.kind, h.id) for h in search.search(db, "library")} == {library["own"]}
    assert _found(store, "whiteboard") == set()
    assert _found(store, "lifetimes") == {library["own"]}


def test_every_change_to_a_source_reaches_the_index(store, library):
    with store.write() as db:
        people.update_person(db, people.get_person(db, library["bo"][1]), name="Bo Lindqvist")
        circle_records.update_circle(db, circle_records.get_circle(db, library["rust"][1]), name="Crab Club")
        agenda.delete_item(db, agenda.get_item(db, library["ranks"][1]))
        knowledge.delete_material(db, knowledge.get_material(db, library["book"][1]))
        knowledge.remove_topic(db, session_id=library["own"][1], topic="rust")
        knowledge.update_takeaway(
            db, knowledge.get_takeaway(db, library["moves"][1]), text="Copy types are cheap"
        )
    assert _found(store, "lindqvist") == {library["bo"], library["generics"]}
    assert _found(store, "chen") == set()
    assert _found(store, "crab") == {library["rust"], library["own"], library["traits"]}
    assert _found(store, "ranking") == set()
    assert _found(store, "understanding") == set()
    assert _found(store, "rust") == set()
    assert _found(store, "copy") == {library["moves"]}
    assert _found(store, "explicit") == set()


HOSTILE = [
    '"',
    '"unbalanced quote',
    'rust "',
    "*",
    "**",
    "rust*",
    "r*",
    "NEAR(rust borrow, 2)",
    "rust NEAR borrow",
    "-",
    "--",
    "- -rust",
    "-rust",
    "title:rust",
    "body:(a OR b)",
    "{title body}: x",
    "^rust",
    "rust AND OR NOT",
    "'; DROP TABLE search_doc; --",
    "a & b | !c <-> d:*",
    "\\",
    "()[]{}<>",
    "!!!???...,,,",
    "x" * 10_000,
    "rust " * 2_000,
    "\u0000\u0001",
    "\u200b\u00ad",
    "😀 🦀",
    "a" * 499,
    "ß ǅ İ ﬁ",
]


def _never_fails(store, text: str) -> None:
    for typing in (False, True):
        try:
            with store.read() as db:
                search.search(db, text, typing=typing)
        except InvalidInput as exc:
            assert len(str(exc)) < 200 and "\n" not in str(exc)


def test_a_hostile_query_raises_nothing_but_a_clear_message(store, library):
    for text in HOSTILE:
        _never_fails(store, text)
    with pytest.raises(InvalidInput, match=r"^search 'x+…' is 10000 characters long; the limit is 500\.$"):
        _found(store, "x" * 10_000)
    with pytest.raises(InvalidInput, match=r"^search '!!!\?\?\?' has no word to look for\.$"):
        _found(store, "!!!???")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=120))
def test_any_text_raises_nothing_but_a_clear_message(store, text):
    _never_fails(store, text)


def test_what_people_learned_is_found_as_soon_as_it_is_saved_and_goes_with_it(store, library, clock):
    own, sql = library["own"][1], library["sql"][1]
    jose = library["jose"][1]
    with store.write() as db:
        # José answers again: his named answer (and its line) is replaced, in the same transaction.
        feedback.add_answer(db, session_id=own, person_id=jose, rating=5, learned="Reborrowing is fine")
        assert {(h.kind, h.id) for h in search.search(db, "reborrowing")} == {library["own_learned"]}
        assert {(h.kind, h.id) for h in search.search(db, "aliasing")} == set()
    # An anonymous answer rewrites the session's anonymous answers: the lines stay found.
    with store.write() as db:
        attendance.check_in(db, session_id=sql, person_id=library["jose"][1], attended="present")
        feedback.add_answer(
            db, session_id=sql, person_id=jose, rating=3, learned="Ties share a rank", anonymous=True
        )
    assert _found(store, "ties") == _found(store, "running total") == {library["sql_learned"]}
    # The session's last line gone, its document goes; the session gone, all of it goes.
    with store.write() as db:
        db.execute(sa.text("UPDATE feedback_answer SET learned = '' WHERE session_id = :s"), {"s": sql})
        db.execute(sa.text("DELETE FROM circle_session WHERE id = :s"), {"s": own})
    with store.read() as db:
        kinds = db.execute(sa.text("SELECT count(*) FROM search_doc WHERE kind = 'learned'")).scalar()
    assert kinds == 0
    assert _found(store, "ties") == _found(store, "clippy") == set()


def test_a_line_learned_shows_no_author_and_opens_its_session(store, library):
    """Named or anonymous, the hit names nobody: not in its title, snippet, where, or JSON."""
    from circles.cli.common import plain

    with store.read() as db:
        hits = search.search(db, "clippy") + search.search(db, "aliasing") + search.search(db, "frames")
    assert {h.kind for h in hits} == {"learned"}
    for hit in hits:
        assert hit.title.startswith("What people learned at ")
        shown = json.dumps(plain(hit), ensure_ascii=False) + hit.title + hit.snippet + hit.where
        for name, email in [("Bo Chen", "bo@"), ("José Álvarez", "jose@"), ("Ana Müller", "ana@")]:
            assert name not in shown and email not in shown and name.split()[0] not in shown
        assert hit.opens == ("session", hit.session_id)
    assert [hits[0].snippet[a:b] for a, b in hits[0].marks] == ["Clippy"]


def test_a_talk_comes_before_its_materials_and_a_session_is_one_hit(store):
    """The talk itself first, even when its slides (linked from many sessions, titled with the
    words) rank above it; the many things found in one session are one hit saying how many."""
    ana = factories.person(store, "Ana Lima")
    c = factories.circle(store, "Rust Lunch")
    talk = factories.session(store, c, "2026-03-05 12:00", title="Borrowing")
    others = [factories.session(store, c, f"2026-04-{d:02d} 12:00", title="Open floor") for d in range(1, 13)]
    with store.write() as db:
        item = agenda.add_item(
            db,
            session_id=talk.id,
            title="What a year of production code taught us about lifetimes",
            presenter_id=ana.id,
        )
        knowledge.add_topics(db, agenda_item_id=item.id, topics=["Rust"])
        for n in range(3):
            knowledge.add_material(
                db, session_id=talk.id, target=f"https://example.org/rust/lifetimes-{n}", title="Lifetimes"
            )
        knowledge.add_takeaway(db, session_id=talk.id, text="Rust lifetimes are about borrows")
        for s in others:
            knowledge.add_material(
                db, session_id=s.id, target="https://example.org/rust/lifetimes", title="Rust lifetimes"
            )
    with store.read() as db:
        ungrouped = search.search(db, "rust lifetimes", limit=50, grouped=False)
        hits = search.search(db, "rust lifetimes", limit=5)
        typed = search.search(db, "rust lifeti", limit=5, typing=True)
    assert ungrouped[0].kind == "material"  # what the ranking alone puts first
    assert len(ungrouped) == 3 + 1 + 1 + len(others)
    for found in (hits, typed):
        assert (found[0].kind, found[0].id, found[0].more) == ("agenda_item", item.id, 4)
        assert [h.kind for h in found[1:]] == ["material"] * 4
        assert len({h.session_id for h in found}) == len(found) == 5
        assert all(h.more == 0 for h in found[1:])


def test_the_index_is_there_with_every_trigger(store, library):
    """A later migration that rebuilds a source table on SQLite (batch mode) drops its
    triggers with it; this names the missing ones."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            have = {
                n for (n,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            }
            assert (
                conn.exec_driver_sql(f"SELECT count(*) FROM {FTS_TABLE}").scalar()
                == conn.exec_driver_sql("SELECT count(*) FROM search_doc").scalar()
            )
            assert conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('integrity-check')")
        else:
            have = {
                n for (n,) in conn.exec_driver_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            }
            columns = {c["name"] for c in sa.inspect(conn).get_columns("search_doc")}
            indexes = {i["name"] for i in sa.inspect(conn).get_indexes("search_doc")}
            assert VECTOR_COLUMN in columns and VECTOR_INDEX in indexes
    missing = {f"search_{source}_{event}" for source, event in _SOURCES} - have
    assert missing == set()


_SOURCES = [
    (source, event)
    for source in ("circle", "person", "session", "agenda_item", "material", "takeaway")
    for event in ("insert", "update", "delete")
] + [
    ("session_topic", "insert"),
    ("session_topic", "delete"),
    ("agenda_item_topic", "insert"),
    ("agenda_item_topic", "delete"),
    ("topic", "update"),
    ("feedback_answer", "insert"),
    ("feedback_answer", "update"),
    ("feedback_answer", "delete"),
]


def test_both_indexes_fold_accents_alike(store):
    """PostgreSQL's copy of the text folds exactly what SQLite's FTS5 tokenizer folds."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            folded = conn.exec_driver_sql(f"SELECT lower(circles_search_words('{FOLD_FROM}'))").scalar()
            assert folded == fold(FOLD_FROM) == FOLD_TO
            return
    probe = sqlite3.connect(":memory:")
    probe.execute("CREATE VIRTUAL TABLE f USING fts5(t, tokenize='unicode61 remove_diacritics 2')")
    probe.execute("CREATE VIRTUAL TABLE v USING fts5vocab(f, instance)")
    probe.executemany("INSERT INTO f(rowid, t) VALUES (?, ?)", [(i + 1, c) for i, c in enumerate(FOLD_FROM)])
    terms = dict(probe.execute("SELECT doc, term FROM v").fetchall())
    assert "".join(terms[i + 1] for i in range(len(FOLD_FROM))) == FOLD_TO


def test_the_cli_takes_several_words_as_one_query_and_a_word_to_leave_out(store, library):
    from click.testing import CliRunner

    from circles.cli import main

    db = ["--db", store.url.render_as_string(hide_password=False)]

    def titles(*args: str) -> list[str]:
        result = CliRunner().invoke(main, [*db, "search", *args, "--json"])
        assert result.exit_code == 0, result.output
        return [h["title"] for h in json.loads(result.output)]

    assert titles("traits", "practice") == titles("traits practice") != []
    assert titles("rust", "-traits") == titles("rust -traits")
    assert "Traits in practice" in titles("rust") and "Traits in practice" not in titles("rust", "-traits")
    typo = CliRunner().invoke(main, [*db, "search", "--limt", "5", "rust"])
    assert typo.exit_code == 2 and "No such option: --limt" in typo.output
