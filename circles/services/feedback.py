"""Feedback after a session: a rating 1-5, one thing learned, a note for the presenter.

Only people who came (checked in present or late) can answer. Who has answered is kept in
``feedback_response``; what they answered in ``feedback_answer``. An anonymous answer has
no person, a random id and no time of its own, and a session's anonymous answers are
rewritten together in id order whenever one is added, so nothing (no column, no row order,
no write order) pairs an answer with the person who gave it. A second answer from the same
person replaces a named first answer and says so; an anonymous first answer cannot be found
again, so it stands and the second is refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from circles import validate
from circles.errors import Conflict, InvalidInput, NotAllowed, NotFound, shown
from circles.feedback_views import (
    Answer,
    Attendee,
    FeedbackSettings,
    MissedSession,
    NonResponder,
    Saved,
    SessionFeedback,
)
from circles.services import circle_records, lookups, sessions
from circles.services.clock import now
from circles.services.participation import Scope, came, in_scope, make_scope
from circles.services.sql import select_columns, table_of
from circles.views import SessionView
from circles.zones import time_zone
from models.enums import SessionStatus
from models.tables import (
    Attendance,
    Circle,
    CircleSession,
    FeedbackAnswer,
    FeedbackResponse,
    FeedbackSetting,
    Person,
)

LEARNED_MAX = 300
FOR_PRESENTER_MAX = 2000


# -- settings ---------------------------------------------------------------------------------


def get_settings(db: Session, circle_id: int) -> FeedbackSettings:
    circle_records.get_circle(db, circle_id)  # a clear NotFound
    return _settings_of(db, circle_id)


def _settings_of(db: Session, circle_id: int) -> FeedbackSettings:
    """The settings of a circle known to exist (a session's): without reading the circle again,
    a trip to the store that a check-out save made twice, on the way from Enter to the answer."""
    row = db.get(FeedbackSetting, circle_id)
    return FeedbackSettings(circle_id=circle_id) if row is None else _settings(row)


def _settings(row: FeedbackSetting) -> FeedbackSettings:
    return FeedbackSettings(row.circle_id, row.anonymous, row.share_with_presenter, row.version)


def set_settings(
    db: Session, circle_id: int, *, anonymous: bool | None = None, share_with_presenter: bool | None = None
) -> FeedbackSettings:
    """Change how a circle asks for feedback. Answers already given keep how they were given:
    turning anonymity off never puts names on anonymous answers."""
    circle_records.get_circle(db, circle_id)
    row = db.get(FeedbackSetting, circle_id)
    if row is None:
        row = FeedbackSetting(circle_id=circle_id)
        db.add(row)
    else:
        row.version += 1
    if anonymous is not None:
        row.anonymous = anonymous
    if share_with_presenter is not None:
        row.share_with_presenter = share_with_presenter
    db.flush()
    return _settings_of(db, circle_id)


def settings_for(db: Session, circle_ids: Iterable[int]) -> dict[int, FeedbackSettings]:
    ids = list(set(circle_ids))
    rows = db.exec(select(FeedbackSetting).where(col(FeedbackSetting.circle_id).in_(ids))).all()
    found = {
        r.circle_id: FeedbackSettings(r.circle_id, r.anonymous, r.share_with_presenter, r.version)
        for r in rows
    }
    return {cid: found.get(cid, FeedbackSettings(cid)) for cid in ids}


# -- checking what people typed -------------------------------------------------------------


def parse_rating(value: object, field: str = "rating") -> int:
    """A rating from 1 to 5; '4', ' 4 ' and '4.0' are 4, anything else is refused."""
    text = str(value).strip() if value is not None else ""
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if isinstance(value, bool) or not number.is_integer() or not 1 <= number <= 5:
        raise InvalidInput(field, text, "must be a whole number from 1 to 5")
    return int(number)


def clean_learned(value: str | None, field: str = "learned") -> str:
    # One line: it is shown in lists and pasted into digests.
    return validate.text(" ".join((value or "").split()), field, max_length=LEARNED_MAX)


def clean_for_presenter(value: str | None, field: str = "for presenter") -> str:
    return validate.text(value, field, max_length=FOR_PRESENTER_MAX, multiline=True)


# -- who may answer ----------------------------------------------------------------------------


def answerable(db: Session, session_id: int) -> SessionView:
    """The session, if feedback can be given about it: it has started and is not cancelled."""
    s = sessions.get_session(db, session_id)
    why = closed_because(db, s)
    if why is not None:
        raise NotAllowed(why)
    return s


def closed_because(db: Session, s: SessionView) -> str | None:
    """Why no feedback can be given about the session now, or None."""
    if s.status is SessionStatus.CANCELLED:
        return f"The session {s.label} was cancelled: there is nothing to give feedback on."
    if s.starts_at > now(db):
        return f"The session {s.label} has not started yet: feedback comes after it."
    return None


def attended(db: Session, session_id: int, person_id: int) -> bool:
    """Whether the person was checked in present or late (walk-ins included)."""
    found = db.exec(
        select(Attendance.id).where(
            Attendance.session_id == session_id, Attendance.person_id == person_id, came()
        )
    ).first()
    return found is not None


def _not_there(db: Session, s: SessionView, person_id: int, name: str) -> NotAllowed:
    mark = db.exec(
        select(Attendance.attended).where(Attendance.session_id == s.id, Attendance.person_id == person_id)
    ).first()
    how = f"checked in as {getattr(mark, 'value', mark)}" if mark else "not checked in"
    return NotAllowed(
        f"{name} was not at {s.label} ({how}): only people who came can give feedback. "
        "Check them in first if they were there."
    )


# -- adding an answer --------------------------------------------------------------------------


def _new_id() -> str:
    return secrets.token_hex(16)


def _lock_session(db: Session, session_id: int) -> None:
    """One feedback write per session at a time (PostgreSQL): the anonymous answers are
    rewritten whole, and two writers must not each put back the set they read."""
    db.exec(select(CircleSession.id).where(CircleSession.id == session_id).with_for_update()).first()


def _rewrite_anonymous(db: Session, session_id: int, new: list[dict[str, Any]]) -> None:
    """Add anonymous answers to a session by writing all of its anonymous answers again, in
    the order of their random ids: every one of them then carries the same write (the same
    transaction on PostgreSQL) and sits in id order, so the newest cannot be told apart."""
    table = table_of(FeedbackAnswer)
    anonymous = sa.and_(table.c.session_id == session_id, table.c.person_id.is_(None))
    rows = [dict(r._mapping) for r in db.execute(sa.select(table).where(anonymous))]
    db.execute(sa.delete(table).where(anonymous))
    every = sorted(rows + new, key=lambda r: r["id"])
    if every:
        db.execute(sa.insert(table), every)


def add_answer(
    db: Session,
    *,
    session_id: int,
    person_id: int,
    rating: object,
    learned: str | None = "",
    for_presenter: str | None = "",
    anonymous: bool = False,
    source: str | None = None,
    replacing: bool | None = None,
) -> Saved:
    """Record someone's answer about a session they came to.

    It is anonymous when they ask, or when the circle's answers are. A second answer replaces
    the first when the first carries their name; otherwise it is refused (NotAllowed).
    ``replacing=False`` says the answer was typed as their first (check-out, on a row showing
    none): an answer given meanwhile, on another facilitator's screen, is then kept and this one
    refused (Conflict, naming it), since replacing it unasked loses what the other typed.
    """
    stars, line, note = parse_rating(rating), clean_learned(learned), clean_for_presenter(for_presenter)
    s = answerable(db, session_id)
    person = db.get(Person, person_id)
    if person is None:
        raise NotFound(f"There is no person with id {person_id}.")
    if not attended(db, session_id, person_id):
        raise _not_there(db, s, person_id, person.name)
    anonymous = anonymous or _settings_of(db, s.circle_id).anonymous
    _lock_session(db, session_id)
    response = db.exec(
        select(FeedbackResponse).where(
            FeedbackResponse.session_id == session_id, FeedbackResponse.person_id == person_id
        )
    ).first()
    replaced = False
    if response is not None:
        named = db.exec(
            select(FeedbackAnswer).where(
                FeedbackAnswer.session_id == session_id, FeedbackAnswer.person_id == person_id
            )
        ).first()
        if named is None:
            raise NotAllowed(
                f"{person.name} has already answered about {s.label}, anonymously: an anonymous "
                "answer cannot be found again, so it cannot be replaced."
            )
        if replacing is False:
            given = f"rated {named.rating}" + (f": {shown(named.learned)}" if named.learned else "")
            # Only check-out asks not to replace (its line was opened on someone who had not
            # answered): it brings the typed line back, and Enter again replaces theirs knowingly.
            raise Conflict(
                f"{person.name}'s answer about {s.label}",
                [f"they answered, {given}"],
                said=f"Someone else gave {person.name}'s answer meanwhile (they answered, {given}). "
                "Nothing was saved: your line is back; Enter again puts it in place of theirs, "
                "Escape drops it.",
            )
        db.delete(named)
        db.flush()  # gone before its replacement is written (one named answer per person)
        response.source = source
        replaced = True
    else:
        db.add(FeedbackResponse(session_id=session_id, person_id=person_id, source=source))
    answer = Answer(
        id=_new_id(),
        session_id=session_id,
        person_id=None if anonymous else person_id,
        person_name=None if anonymous else person.name,
        rating=stars,
        learned=line,
        for_presenter=note,
    )
    row = {
        "id": answer.id,
        "session_id": session_id,
        "person_id": answer.person_id,
        "rating": stars,
        "learned": line,
        "for_presenter": note,
    }
    if anonymous:
        db.flush()
        _rewrite_anonymous(db, session_id, [row])
    else:
        db.execute(sa.insert(table_of(FeedbackAnswer)), [row])
    db.flush()
    return Saved(answer=answer, person_name=person.name, session_label=s.label, replaced=replaced)


def responses(db: Session, session_ids: Iterable[int]) -> dict[tuple[int, int], str | None]:
    """Who has answered about these sessions: (session, person) to the imported row it came from."""
    ids = list(set(session_ids))
    rows = db.exec(
        select(FeedbackResponse.session_id, FeedbackResponse.person_id, FeedbackResponse.source).where(
            col(FeedbackResponse.session_id).in_(ids)
        )
    )
    return {(sid, pid): source for sid, pid, source in rows}


# -- reading -----------------------------------------------------------------------------------


def list_answers(db: Session, session_id: int) -> list[Answer]:
    """A session's answers, best rated first; never in the order they were given."""
    sessions.get_session(db, session_id)
    return _answers(db, session_id)[0]


def _answers(db: Session, session_id: int) -> tuple[list[Answer], bool]:
    """A session's answers, best rated first, and whether they are shown with their authors'
    names: only when none of them is anonymous."""
    rows = db.exec(
        select(FeedbackAnswer, Person.name)
        .join(Person, col(Person.id) == FeedbackAnswer.person_id, isouter=True)
        .where(FeedbackAnswer.session_id == session_id)
        .order_by(col(FeedbackAnswer.rating).desc(), col(FeedbackAnswer.learned), col(FeedbackAnswer.id))
    )
    found = rows.all()
    # Beside who has answered (always shown), named answers would give away the anonymous
    # ones' authors by elimination: with any anonymous answer, the session's shows no names.
    named = all(a.person_id is not None for a, _ in found)
    answers = [
        Answer(
            a.id,
            a.session_id,
            a.person_id if named else None,
            name if named else None,
            a.rating,
            a.learned,
            a.for_presenter,
        )
        for a, name in found
    ]
    return answers, named


def attendees(db: Session, session_id: int, *, named: bool = False) -> list[Attendee]:
    """Everyone who came to a session, by name, with whether they have answered; with `named`
    (the session's answers are shown with names, see _answers) also their rating and line."""
    rows = db.exec(
        select_columns(
            Person.id,
            Person.name,
            Person.email,
            FeedbackResponse.id,
            FeedbackAnswer.rating,
            FeedbackAnswer.learned,
        )
        .select_from(Attendance)
        .join(Person, col(Person.id) == Attendance.person_id)
        .join(
            FeedbackResponse,
            sa.and_(
                col(FeedbackResponse.session_id) == Attendance.session_id,
                col(FeedbackResponse.person_id) == Attendance.person_id,
            ),
            isouter=True,
        )
        .join(
            FeedbackAnswer,
            sa.and_(
                col(FeedbackAnswer.session_id) == Attendance.session_id,
                col(FeedbackAnswer.person_id) == Attendance.person_id,
            ),
            isouter=True,
        )
        .where(Attendance.session_id == session_id, came())
        .order_by(col(Person.name_folded), col(Person.id))
    )
    return [
        Attendee(
            pid, name, email, response is not None, rating if named else None, (line or "") if named else ""
        )
        for pid, name, email, response, rating, line in rows
    ]


def session_feedback(db: Session, session_id: int) -> SessionFeedback:
    s = sessions.get_session(db, session_id)
    presenters = lookups.agenda_presenters(db, [session_id]).get(session_id) or (s.presenter_name or "")
    answers, named = _answers(db, session_id)
    return SessionFeedback(
        session=s,
        settings=_settings_of(db, s.circle_id),
        answers=answers,
        attendees=attendees(db, session_id, named=named),
        presenters=presenters,
        closed=closed_because(db, s),
    )


def missing_for_session(db: Session, session_id: int) -> list[NonResponder]:
    """People who came to the session and have not answered, by name. A session cancelled or
    still to come is refused (NotAllowed): "everyone has answered" would say it was held."""
    s = answerable(db, session_id)
    missed = MissedSession(s.id, s.local_day, s.title)
    return [
        NonResponder(a.person_id, a.name, a.email, [missed])
        for a in attendees(db, session_id)
        if not a.answered
    ]


def missing_for_circle(
    db: Session, circle: str | int, *, since: str | date | None = None, until: str | date | None = None
) -> list[NonResponder]:
    """Per person, the circle's sessions in the period (default: all held ones) they came to and
    have not answered about; most sessions first, then by name."""
    scope = make_scope(db, circle=circle, since=since, until=until)
    s, a, r = CircleSession, Attendance, FeedbackResponse
    rows = db.exec(
        select_columns(Person.id, Person.name, Person.email, s.id, s.starts_at, s.title)
        .select_from(a)
        .join(s, col(s.id) == a.session_id)
        .join(Person, col(Person.id) == a.person_id)
        .join(r, sa.and_(col(r.session_id) == a.session_id, col(r.person_id) == a.person_id), isouter=True)
        .where(*in_scope(db, scope), came(a), col(r.id).is_(None))
        .order_by(col(Person.name_folded), col(Person.id), col(s.starts_at))
    ).all()
    zone = time_zone(circle_records.get_circle(db, scope.circle_id or 0).timezone)
    people: dict[int, NonResponder] = {}
    for pid, name, email, sid, starts_at, title in rows:
        entry = people.setdefault(pid, NonResponder(pid, name, email, []))
        entry.sessions.append(MissedSession(sid, _local_day(starts_at, zone), title))
    return sorted(people.values(), key=lambda n: (-len(n.sessions), n.name.casefold(), n.person_id))


def _local_day(starts_at: datetime, zone: Any) -> date:
    return starts_at.astimezone(zone).date()


def lines_learned(
    db: Session, scope: Scope, *, limit: int | None = None
) -> list[tuple[date, str, str, int, str]]:
    """What people learned at held sessions in scope, oldest session first, without names:
    (local day, circle, session title, rating, the line)."""
    s, f = CircleSession, FeedbackAnswer
    stmt = (
        select_columns(s.starts_at, Circle.timezone, Circle.name, s.title, f.rating, f.learned)
        .select_from(f)
        .join(s, col(s.id) == f.session_id)
        .join(Circle, col(Circle.id) == s.circle_id)
        .where(*in_scope(db, scope), col(f.learned) != "")
        .order_by(col(s.starts_at), col(s.id), col(f.rating).desc(), col(f.learned))
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        (_local_day(starts, time_zone(tz)), circle, title, rating, line)
        for starts, tz, circle, title, rating, line in db.exec(stmt)
    ]
