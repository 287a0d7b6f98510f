"""What a session leaves behind: its materials (web links or files), takeaways and topics.

Every change here reaches the search index through the database's own triggers, in the same
transaction, so it is found as soon as it is saved (models/search_schema.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from circles import validate
from circles.errors import InvalidInput, NotFound, shown
from circles.folding import topic_key
from circles.services.sql import ids
from circles.services.versioned import UNCHANGED, save
from circles.topics import split_topics
from circles.views import MaterialView, TakeawayView, TopicView
from models.enums import MaterialKind, SessionStatus
from models.tables import (
    AgendaItem,
    AgendaItemTopic,
    CircleSession,
    Material,
    SessionTopic,
    Takeaway,
    Topic,
)

# A scheme of two letters or more: "C:\talks\deck.pdf" is a Windows path, not a link.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
_KIND_BY_HOST = (
    (("youtube.com", "youtu.be", "vimeo.com", "loom.com"), MaterialKind.RECORDING),
    (("github.com", "gitlab.com", "bitbucket.org", "codeberg.org"), MaterialKind.CODE),
    (("speakerdeck.com", "slideshare.net", "slides.com"), MaterialKind.SLIDES),
)
_KIND_BY_SUFFIX = {
    MaterialKind.SLIDES: {".ppt", ".pptx", ".key", ".odp"},
    MaterialKind.RECORDING: {".mp4", ".mov", ".webm", ".mkv", ".mp3", ".m4a", ".wav"},
    MaterialKind.CODE: {".py", ".rs", ".go", ".js", ".ts", ".ipynb", ".java", ".c", ".zip", ".gz"},
    MaterialKind.READING: {".pdf", ".md", ".txt", ".doc", ".docx", ".odt", ".epub", ".html"},
}
MAX_TAKEAWAY = 500

R = TypeVar("R", Material, Takeaway)  # a per-session list's row
V = TypeVar("V")  # how a row is shown (MaterialView, TakeawayView)


# -- materials ---------------------------------------------------------------------------------


def parse_kind(value: str | MaterialKind) -> MaterialKind:
    try:
        return MaterialKind(str(value).strip().lower())
    except ValueError:
        choices = ", ".join(k.value for k in MaterialKind)
        raise InvalidInput("kind", value, f"must be one of {choices}") from None


def classify(value: str) -> tuple[str | None, str | None]:
    """A typed link or path as (url, None) or (None, absolute path); InvalidInput names the problem.

    Only http and https links are kept: a digest or the app opens them, and any other scheme
    (javascript:, file:, data:) could run or reveal something. A file must exist now.
    """
    text = validate.text(value, "material", max_length=2000, required=True)
    if _SCHEME.match(text) or text.lower().startswith("www."):
        if not re.match(r"^https?://", text, re.IGNORECASE):
            raise InvalidInput(
                "link",
                text,
                "is not a web link: only http:// and https:// links are kept (a file by its path)",
            )
        if not re.match(r"^https?://[^\s/?#<>\"]+[^\s<>\"]*$", text, re.IGNORECASE):
            raise InvalidInput(
                "link", text, 'is not a web link like https://example.org/page (no spaces, < > or ")'
            )
        validate.url_parts(text, "link")
        return text, None
    path = Path(text).expanduser().absolute()
    if not path.exists():
        raise InvalidInput(
            "file", text, "does not exist; give the path of a file that does, or an http(s) link"
        )
    if len(str(path)) > 1000:
        raise InvalidInput("file", text, "has a path longer than 1000 characters")
    return None, str(path)


def guess_kind(url: str | None, path: str | None) -> MaterialKind:
    if url is not None:
        host = (urlsplit(url).hostname or "").lower()
        for hosts, kind in _KIND_BY_HOST:
            if any(host == h or host.endswith("." + h) for h in hosts):
                return kind
        if host == "docs.google.com" and "/presentation/" in url:
            return MaterialKind.SLIDES
        suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    else:
        if path is not None and Path(path).is_dir():
            return MaterialKind.CODE
        suffix = PurePosixPath(path or "").suffix.lower()
    for kind, suffixes in _KIND_BY_SUFFIX.items():
        if suffix in suffixes:
            return kind
    return MaterialKind.READING if url is not None else MaterialKind.OTHER


def default_title(url: str | None, path: str | None) -> str:
    if url is not None:
        parts = urlsplit(url)
        tail = [p for p in parts.path.split("/") if p]
        return (f"{parts.hostname} · {tail[-1]}" if tail else parts.hostname or url)[:200]
    return Path(path or "").name[:200] or (path or "")[:200]


def _material_view(m: Material) -> MaterialView:
    assert m.id is not None
    return MaterialView(
        id=m.id,
        session_id=m.session_id,
        position=m.position,
        kind=MaterialKind(m.kind),
        title=m.title,
        url=m.url,
        path=m.path,
        version=m.version,
    )


def _require_session(db: Session, session_id: int) -> None:
    if db.get(CircleSession, session_id) is None:
        raise _no_session(session_id)


def _no_session(session_id: int) -> NotFound:
    return NotFound(f"There is no session with id {session_id}; 'circles session list' shows them.")


def _next_position(db: Session, model: Any, session_id: int) -> int:
    last = db.exec(select(sa.func.max(model.position)).where(model.session_id == session_id)).one()
    return int(last or 0) + 1


def add_material(
    db: Session,
    *,
    session_id: int,
    target: str,
    title: str | None = None,
    kind: str | MaterialKind | None = None,
) -> MaterialView:
    """A link or a file for the session, at the end of its list. Title and kind are guessed
    from the link or file name when not given."""
    _require_session(db, session_id)
    url, path = classify(target)
    shown = validate.text(title, "title", max_length=200) or default_title(url, path)
    material = Material(
        session_id=session_id,
        position=_next_position(db, Material, session_id),
        kind=parse_kind(kind) if kind else guess_kind(url, path),
        title=shown,
        url=url,
        path=path,
    )
    db.add(material)
    db.flush()
    return _material_view(material)


def get_material(db: Session, material_id: int) -> MaterialView:
    found = db.get(Material, material_id)
    if found is None:
        raise NotFound(f"There is no material with id {material_id}.")
    return _material_view(found)


def list_materials(db: Session, session_id: int) -> list[MaterialView]:
    _require_session(db, session_id)
    return materials_for(db, [session_id])[session_id]


def materials_for(db: Session, session_ids: Iterable[int]) -> dict[int, list[MaterialView]]:
    """The materials of many sessions in one query, each session's in its order."""
    return _per_session(db, Material, session_ids, _material_view)


def update_material(
    db: Session,
    original: MaterialView,
    *,
    target: Any = UNCHANGED,
    title: Any = UNCHANGED,
    kind: Any = UNCHANGED,
) -> MaterialView:
    values: dict[str, Any] = {}
    if target is not UNCHANGED and target != original.target:
        values["url"], values["path"] = classify(target)
    if title is not UNCHANGED:
        url, path = values.get("url", original.url), values.get("path", original.path)
        values["title"] = validate.text(title, "title", max_length=200) or default_title(url, path)
    if kind is not UNCHANGED:
        values["kind"] = parse_kind(kind)
    save(db, Material, original, values=values, what=f"the material {original.title!r}")
    return get_material(db, original.id)


def delete_material(db: Session, original: MaterialView) -> None:
    db.execute(sa.delete(Material).where(col(Material.id) == original.id))


# -- takeaways ---------------------------------------------------------------------------------


def _takeaway_view(t: Takeaway) -> TakeawayView:
    assert t.id is not None
    return TakeawayView(id=t.id, session_id=t.session_id, position=t.position, text=t.text, version=t.version)


def _takeaway_text(value: str) -> str:
    return validate.text(value, "takeaway", max_length=MAX_TAKEAWAY, required=True)


def add_takeaway(db: Session, *, session_id: int, text: str) -> TakeawayView:
    _require_session(db, session_id)
    takeaway = Takeaway(
        session_id=session_id, position=_next_position(db, Takeaway, session_id), text=_takeaway_text(text)
    )
    db.add(takeaway)
    db.flush()
    return _takeaway_view(takeaway)


def get_takeaway(db: Session, takeaway_id: int) -> TakeawayView:
    found = db.get(Takeaway, takeaway_id)
    if found is None:
        raise NotFound(f"There is no takeaway with id {takeaway_id}.")
    return _takeaway_view(found)


def list_takeaways(db: Session, session_id: int) -> list[TakeawayView]:
    _require_session(db, session_id)
    return takeaways_for(db, [session_id])[session_id]


def takeaways_for(db: Session, session_ids: Iterable[int]) -> dict[int, list[TakeawayView]]:
    """The takeaways of many sessions in one query, each session's in its order."""
    return _per_session(db, Takeaway, session_ids, _takeaway_view)


def _per_session(
    db: Session, table: type[R], session_ids: Iterable[int], view: Callable[[R], V]
) -> dict[int, list[V]]:
    """Rows of a per-session list (materials, takeaways) for many sessions in one query, each
    session's in its order, shown with ``view``; a session with none gets an empty list."""
    ids = list(session_ids)
    found: dict[int, list[V]] = {sid: [] for sid in ids}
    if ids:
        rows = db.exec(
            select(table).where(col(table.session_id).in_(ids)).order_by(col(table.position), col(table.id))
        )
        for row in rows:
            found[row.session_id].append(view(row))
    return found


def update_takeaway(db: Session, original: TakeawayView, *, text: str) -> TakeawayView:
    save(db, Takeaway, original, values={"text": _takeaway_text(text)}, what="the takeaway")
    return get_takeaway(db, original.id)


def delete_takeaway(db: Session, original: TakeawayView) -> None:
    db.execute(sa.delete(Takeaway).where(col(Takeaway.id) == original.id))


# -- topics ------------------------------------------------------------------------------------


def _insert(db: Session) -> Any:
    return postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert


def _topic_ids(db: Session, names: Sequence[str]) -> list[int]:
    """The topics of these names, made when new; a name differing only in case or accents is
    the topic already there (two people adding it at once make it once)."""
    shown = {topic_key(n): n for n in names}
    if not shown:
        return []
    db.execute(
        _insert(db)(Topic)
        .values([{"name": n, "key": k} for k, n in shown.items()])
        .on_conflict_do_nothing(index_elements=["key"])
    )
    ids = dict(db.exec(select(Topic.key, Topic.id).where(col(Topic.key).in_(list(shown)))).all())
    return [i for k in shown if (i := ids[k]) is not None]


def find_topic(db: Session, name: str) -> TopicView | None:
    found = db.exec(select(Topic).where(Topic.key == topic_key(name))).first()
    return TopicView(found.id, found.name, found.key) if found and found.id is not None else None


def add_topics(
    db: Session,
    *,
    session_id: int | None = None,
    agenda_item_id: int | None = None,
    topics: str | Sequence[str],
) -> list[TopicView]:
    """Tag a session (or one agenda item) with topics; returns all its topics. Already tagged is fine."""
    names = split_topics(topics if isinstance(topics, str) else list(topics))
    # As typed, not as a Python list: "topic [''] is empty" said the CLI's empty argument.
    typed = topics if isinstance(topics, str) else ", ".join(topics)
    if not names:
        raise InvalidInput("topic", typed, "is empty; give one or more topics, e.g. rust")
    if (session_id is None) == (agenda_item_id is None):
        raise InvalidInput("topic", typed, "needs a session or an agenda item to tag")
    ids = _topic_ids(db, names)
    if session_id is not None:
        _require_session(db, session_id)
        rows = [{"session_id": session_id, "topic_id": t} for t in ids]
        db.execute(_insert(db)(SessionTopic).values(rows).on_conflict_do_nothing())
        return topics_for_sessions(db, [session_id])[session_id]
    assert agenda_item_id is not None
    if db.get(AgendaItem, agenda_item_id) is None:
        raise NotFound(f"There is no agenda item with id {agenda_item_id}.")
    rows = [{"agenda_item_id": agenda_item_id, "topic_id": t} for t in ids]
    db.execute(_insert(db)(AgendaItemTopic).values(rows).on_conflict_do_nothing())
    return topics_for_items(db, [agenda_item_id])[agenda_item_id]


def remove_topic(
    db: Session, *, session_id: int | None = None, agenda_item_id: int | None = None, topic: str
) -> None:
    found = find_topic(db, topic)
    if found is None:
        raise NotFound(f"There is no topic {shown(topic)}.")
    if session_id is not None:
        link: Any = sa.delete(SessionTopic).where(
            col(SessionTopic.session_id) == session_id, col(SessionTopic.topic_id) == found.id
        )
    else:
        link = sa.delete(AgendaItemTopic).where(
            col(AgendaItemTopic.agenda_item_id) == agenda_item_id, col(AgendaItemTopic.topic_id) == found.id
        )
    if db.execute(link).rowcount == 0:  # type: ignore[attr-defined]  # a DELETE's Result is a CursorResult
        raise NotFound(f"It is not tagged {found.name!r}.")


def topics_for_sessions(db: Session, session_ids: Iterable[int]) -> dict[int, list[TopicView]]:
    wanted = list(session_ids)
    found: dict[int, list[TopicView]] = {sid: [] for sid in wanted}
    if wanted:
        rows = db.exec(
            select(SessionTopic.session_id, ids(Topic.id), Topic.name, Topic.key)
            .join(Topic, col(Topic.id) == SessionTopic.topic_id)
            .where(col(SessionTopic.session_id).in_(wanted))
            .order_by(Topic.key)
        )
        for sid, topic_id, name, key in rows:
            found[sid].append(TopicView(topic_id, name, key))
    return found


def session_knowledge(
    db: Session, session_id: int
) -> tuple[list[MaterialView], list[TakeawayView], list[TopicView]]:
    """What a session left behind, as its Materials & takeaways tab shows it: its materials,
    takeaways and topics, in three statements. Read one list at a time, the session was looked
    up once for each list and its topics read alone: five round trips to a PostgreSQL server,
    each a wait for the server's process on a busy machine, while the tab waits for all of them."""
    materials = materials_for(db, [session_id])[session_id]
    takeaways = takeaways_for(db, [session_id])[session_id]
    # The session's row with its topics, if any: no row at all is no session.
    rows = db.exec(
        select(col(CircleSession.id), col(Topic.id), col(Topic.name), col(Topic.key))
        .outerjoin(SessionTopic, col(SessionTopic.session_id) == CircleSession.id)
        .outerjoin(Topic, col(Topic.id) == SessionTopic.topic_id)
        .where(col(CircleSession.id) == session_id)
        .order_by(col(Topic.key))
    ).all()
    if not rows:
        raise _no_session(session_id)
    topics = [TopicView(topic_id, name, key) for _, topic_id, name, key in rows if topic_id is not None]
    return materials, takeaways, topics


def topics_for_items(db: Session, item_ids: Iterable[int]) -> dict[int, list[TopicView]]:
    wanted = list(item_ids)
    found: dict[int, list[TopicView]] = {iid: [] for iid in wanted}
    if wanted:
        rows = db.exec(
            select(AgendaItemTopic.agenda_item_id, ids(Topic.id), Topic.name, Topic.key)
            .join(Topic, col(Topic.id) == AgendaItemTopic.topic_id)
            .where(col(AgendaItemTopic.agenda_item_id).in_(wanted))
            .order_by(Topic.key)
        )
        for iid, topic_id, name, key in rows:
            found[iid].append(TopicView(topic_id, name, key))
    return found


def topic_usage(db: Session) -> list[tuple[TopicView, int]]:
    """Every topic and how many sessions and agenda items it tags, most used first."""
    on_sessions = dict(
        db.exec(select(SessionTopic.topic_id, sa.func.count()).group_by(col(SessionTopic.topic_id))).all()
    )
    on_items = dict(
        db.exec(
            select(AgendaItemTopic.topic_id, sa.func.count()).group_by(col(AgendaItemTopic.topic_id))
        ).all()
    )
    found = [
        (TopicView(t.id, t.name, t.key), on_sessions.get(t.id, 0) + on_items.get(t.id, 0))
        for t in db.exec(select(Topic))
        if t.id is not None
    ]
    found.sort(key=lambda x: (-x[1], x[0].key))
    return found


def set_session_topics(db: Session, session_id: int, topics: str | Sequence[str]) -> list[TopicView]:
    """The session's topics become exactly these (the others are taken off); returns them."""
    _require_session(db, session_id)
    names = split_topics(topics if isinstance(topics, str) else list(topics))
    keep = _topic_ids(db, names)
    db.execute(
        sa.delete(SessionTopic).where(
            col(SessionTopic.session_id) == session_id, col(SessionTopic.topic_id).not_in(keep)
        )
    )
    if keep:
        rows = [{"session_id": session_id, "topic_id": t} for t in keep]
        db.execute(_insert(db)(SessionTopic).values(rows).on_conflict_do_nothing())
    return topics_for_sessions(db, [session_id])[session_id]


def person_topics(db: Session, person_id: int) -> list[tuple[str, int]]:
    """The topics of the talks a person gave (their agenda items, and the sessions those are
    in), with how many talks each: what the person screen lists."""
    talks = (
        select(AgendaItem.id, AgendaItem.session_id)
        .join(CircleSession, col(CircleSession.id) == AgendaItem.session_id)
        .where(AgendaItem.presenter_id == person_id, CircleSession.status != SessionStatus.CANCELLED)
        .subquery()
    )
    on_items = select(talks.c.id.label("talk"), AgendaItemTopic.topic_id).join(
        AgendaItemTopic, col(AgendaItemTopic.agenda_item_id) == talks.c.id
    )
    on_sessions = select(talks.c.id.label("talk"), SessionTopic.topic_id).join(
        SessionTopic, col(SessionTopic.session_id) == talks.c.session_id
    )
    tagged = sa.union(on_items, on_sessions).subquery()
    rows = db.exec(
        select(Topic.name, sa.func.count(sa.distinct(tagged.c.talk)))
        .join(tagged, tagged.c.topic_id == Topic.id)
        .group_by(col(Topic.id), col(Topic.name))
        .order_by(sa.func.count(sa.distinct(tagged.c.talk)).desc(), col(Topic.key))
    ).all()
    return [(name, int(n)) for name, n in rows]
