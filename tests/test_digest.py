"""Digests of a circle or a topic: what they show, that --no-names leaves out every name and
address in the store, and that nothing typed becomes markup."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest

from circles.digest import to_html, to_markdown
from circles.errors import InvalidInput, NotFound
from circles.services import agenda, attendance, digests, knowledge, sessions
from tests import factories

PERIOD = {"since": date(2026, 3, 1), "until": date(2026, 3, 31)}


@pytest.fixture
def circle_with_sessions(store, tmp_path, clock):
    c = factories.circle(store, "Rust Lunch", description="Lunch talks; ask ana@example.org to present")
    ana = factories.person(store, "Ana Lima", "ana@example.org")
    bo = factories.person(store, "Bo Chen", "bo@example.org")
    grace = factories.person(store, "Grace Okafor", "grace@example.org")
    guest = factories.person(store, "Dr. Miriam Ostrowski", "miriam@uni.example", is_guest=True)
    for p in (ana, bo, grace):
        factories.member(store, c, p)
    clock.advance(days=9)  # Thu 12 Mar 2026: the 5 Mar session was held, the 19 Mar one not yet
    s = factories.session(store, c, "2026-03-05 12:00", title="Ownership with Ana Lima")
    factories.session(store, c, "2026-02-26 12:00", title="Before the period")
    later = factories.session(store, c, "2026-03-19 12:00", title="Traits")
    deck = tmp_path / "home" / "grace" / "deck.pdf"
    deck.parent.mkdir(parents=True)
    deck.write_text("x")
    with store.write() as db:
        agenda.add_item(db, session_id=s.id, title="Welcome", minutes=5)
        agenda.add_item(db, session_id=s.id, title="The borrow checker", presenter_id=bo.id, minutes=40)
        agenda.add_item(db, session_id=later.id, title="Guest talk", presenter_id=guest.id)
        knowledge.add_takeaway(db, session_id=s.id, text="Bo showed why moves are cheap (thanks BO CHEN!)")
        knowledge.add_takeaway(db, session_id=s.id, text="Grace asked about Drop; write to grace@example.org")
        knowledge.add_material(
            db, session_id=s.id, target="https://doc.rust-lang.org/book/", title="The book"
        )
        knowledge.add_material(db, session_id=s.id, target=str(deck), title="Grace's slides")
        knowledge.add_topics(db, session_id=s.id, topics="Rust, Memory")
        knowledge.add_topics(db, session_id=later.id, topics="rust")
        for p in (ana, bo):
            attendance.set_rsvp(db, session_id=s.id, person_id=p.id, rsvp="yes")
            attendance.check_in(db, session_id=s.id, person_id=p.id, attended="present")
        attendance.check_in(db, session_id=s.id, person_id=grace.id, attended="late")
    return {"circle": c, "session": s, "people": [ana, bo, grace, guest], "deck": deck}


def _gather(store, **kwargs):
    with store.read() as db:
        return digests.gather_digest(db, **PERIOD, **kwargs)


def test_a_circle_digest_shows_each_session_of_the_period(store, circle_with_sessions):
    d = _gather(store, circle_id=circle_with_sessions["circle"].id)
    assert [s.title for s in d.sessions] == ["Ownership with Ana Lima", "Traits"]
    first = d.sessions[0]
    # The rotation gave the session its presenter (Ana, the first member); Bo presents an item.
    assert first.presenters == ("Ana Lima", "Bo Chen")
    assert [(i.title, i.presenter, i.minutes) for i in first.agenda][1] == (
        "The borrow checker",
        "Bo Chen",
        40,
    )
    assert (first.came, first.said_yes, first.held, first.topics) == (3, 2, True, ("Memory", "Rust"))
    md = to_markdown(d)
    assert "## Thu 05 Mar 2026: Ownership with Ana Lima" in md
    assert "12:00 · presented by Ana Lima, Bo Chen · 3 came (2 said yes)" in md
    assert "- [The book](<https://doc.rust-lang.org/book/>) (reading)" in md
    assert f"Grace's slides: {circle_with_sessions['deck']}" in md.replace("\\", "")
    assert "2 sessions · 3 attendances · 2 takeaways · 2 materials" in md
    page = to_html(d)
    assert '<a href="https://doc.rust-lang.org/book/" rel="noopener noreferrer">The book</a>' in page
    assert page.count("<a ") == 1  # the file is text, not a link
    assert "Traits" in page and "not held yet" in page


def test_a_topic_digest_gathers_its_sessions_across_circles(store, circle_with_sessions):
    other = factories.circle(store, "Systems Guild", kind="community-of-practice")
    s = factories.session(store, other, "2026-03-11 16:00", title="Embedded Rust")
    with store.write() as db:
        item = agenda.add_item(db, session_id=s.id, title="Blinking lights")
        knowledge.add_topics(db, agenda_item_id=item.id, topics="RUST")
    d = _gather(store, topic="rust")
    assert d.title == "Topic: Rust"
    assert [(x.circle, x.title) for x in d.sessions] == [
        ("Rust Lunch", "Ownership with Ana Lima"),
        ("Systems Guild", "Embedded Rust"),
        ("Rust Lunch", "Traits"),
    ]
    assert "## Wed 11 Mar 2026: Embedded Rust (Systems Guild)" in to_markdown(d)
    assert d.sessions[1].topics == ("Rust",)  # tagged RUST on its agenda item: the topic as first spelled
    with pytest.raises(NotFound, match="No session or agenda item is tagged 'haskell'"):
        _gather(store, topic="haskell")
    with (
        pytest.raises(InvalidInput, match="until '2026-03-01' is earlier than the first day"),
        store.read() as db,
    ):
        digests.gather_digest(db, topic="rust", since=date(2026, 3, 31), until=date(2026, 3, 1))


def test_no_names_leaves_out_every_name_and_address_in_the_store(store, circle_with_sessions):
    d = _gather(store, circle_id=circle_with_sessions["circle"].id, no_names=True)
    everyone = circle_with_sessions["people"]
    for text in (to_markdown(d), to_html(d)):
        plain = text.replace("\\", "").casefold()
        for p in everyone:
            assert p.name.casefold() not in plain, p.name
            assert p.email.casefold() not in plain, p.email
            for part in re.findall(r"\w{3,}", p.name):
                assert not re.search(rf"\b{part.casefold()}\b", plain), part
        assert "[someone]" in plain and "[e-mail]" in plain
        assert "deck.pdf" in plain and "home" not in plain  # a file by its name only
        assert "3 came" in plain and "the borrow checker" in plain


def test_every_field_with_a_script_stays_text(store, tmp_path):
    attack = "<script>alert(1)</script>"
    c = factories.circle(store, f"Club {attack}", description=f"About {attack} & more")
    p = factories.person(store, f"Eve {attack}", "eve@example.org")
    s = factories.session(store, c, "2026-03-05 12:00", title=f"Talk {attack}")
    odd = tmp_path / "<script>alert(1)<'script>.pdf"
    odd.write_text("x")
    with store.write() as db:
        agenda.add_item(db, session_id=s.id, title=f"Item {attack}", presenter_id=p.id)
        knowledge.add_takeaway(db, session_id=s.id, text=f"Takeaway {attack}")
        knowledge.add_topics(db, session_id=s.id, topics=f"Topic {attack}")
        knowledge.add_material(
            db, session_id=s.id, target="https://example.org/a'onmouseover='alert(1)", title=attack
        )
        knowledge.add_material(db, session_id=s.id, target=str(odd), title=f"File {attack}")
    for d in (_gather(store, circle_id=c.id), _gather(store, topic=f"topic {attack}")):
        page = to_html(d)
        assert "<script" not in page.lower()
        assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 7
        assert "javascript:" not in page
        tags = _tags(page)
        assert tags <= {
            "html",
            "head",
            "meta",
            "title",
            "style",
            "body",
            "h1",
            "h2",
            "h3",
            "p",
            "section",
        } | {
            "ul",
            "li",
            "a",
            "span",
        }
        assert 'href="https://example.org/a&#x27;onmouseover=&#x27;alert(1)"' in page
        md = to_markdown(d)
        assert "<script" not in md.replace("\\<", "")
        assert "<script" not in md.lower().replace("\\<", "").replace("%3c", "")


def _tags(page: str) -> set[str]:
    found: set[str] = set()

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: object) -> None:
            found.add(tag)

    Tags().feed(page)
    return found


def test_an_empty_period_says_so(store, circle_with_sessions):
    with store.read() as db:
        d = digests.gather_digest(
            db, circle_id=circle_with_sessions["circle"].id, since=date(2025, 1, 1), until=date(2025, 1, 31)
        )
    assert "No sessions in this period." in to_markdown(d) and "No sessions in this period." in to_html(d)


def test_cancelled_sessions_are_left_out(store, circle_with_sessions):
    with store.write() as db:
        sessions.cancel_session(db, sessions.get_session(db, circle_with_sessions["session"].id))
    assert [s.title for s in _gather(store, circle_id=circle_with_sessions["circle"].id).sessions] == [
        "Traits"
    ]


def test_a_session_under_way_is_not_held_until_someone_is_checked_in(store, circle_with_sessions, clock):
    """As every report counts it (circles/held.py): half an hour into a session nobody is checked
    in to yet, the digest says it is not held yet, not that nobody came."""
    circle = circle_with_sessions["circle"]
    with store.read() as db:
        traits = next(s for s in sessions.list_sessions(db, circle_id=circle.id) if s.title == "Traits")
    clock.now = traits.starts_at + timedelta(minutes=30)
    [_, under_way] = _gather(store, circle_id=circle.id).sessions
    assert (under_way.title, under_way.held) == ("Traits", False)
    with store.write() as db:
        attendance.check_in(
            db, session_id=traits.id, person_id=circle_with_sessions["people"][0].id, attended="present"
        )
    [_, under_way] = _gather(store, circle_id=circle.id).sessions
    assert (under_way.held, under_way.came) == (True, 1)
    assert "Traits" in (md := to_markdown(_gather(store, circle_id=circle.id))) and "not held yet" not in md
