"""The demo's sessions leave something to search: notes, talk titles, topics, takeaways, materials."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from circles.demo import build_demo
from circles.services import experts, knowledge, search, sessions
from models.enums import SessionStatus
from models.store import Store
from tests.conftest import FixedClock


def test_the_small_demo_has_knowledge_to_search(store, clock):
    build_demo(store, size="small")
    with store.read() as db:
        held = [s for s in sessions.list_sessions(db) if s.status is SessionStatus.HELD]
        ids = [s.id for s in held]
        takeaways = knowledge.takeaways_for(db, ids)
        topics = knowledge.topics_for_sessions(db, ids)
        assert held and all(s.notes for s in held)
        assert all(takeaways[i] for i in ids) and all(topics[i] for i in ids)
        assert sum(len(m) for m in knowledge.materials_for(db, ids).values()) > len(ids) // 2
        rust = [e for e in experts.find_experts(db, "rust")]
        assert rust and rust[0].evidence.startswith(f"{rust[0].talks} talk")
        hits = search.search(db, "walked us through")
        assert hits and {h.kind for h in hits} == {"session"}


def test_the_same_seed_gives_the_same_knowledge(clock):
    def made() -> list[tuple]:
        store = Store.open(make_url("sqlite://"), clock=FixedClock(clock()))
        build_demo(store, seed=5)
        with store.engine.connect() as conn:
            return [
                tuple(r)
                for table in ("takeaway", "material", "topic")
                for r in conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id")
            ] + [tuple(r) for r in conn.exec_driver_sql("SELECT notes FROM circle_session ORDER BY id")]

    assert made() == made()
