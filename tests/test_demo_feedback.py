"""Demo feedback: about 40% of the people who came answer, one circle asks anonymously, thanks
and milestones give the Recognition screen something real; deterministic for a seed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import make_url

from circles.demo import build_demo
from circles.services import feedback, people, recognition, success
from circles.services.participation import Scope
from models.store import Store
from tests.conftest import FixedClock

DOCUMENTS = "SELECT * FROM search_doc ORDER BY id"


def test_the_small_demo_has_feedback_thanks_and_recognition(store: Store, clock: FixedClock) -> None:
    build_demo(store, size="small")
    with store.read() as db:
        sat = success.satisfaction(db, Scope())
        assert sat.response_rate is not None and 0.3 <= sat.response_rate <= 0.5
        assert sat.mean is not None and 3.5 <= sat.mean <= 4.5
        with store.engine.connect() as conn:
            anonymous = conn.exec_driver_sql(
                "SELECT count(*) FROM feedback_answer WHERE person_id IS NULL"
            ).scalar()
            thanks = conn.exec_driver_sql("SELECT count(*) FROM thanks").scalar()
        assert anonymous and thanks
        today = clock().date()
        scope = recognition.period_scope(db, since=today - timedelta(days=30), until=today)
        ledger = recognition.ledger(db, scope)
        assert any(r.talks for r in ledger.people) and any(r.streaks for r in ledger.people)
        assert any(r.thanks for r in ledger.people) and any(r.feedback for r in ledger.people)
    # The demo's ids leave room for what people add next (PostgreSQL's sequences included).
    with store.write() as db:
        someone = people.list_people(db)[0]
        recognition.add_thanks(db, person=str(someone.id), text="for the demo")
        answered = feedback.responses(db, [1])
        assert all(source is None for source in answered.values())


def test_demo_feedback_is_the_same_for_the_same_seed(clock: FixedClock) -> None:
    def made(seed: int) -> list[tuple[object, ...]]:
        store = Store.open(make_url("sqlite://"), clock=FixedClock(clock()))
        build_demo(store, seed=seed)
        with store.engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM feedback_answer ORDER BY id")]

    assert made(3) == made(3)
    assert made(3) != made(4)
