"""Demo feedback, thanks and recognition: about 40% of the people who came to a held session
answer (mostly 4s and 5s, a line learned more often than not, now and then a note for the
presenter); one circle asks anonymously and one keeps notes from presenters; people thank
presenters now and then. Written in bulk inside the demo's own unit of work, deterministic
for a seed. Milestones and streaks follow from the demo's talks and attendance."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from circles.demo_bulk import insert_rows
from models.tables import FeedbackAnswer, FeedbackResponse, FeedbackSetting, Thanks

RESPONSE_RATE = 0.4
# Cumulative odds of each rating.
_RATINGS = ((0.02, 1), (0.08, 2), (0.25, 3), (0.65, 4), (1.0, 5))
LEARNED = (
    "measure before optimising",
    "how borrowing keeps data races out",
    "write the test that fails first",
    "small pull requests get reviewed faster",
    "a good incident review blames no one",
    "feature flags decouple deploy from release",
    "how to read a flame graph",
    "ask what the user is trying to do",
    "keep the happy path on the left",
    "name things after what they mean, not what they are",
    "index the column you filter on",
    "retry with backoff and jitter",
    "threat-model before you build",
    "say no to the meeting without an agenda",
    "pair on the hard part, not the easy one",
    "how to give feedback that lands",
    "dashboards should answer a question",
    "the difference between a p50 and a p99",
    "how attention works in transformers",
    "design the API from the caller's side",
    "document the why, the code shows the how",
    "make the change easy, then make the easy change",
    "how to run a blameless retro",
    "what a good onboarding week looks like",
)
FOR_PRESENTER = (
    "Great examples, thank you!",
    "A little slower on the demo next time, please.",
    "Could you share the slides?",
    "Loved the live coding.",
    "More time for questions would help.",
    "The diagram made it click for me.",
)
THANKS = (
    "for the talk on {title}",
    "for stepping in at short notice",
    "for the great demo",
    "for answering my questions afterwards",
    "for sharing the slides and the code",
)


def _pick(odds: tuple[tuple[float, int], ...], roll: float) -> int:
    return next((value for limit, value in odds if roll < limit), odds[-1][1])


# Sessions read at once, and answers written at once (each batch in id order): the large demo
# fits one batch of answers, so it stays as it was; the huge one's stay in bounded memory.
SESSIONS_AT_ONCE = 20_000
ANSWERS_AT_ONCE = 500_000


def _insert(conn: Connection, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    if rows:
        insert_rows(conn, table.__tablename__, columns, rows)


def _session_blocks(conn: Connection) -> Iterator[tuple[int, int]]:
    """Session ids ``(first, last)`` in blocks of SESSIONS_AT_ONCE, in order."""
    last = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM circle_session").scalar_one()
    for first in range(1, last + 1, SESSIONS_AT_ONCE):
        yield first, first + SESSIONS_AT_ONCE - 1


def add_feedback(
    conn: Connection,
    *,
    seed: int,
    now: datetime,
    progress: Callable[[float], None] = lambda _f: None,
) -> int:
    """Adds feedback settings, answers and thanks; returns how many answers."""
    rng = random.Random(seed * 104_729 + 17)
    sqlite = conn.dialect.name == "sqlite"
    circles = [cid for (cid,) in conn.exec_driver_sql("SELECT id FROM circle ORDER BY id")]
    # One circle in seven asks anonymously; one in eleven keeps notes from presenters.
    settings = [(cid, n % 7 == 4, n % 11 != 6, 1) for n, cid in enumerate(circles)]
    _insert(conn, FeedbackSetting, ("circle_id", "anonymous", "share_with_presenter", "version"), settings)
    anonymous = {cid for cid, anon, _, _ in settings if anon}
    stamp = now.astimezone(UTC)
    stamp_arg: Any = stamp.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else stamp
    mark = "?" if sqlite else "%s"
    answers: list[tuple[Any, ...]] = []
    responses: list[tuple[Any, ...]] = []
    made = 0

    def write() -> None:
        # Anonymous answers sit in id order, like the ones the app writes (services/feedback.py).
        answers.sort(key=lambda a: a[0])
        _insert(
            conn,
            FeedbackAnswer,
            ("id", "session_id", "person_id", "rating", "learned", "for_presenter"),
            answers,
        )
        _insert(conn, FeedbackResponse, ("session_id", "person_id", "source"), responses)
        answers.clear()
        responses.clear()

    random_ = rng.random
    blocks = list(_session_blocks(conn))
    for done, (first, last) in enumerate(blocks, start=1):
        came = conn.exec_driver_sql(
            "SELECT a.session_id, a.person_id, s.circle_id FROM attendance a "
            "JOIN circle_session s ON s.id = a.session_id "
            "WHERE a.attended IN ('present', 'late') AND s.status <> 'cancelled' "
            f"AND s.starts_at <= {mark} AND a.session_id BETWEEN {mark} AND {mark} "
            "ORDER BY a.session_id, a.person_id",
            (stamp_arg, first, last),
        ).all()
        for session_id, person_id, circle_id in came:
            if random_() >= RESPONSE_RATE:
                continue
            rating = _pick(_RATINGS, random_())
            learned = LEARNED[int(random_() * len(LEARNED))] if random_() < 0.6 else ""
            note = FOR_PRESENTER[int(random_() * len(FOR_PRESENTER))] if random_() < 0.12 else ""
            answer_id = f"{rng.getrandbits(128):032x}"
            who = None if circle_id in anonymous else person_id
            answers.append((answer_id, session_id, who, rating, learned, note))
            responses.append((session_id, person_id, None))
            made += 1
        del came
        if len(answers) >= ANSWERS_AT_ONCE:
            write()
        progress(0.8 * done / len(blocks))
    write()
    _thanks(conn, rng, stamp)
    return made


def _thanks(conn: Connection, rng: random.Random, now: datetime) -> None:
    """Now and then someone who came thanks the presenter, within a few days of the session."""
    sqlite = conn.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    since = now - timedelta(days=730)
    talks = conn.exec_driver_sql(
        "SELECT s.id, s.presenter_id, s.title, s.starts_at FROM circle_session s "
        f"WHERE s.presenter_id IS NOT NULL AND s.status <> 'cancelled' AND s.starts_at <= {mark} "
        f"AND s.starts_at >= {mark} ORDER BY s.id",
        (
            now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now,
            since.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else since,
        ),
    ).all()
    attendees: dict[int, list[int]] = {}
    read_up_to = 0

    def read_attendees(sid: int) -> None:
        # Who came, a block of sessions at a time (the talks come in session order).
        nonlocal read_up_to
        attendees.clear()
        first = (sid - 1) // SESSIONS_AT_ONCE * SESSIONS_AT_ONCE + 1
        read_up_to = first + SESSIONS_AT_ONCE - 1
        for session_id, pid in conn.exec_driver_sql(
            "SELECT session_id, person_id FROM attendance WHERE attended = 'present' "
            f"AND session_id BETWEEN {mark} AND {mark} ORDER BY session_id, person_id",
            (first, read_up_to),
        ):
            attendees.setdefault(session_id, []).append(pid)

    rows = []
    for sid, presenter, title, starts in talks:
        if rng.random() >= 0.12:
            continue
        if sid > read_up_to:
            read_attendees(sid)
        fans = [p for p in attendees.get(sid, []) if p != presenter]
        if not fans:
            continue
        start = starts if isinstance(starts, datetime) else datetime.fromisoformat(str(starts))
        start = start.replace(tzinfo=UTC) if start.tzinfo is None else start
        given = min(now, start + timedelta(hours=rng.randint(2, 72)))
        text = THANKS[rng.randrange(len(THANKS))].format(title=title or "the topic")
        rows.append(
            (
                presenter,
                rng.choice(fans),
                sid,
                text[:300],
                given.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else given,
            )
        )
    _insert(conn, Thanks, ("person_id", "given_by_id", "session_id", "text", "given_at"), rows)
