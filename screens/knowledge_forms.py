"""The forms of a session's Materials & takeaways tab: a material, a takeaway, the session's topics."""

from __future__ import annotations

from typing import Any

from circles import validate
from circles.services import knowledge
from circles.topics import split_topics
from circles.views import MaterialView, SessionView, TakeawayView, TopicView
from models.enums import MaterialKind
from screens.form_screen import Field, FormScreen

GUESS = "guess"


def material_form(session: SessionView, original: MaterialView | None) -> FormScreen[MaterialView]:
    o = original
    fields = [
        Field(
            "target",
            "Web link (http:// or https://) or the path of a file",
            o.target if o else "",
            "https://… or ~/talks/slides.pdf",
            required=True,
            check=knowledge.classify,
            aliases=("link", "file", "material"),
        ),
        Field("title", "Title (empty: from the link or file name)", o.title if o else ""),
        Field(
            "kind",
            "Kind",
            o.kind if o else GUESS,
            choices=([] if o else [("(from the link or file name)", GUESS)])
            + [(k.value, k) for k in MaterialKind],
        ),
    ]

    def save(db: Any, v: dict[str, Any]) -> MaterialView:
        kind = None if v["kind"] == GUESS else v["kind"]
        if o is None:
            return knowledge.add_material(
                db, session_id=session.id, target=v["target"], title=v["title"], kind=kind
            )
        return knowledge.update_material(db, o, target=v["target"], title=v["title"], kind=kind or o.kind)

    reopen = (lambda db: material_form(session, knowledge.get_material(db, o.id))) if o else None
    title = f"Add a link or file to {session.label}" if o is None else f"Edit {o.title}"
    return FormScreen(title, fields, save, reopen=reopen)


def takeaway_form(session: SessionView, original: TakeawayView | None) -> FormScreen[TakeawayView]:
    o = original
    fields = [
        Field(
            "text",
            "What did people take away? One short line",
            o.text if o else "",
            "e.g. Moves are cheap; clones are explicit",
            required=True,
            check=lambda v: validate.text(v, "takeaway", max_length=knowledge.MAX_TAKEAWAY, required=True),
            aliases=("takeaway",),
        ),
    ]

    def save(db: Any, v: dict[str, Any]) -> TakeawayView:
        if o is None:
            return knowledge.add_takeaway(db, session_id=session.id, text=v["text"])
        return knowledge.update_takeaway(db, o, text=v["text"])

    reopen = (lambda db: takeaway_form(session, knowledge.get_takeaway(db, o.id))) if o else None
    return FormScreen("Add a takeaway" if o is None else "Edit the takeaway", fields, save, reopen=reopen)


def topics_form(session: SessionView, current: list[TopicView]) -> FormScreen[list[TopicView]]:
    fields = [
        Field(
            "topics",
            "Topics, separated by commas (any case; accents do not matter)",
            ", ".join(t.name for t in current),
            "e.g. rust, memory safety",
            check=split_topics,
            aliases=("topic",),
        ),
    ]

    def save(db: Any, v: dict[str, Any]) -> list[TopicView]:
        return knowledge.set_session_topics(db, session.id, v["topics"])

    return FormScreen(f"Topics of {session.label}", fields, save)
