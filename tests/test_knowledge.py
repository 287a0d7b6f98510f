"""Materials, takeaways and topics per session: what is kept, what is refused and how it is said."""

from __future__ import annotations

import pytest

from circles.errors import Conflict, InvalidInput, NotFound
from circles.folding import topic_key
from circles.services import agenda, knowledge
from models.enums import MaterialKind
from tests import factories
from tests.statements import statements_sent


@pytest.fixture
def session(memory_store):
    c = factories.circle(memory_store)
    return factories.session(memory_store, c, "2026-03-05 12:00", title="Ownership")


def test_a_link_keeps_its_address_and_gets_a_kind_and_title_from_it(memory_store, session):
    with memory_store.write() as db:
        video = knowledge.add_material(db, session_id=session.id, target="https://youtu.be/abc123")
        repo = knowledge.add_material(
            db, session_id=session.id, target="https://github.com/ana/borrow-demo", title="Demo code"
        )
        read = knowledge.add_material(db, session_id=session.id, target="HTTPS://doc.rust-lang.org/book/")
        found = knowledge.list_materials(db, session.id)
    assert [(m.kind, m.title, m.url, m.path) for m in found] == [
        (MaterialKind.RECORDING, "youtu.be · abc123", "https://youtu.be/abc123", None),
        (MaterialKind.CODE, "Demo code", "https://github.com/ana/borrow-demo", None),
        (MaterialKind.READING, "doc.rust-lang.org · book", "HTTPS://doc.rust-lang.org/book/", None),
    ]
    assert [m.position for m in found] == [1, 2, 3] and video.is_link and repo.target == repo.url
    assert read.id == found[2].id


def test_a_file_is_kept_by_its_absolute_path_and_must_exist(memory_store, session, tmp_path, monkeypatch):
    (tmp_path / "talk.pptx").write_text("slides")
    monkeypatch.chdir(tmp_path)
    with memory_store.write() as db:
        m = knowledge.add_material(db, session_id=session.id, target="talk.pptx")
    assert (m.path, m.url, m.kind, m.title) == (
        str(tmp_path / "talk.pptx"),
        None,
        MaterialKind.SLIDES,
        "talk.pptx",
    )
    assert not m.is_link


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("ftp://example.org/talk.pdf", "link: is not a web link: only http:// and https://"),
        ("javascript:alert(1)", "link: is not a web link"),
        ("file:///etc/passwd", "link: is not a web link"),
        ("data:text/html,<script>", "link: is not a web link"),
        ("https://", "link: is not a web link like https://example.org/page"),
        ("https://exa mple.org", "link: is not a web link like"),
        ('https://example.org/"><script>', "link: is not a web link like"),
        ("/no/such/slides.pdf", "file: does not exist"),
        ("C:\\talks\\deck.pptx", "file: does not exist"),  # a drive letter is not a scheme
        ("", "material: is required"),
        ("slides\x00.pdf", "material: contains a control character"),
    ],
)
def test_a_link_that_is_not_http_or_a_missing_file_is_named_as_the_problem(
    memory_store, session, target, message
):
    with pytest.raises(InvalidInput) as caught, memory_store.write() as db:
        knowledge.add_material(db, session_id=session.id, target=target)
    field, problem = message.split(": ", 1)
    said = str(caught.value)
    assert said.startswith(f"{field} ") and problem in said, said
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 200
    with memory_store.read() as db:
        assert knowledge.list_materials(db, session.id) == []


def test_a_material_is_edited_with_its_version_and_removed(memory_store, session):
    with memory_store.write() as db:
        m = knowledge.add_material(db, session_id=session.id, target="https://example.org/a")
        edited = knowledge.update_material(
            db, m, title="Notes", kind="slides", target="https://example.org/b"
        )
    assert (edited.title, edited.kind, edited.url, edited.version) == (
        "Notes",
        MaterialKind.SLIDES,
        "https://example.org/b",
        2,
    )
    with pytest.raises(Conflict, match="Someone else changed the material"), memory_store.write() as db:
        knowledge.update_material(db, m, title="Stale")
    with (
        pytest.raises(InvalidInput, match="kind 'podcast' must be one of slides, recording"),
        memory_store.write() as db,
    ):
        knowledge.update_material(db, edited, kind="podcast")
    with memory_store.write() as db:
        knowledge.delete_material(db, edited)
        assert knowledge.list_materials(db, session.id) == []


def test_takeaways_are_short_lines_in_order(memory_store, session):
    with memory_store.write() as db:
        first = knowledge.add_takeaway(db, session_id=session.id, text="  Moves are cheap  ")
        knowledge.add_takeaway(db, session_id=session.id, text="Clones are explicit")
        knowledge.update_takeaway(db, first, text="Moves are cheap; copies too")
        found = knowledge.list_takeaways(db, session.id)
    assert [(t.position, t.text) for t in found] == [
        (1, "Moves are cheap; copies too"),
        (2, "Clones are explicit"),
    ]
    for bad, message in [
        ("", "is required"),
        ("x" * 501, "is 501 characters"),
        ("a\nb", "contains a control"),
    ]:
        with pytest.raises(InvalidInput, match=f"^takeaway .*{message}"), memory_store.write() as db:
            knowledge.add_takeaway(db, session_id=session.id, text=bad)
    with pytest.raises(NotFound, match="no session with id 999"), memory_store.write() as db:
        knowledge.add_takeaway(db, session_id=999, text="x")


def test_topics_match_in_any_case_and_accents_and_keep_their_first_spelling(memory_store, session):
    with memory_store.write() as db:
        item = agenda.add_item(db, session_id=session.id, title="Talk")
        assert [
            t.name for t in knowledge.add_topics(db, session_id=session.id, topics="Café Culture, Rust")
        ] == [
            "Café Culture",
            "Rust",
        ]
        again = knowledge.add_topics(db, session_id=session.id, topics=["  cafe   CULTURE ", "RUST"])
        assert [t.name for t in again] == ["Café Culture", "Rust"]
        on_item = knowledge.add_topics(db, agenda_item_id=item.id, topics=["rust"])
        assert [(t.name, t.key) for t in on_item] == [("Rust", "rust")]
        assert [(t.name, n) for t, n in knowledge.topic_usage(db)] == [("Rust", 2), ("Café Culture", 1)]
        knowledge.remove_topic(db, session_id=session.id, topic="CAFÉ culture")
        assert [t.name for t in knowledge.topics_for_sessions(db, [session.id])[session.id]] == ["Rust"]
        with pytest.raises(NotFound, match="It is not tagged 'Café Culture'"):
            knowledge.remove_topic(db, session_id=session.id, topic="cafe culture")
    assert topic_key("  Ünïcode\tTOPIC ") == "unicode topic"
    with pytest.raises(InvalidInput, match=r"^topic ' , ' is empty"), memory_store.write() as db:
        knowledge.add_topics(db, session_id=session.id, topics=" , ")
    # The command line's arguments, quoted as typed: "topic [''] is empty" showed a Python list.
    for typed, said in (([""], "topic is empty"), (["  ", " "], "topic '  ,  ' is empty")):
        with pytest.raises(InvalidInput) as caught, memory_store.write() as db:
            knowledge.add_topics(db, session_id=session.id, topics=typed)
        assert str(caught.value).startswith(said), str(caught.value)
    with pytest.raises(InvalidInput, match=r"^topic 'x+…' is 81 characters long"), memory_store.write() as db:
        knowledge.add_topics(db, session_id=session.id, topics="x" * 81)


def test_a_topic_needs_a_word_and_the_quotes_around_it_are_not_kept(memory_store, session):
    """'!!!' was kept as a topic no search or `circles experts` could find; '"lifetimes' kept
    its quote, so "lifetimes" and lifetimes were two topics."""
    with memory_store.write() as db:
        added = knowledge.add_topics(
            db, session_id=session.id, topics='"lifetimes, “Memory safety”, C++, .NET'
        )
        assert sorted(t.name for t in added) == [".NET", "C++", "Memory safety", "lifetimes"]
    for bad in ("!!!", '"', "-- *"):
        with (
            pytest.raises(InvalidInput, match=r"has no letter or digit|is empty"),
            memory_store.write() as db,
        ):
            knowledge.add_topics(db, session_id=session.id, topics=bad)
    with memory_store.read() as db:
        kept = knowledge.topics_for_sessions(db, [session.id])[session.id]
        assert sorted(t.name for t in kept) == [".NET", "C++", "Memory safety", "lifetimes"]


def test_what_a_session_left_behind_is_read_in_three_statements(store):
    """The Materials & takeaways tab waits for this read before it comes forward: it looked the
    session up once per list and read its topics alone, five round trips to a PostgreSQL
    server where three do. A session with nothing kept reads as empty; none at all is named."""
    c = factories.circle(store, "Rust Lunch")
    kept = factories.session(store, c, "2026-03-05 12:00", title="Ownership")
    bare = factories.session(store, c, "2026-03-12 12:00", title="Traits")
    with store.write() as db:
        knowledge.add_material(db, session_id=kept.id, target="https://doc.rust-lang.org/book/")
        knowledge.add_takeaway(db, session_id=kept.id, text="Moves are cheap")
        knowledge.add_takeaway(db, session_id=kept.id, text="Clones are explicit")
        knowledge.add_topics(db, session_id=kept.id, topics="Rust, memory safety")
    with store.read() as db:
        one_by_one = (
            knowledge.list_materials(db, kept.id),
            knowledge.list_takeaways(db, kept.id),
            knowledge.topics_for_sessions(db, [kept.id])[kept.id],
        )
    with store.read() as db:
        knowledge.session_knowledge(db, kept.id)  # (SQLite's BEGIN is sent with the first)
        with statements_sent(store.engine) as sent:
            found = knowledge.session_knowledge(db, kept.id)
        assert len(sent) == 3, [s for s, _ in sent]
        assert found == one_by_one
        assert [t.name for t in found[2]] == ["memory safety", "Rust"]
        assert knowledge.session_knowledge(db, bare.id) == ([], [], [])
        with pytest.raises(NotFound, match="no session with id 999"):
            knowledge.session_knowledge(db, 999)
