"""Agenda templates: the agenda a circle's new sessions get, its own or its kind's default."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from circles import validate
from circles.errors import InvalidInput, NotAllowed
from circles.services import agenda, sessions
from circles.services.circle_records import get_circle
from circles.views import AgendaItemView, SessionView
from models.enums import CircleKind
from models.tables import AgendaTemplateItem


@dataclass(frozen=True, slots=True)
class TemplateItem:
    title: str
    minutes: int | None = None
    is_presentation: bool = False


@dataclass(frozen=True, slots=True)
class Template:
    circle_id: int
    items: tuple[TemplateItem, ...]
    custom: bool  # False: the default for the circle's kind


DEFAULT_TEMPLATES: dict[CircleKind, tuple[TemplateItem, ...]] = {
    CircleKind.LEARNING_CIRCLE: (
        TemplateItem("Check-in", 10),
        TemplateItem("Presentation", 25, is_presentation=True),
        TemplateItem("Discussion", 20),
        TemplateItem("Reflection", 5),
    ),
    CircleKind.LUNCH_AND_LEARN: (
        TemplateItem("Talk", 30, is_presentation=True),
        TemplateItem("Q&A", 20),
        TemplateItem("Wrap-up", 10),
    ),
    CircleKind.COMMUNITY_OF_PRACTICE: (
        TemplateItem("Show-and-tell", 25, is_presentation=True),
        TemplateItem("Round of updates", 30),
        TemplateItem("Next steps", 5),
    ),
    CircleKind.WORKSHOP: (
        TemplateItem("Welcome", 10),
        TemplateItem("Workshop", 90, is_presentation=True),
        TemplateItem("Wrap-up", 20),
    ),
}


def template(db: Session, circle_id: int) -> Template:
    """The circle's own agenda template, else the default for its kind."""
    rows = db.exec(
        select(AgendaTemplateItem)
        .where(AgendaTemplateItem.circle_id == circle_id)
        .order_by(col(AgendaTemplateItem.position), col(AgendaTemplateItem.id))
    ).all()
    if rows:
        items = tuple(TemplateItem(r.title, r.minutes, r.is_presentation) for r in rows)
        return Template(circle_id, items, custom=True)
    return Template(circle_id, DEFAULT_TEMPLATES[get_circle(db, circle_id).kind], custom=False)


def parse_template_item(text: str, field: str = "agenda item") -> TemplateItem:
    """'TITLE[:MINUTES][:presenter]', e.g. 'Check-in:10' or 'Talk:30:presenter'."""
    parts = [p.strip() for p in text.split(":")]
    is_presentation = len(parts) > 1 and parts[-1].lower() in ("presenter", "presentation", "p")
    if is_presentation:
        parts.pop()
    minutes = None
    if len(parts) == 2:
        minutes = validate.minutes(validate.parse_int(parts.pop(), f"{field} minutes"), f"{field} minutes")
    if len(parts) > 1:
        raise InvalidInput(field, text, "is not written as TITLE, TITLE:MINUTES or TITLE:MINUTES:presenter")
    title = validate.text(parts[0], f"{field} title", max_length=200, required=True)
    return TemplateItem(title, minutes, is_presentation)


def set_template(db: Session, circle_id: int, items: Sequence[TemplateItem]) -> Template:
    """Replace the circle's agenda template (new sessions get it; planned ones keep theirs)."""
    get_circle(db, circle_id)
    if not items:
        raise InvalidInput("agenda template", "", "needs at least one item; reset it to use the default")
    cleaned = [
        TemplateItem(
            validate.text(i.title, "agenda item title", max_length=200, required=True),
            None if i.minutes is None else validate.minutes(i.minutes, "agenda item minutes"),
            bool(i.is_presentation),
        )
        for i in items
    ]
    db.execute(sa.delete(AgendaTemplateItem).where(col(AgendaTemplateItem.circle_id) == circle_id))
    for position, item in enumerate(cleaned, start=1):
        db.add(
            AgendaTemplateItem(
                circle_id=circle_id,
                position=position,
                title=item.title,
                minutes=item.minutes,
                is_presentation=item.is_presentation,
            )
        )
    db.flush()
    return template(db, circle_id)


def reset_template(db: Session, circle_id: int) -> Template:
    get_circle(db, circle_id)
    db.execute(sa.delete(AgendaTemplateItem).where(col(AgendaTemplateItem.circle_id) == circle_id))
    return template(db, circle_id)


def apply_template(db: Session, original: SessionView) -> list[AgendaItemView]:
    """Give a session with an empty agenda the circle's template, presenter slot filled."""
    if agenda.list_items(db, original.id):
        raise NotAllowed(f"The session {original.label} already has an agenda; edit it instead.")
    # Read again: the presenter slot names whoever presents now, not who did when it was shown.
    apply_items(db, sessions.get_session(db, original.id), template(db, original.circle_id).items)
    return agenda.list_items(db, original.id)


def apply_items(db: Session, s: SessionView, items: Sequence[TemplateItem]) -> None:
    """Append ``items`` to the session's agenda; presentation slots name its presenter."""
    for item in items:
        agenda.add_item(
            db,
            session_id=s.id,
            title=item.title,
            minutes=item.minutes,
            is_presentation=item.is_presentation,
            presenter_id=s.presenter_id if item.is_presentation else None,
        )
