"""Who knows this: ranked by talks on the topic (recent ones count more) and the takeaways they left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from circles.errors import InvalidInput
from circles.services import agenda, experts, knowledge, sessions
from models.enums import SessionStatus
from tests import factories


def _talk(store, circle, at, person, title, *, topics=(), takeaways=0, status=None):
    s = factories.session(store, circle, at, title=f"Session on {at[:10]}")
    with store.write() as db:
        item = agenda.add_item(db, session_id=s.id, title=title, presenter_id=person.id)
        if topics:
            knowledge.add_topics(db, agenda_item_id=item.id, topics=list(topics))
        for n in range(takeaways):
            knowledge.add_takeaway(db, session_id=s.id, text=f"Lesson {n}")
        if status is not None:
            sessions.update_session(db, sessions.get_session(db, s.id), status=status)
    return s


def test_people_are_ranked_by_recent_talks_and_their_takeaways_with_the_evidence(store, clock):
    c = factories.circle(store)
    ana = factories.person(store, "Ana Lima")
    bo = factories.person(store, "Bo Chen")
    cara = factories.person(store, "Cara Diaz")
    dev = factories.person(store, "Dev Patel")
    # The clock reads Tue 3 Mar 2026.
    _talk(store, c, "2026-02-24 12:00", ana, "Lifetimes", topics=["Rust"], takeaways=2)
    _talk(store, c, "2025-11-04 12:00", ana, "Traits", topics=["rust"])
    _talk(store, c, "2024-03-05 12:00", bo, "Unsafe code", topics=["RUST"])  # two years ago
    _talk(store, c, "2026-01-13 12:00", cara, "Why Rust won")  # not tagged: its title says it
    _talk(store, c, "2026-02-10 12:00", dev, "Async", topics=["Rust"], status=SessionStatus.CANCELLED)
    _talk(store, c, "2026-03-10 12:00", dev, "Macros", topics=["Rust"])  # not held yet
    _talk(store, c, "2026-02-17 12:00", dev, "Go channels", topics=["Go"])

    with store.read() as db:
        found = experts.find_experts(db, "rust")
    assert [(e.name, e.talks, e.takeaways) for e in found] == [
        ("Ana Lima", 2, 2),
        ("Cara Diaz", 1, 0),
        ("Bo Chen", 1, 0),
    ]
    assert found[0].evidence == "2 talks on Rust, latest 24 Feb; 2 takeaways from them"
    assert found[2].evidence == "1 talk on Rust, latest 05 Mar 2024"
    assert found[0].latest_talk is not None and found[0].latest_talk.date().isoformat() == "2026-02-24"
    assert found[2].score == pytest.approx(0.25, abs=0.01)  # two half-lives old

    with store.read() as db:
        assert [e.name for e in experts.find_experts(db, "go")] == ["Dev Patel"]
        assert experts.find_experts(db, "haskell") == []


def test_a_talks_day_is_said_on_its_circles_clock(store, clock):
    """A talk at 08:00 on New Year's Day in Auckland began on 31 Dec in UTC: it is this year's
    talk there (the clock reads 3 Mar 2026), and its day is the one its people remember."""
    c = factories.circle(store, tz="Pacific/Auckland")
    ana = factories.person(store, "Ana Lima")
    _talk(store, c, "2026-01-01 08:00", ana, "Lifetimes", topics=["Rust"])
    with store.read() as db:
        found = experts.find_experts(db, "rust")
    assert found[0].evidence == "1 talk on Rust, latest 01 Jan"


def test_a_talk_counts_half_after_a_year():
    now = datetime(2026, 3, 3, tzinfo=UTC)
    assert experts.decay(now, now) == 1.0
    assert experts.decay(now - timedelta(days=365), now) == pytest.approx(0.5)
    assert experts.decay(now + timedelta(days=3), now) == 1.0


def test_a_topic_with_no_word_is_refused(store):
    with pytest.raises(InvalidInput, match=r"^topic '!!!' has no letter or digit"), store.read() as db:
        experts.find_experts(db, "!!!")


def test_mentoring_offers_count_as_evidence(store, clock):
    """A mentor offering the topic (any case, accents ignored) ranks beside the presenters, and
    says so; an offer in a programme they left, or an archived one, or as a mentee, does not."""
    from circles.services import programmes

    c = factories.circle(store)
    ana = factories.person(store, "Ana Lima")
    bo = factories.person(store, "Bo Chen")
    cara = factories.person(store, "Cara Diaz")
    dev = factories.person(store, "Dev Patel")
    eve = factories.person(store, "Eve Stone")
    _talk(store, c, "2026-02-24 12:00", ana, "Lifetimes", topics=["Rust"])
    with store.write() as db:
        mentoring = programmes.add_programme(db, name="Mentoring", kind="mentoring").id
        old = programmes.add_programme(db, name="Old mentoring", kind="mentoring").id
        programmes.join(db, mentoring, ana.id, role="mentor", offers="Rust, Go")
        programmes.join(db, mentoring, bo.id, role="mentor", offers=["SQL", "RÚST"])
        programmes.join(db, mentoring, cara.id, role="mentee", wants="rust")
        programmes.join(db, old, dev.id, role="mentor", offers="rust")
        programmes.join(db, mentoring, eve.id, role="mentor", offers="rusty tools")
    with store.write() as db:
        programmes.archive(db, old)
    with store.read() as db:
        found = experts.find_experts(db, "rust")
    assert [(e.name, e.talks, e.mentors) for e in found] == [("Ana Lima", 1, True), ("Bo Chen", 0, True)]
    assert found[0].evidence == "1 talk on Rust, latest 24 Feb; mentors on Rust"
    assert found[1].evidence == "mentors on Rust"
    assert found[1].score == pytest.approx(experts.MENTOR_WEIGHT)
    with store.read() as db:
        assert [(e.name, e.evidence) for e in experts.find_experts(db, "sql")] == [
            ("Bo Chen", "mentors on sql")
        ]
