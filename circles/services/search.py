"""One search across everything the sessions hold, on the database's own full-text engine:
FTS5 on SQLite (ranked by bm25, snippet()), a tsvector with a GIN index on PostgreSQL
(ts_rank, ts_headline). What a person types goes through circles.search_query first, so no
input reaches either engine as syntax.

The index (search_doc and what reads it) is described in models/search_schema.py.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session

from circles.days import weekday_said
from circles.errors import shown as quoted
from circles.search_query import SearchQuery, fold, parse, word_spans
from circles.services.clock import now
from circles.zones import time_zone
from models.enums import CircleKind
from models.types import UTCDateTime

START, STOP = "\x02", "\x03"  # around matched words in snippets: people cannot type these
KINDS = ("circle", "person", "session", "agenda_item", "material", "takeaway", "learned")
KIND_LABELS = {
    "circle": "circle",
    "person": "person",
    "session": "session",
    "agenda_item": "agenda item",
    "material": "material",
    "takeaway": "takeaway",
    "learned": "learned",  # the "one thing I learned" lines of a session's feedback, no authors
}
SNIPPET_WORDS = 16


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One thing found. Hits inside a session (agenda items, materials, takeaways, what people
    learned there) open it."""

    kind: str  # one of KINDS
    id: int  # in its own table
    title: str
    snippet: str  # plain text around what matched
    marks: tuple[tuple[int, int], ...]  # (start, end) of each matched word in snippet
    rank: float  # higher is better; comparable within one backend's answer only
    session_id: int | None
    circle_id: int | None
    where: str  # "Rust Lunch, Tue 12 Oct 2026"; a circle's kind; a person's e-mail
    more: int = 0  # other things found in the same session, which this hit stands for

    @property
    def opens(self) -> tuple[str, int]:
        """What showing this hit opens: the circle, the person, or the session it belongs to."""
        if self.kind in ("circle", "person") or self.session_id is None:
            return self.kind, self.id
        return "session", self.session_id


# What a hit shows beside its text: its session's circle and day, a circle's kind, a person's
# address. Joined to the best few rows inside the one statement, so a search is one round trip.
_CONTEXT = (
    "LEFT JOIN circle_session s ON s.id = top.session_id "
    "LEFT JOIN circle c ON c.id = top.circle_id "
    "LEFT JOIN person p ON top.kind = 'person' AND p.id = top.ref_id "
)
_COLUMNS = "top.kind, top.ref_id, top.session_id, top.circle_id, top.title, snippet, top.group_rank, " + (
    "s.starts_at, c.name, c.timezone, c.kind, p.email, p.is_guest, s.title, top.here "
)
# Grouped by session: many hits in one session (the same slides, takeaways and lines learned
# of a talk) are one hit, the session or its agenda item when they are among them (the talk
# itself), else the best of them, saying how many more it stands for. The talks (and circles
# and people) come first, then the sessions found only by their materials, takeaways or lines
# learned; each group ranked by its best document. The groups are made among the best
# pool_size() documents: a talk ranked below that many others is not looked for.
POOL = 10  # times the hits asked for
POOL_LEAST = 200  # and never fewer: one talk's slides are linked from a hundred sessions
TALK_KINDS = "('session', 'agenda_item')"
STANDS_ALONE = "('circle', 'person', 'session', 'agenda_item')"
_GROUP = "CASE WHEN :grouped THEN coalesce({d}session_id, -{d}id) ELSE -{d}id END"
_TALKS_FIRST = "CASE WHEN :grouped THEN {d}kind IN " + STANDS_ALONE + " ELSE true END"
# Equal ranks (the same slides linked from many sessions) come newest first. The snippets are
# made for the hits shown only, once they are known.
_SQLITE = sa.text(
    "WITH best AS (SELECT rowid AS id, rank FROM search_fts WHERE search_fts MATCH :query "
    "ORDER BY rank, rowid DESC LIMIT :pool), "
    "found AS (SELECT d.*, best.rank, "
    f"row_number() OVER (PARTITION BY {_GROUP.format(d='d.')} "
    f"ORDER BY d.kind IN {TALK_KINDS} DESC, best.rank, d.id DESC) AS place, "
    "count(*) OVER w AS here, min(best.rank) OVER w AS group_rank, "
    f"max({_TALKS_FIRST.format(d='d.')}) OVER w AS talk "
    f"FROM best JOIN search_doc d ON d.id = best.id WINDOW w AS (PARTITION BY {_GROUP.format(d='d.')})), "
    "chosen AS (SELECT * FROM found WHERE place = 1 ORDER BY talk DESC, group_rank, id DESC LIMIT :limit), "
    "top AS (SELECT chosen.*, "
    f"snippet(search_fts, -1, :start, :stop, '…', {SNIPPET_WORDS}) AS snippet "
    "FROM chosen JOIN search_fts ON search_fts.rowid = chosen.id WHERE search_fts MATCH :query) "
    f"SELECT {_COLUMNS} FROM top {_CONTEXT} ORDER BY top.talk DESC, top.group_rank, top.id DESC"
).columns(starts_at=UTCDateTime())
_POSTGRES = sa.text(
    "WITH q AS (SELECT to_tsquery('simple', :query) AS q), "
    "best AS (SELECT d.id, d.kind, d.ref_id, d.session_id, d.circle_id, d.title, d.body, d.tags, "
    "ts_rank(d.search_vector, q.q, 1) AS rank FROM search_doc d, q WHERE d.search_vector @@ q.q "
    "ORDER BY rank DESC, d.id DESC LIMIT :pool), "
    "found AS (SELECT best.*, "
    f"row_number() OVER (PARTITION BY {_GROUP.format(d='')} "
    f"ORDER BY kind IN {TALK_KINDS} DESC, rank DESC, id DESC) AS place, "
    "count(*) OVER w AS here, max(rank) OVER w AS group_rank, "
    f"bool_or({_TALKS_FIRST.format(d='')}) OVER w AS talk "
    f"FROM best WINDOW w AS (PARTITION BY {_GROUP.format(d='')})), "
    "top AS (SELECT * FROM found WHERE place = 1 ORDER BY talk DESC, group_rank DESC, id DESC LIMIT :limit) "
    f"SELECT {_COLUMNS.replace('snippet', 'headline')} FROM top CROSS JOIN LATERAL (SELECT ts_headline("
    "'simple', concat_ws(' · ', nullif(top.title, ''), nullif(top.body, ''), nullif(top.tags, '')), "
    f"q.q, :options) AS headline FROM q) h {_CONTEXT} "
    "ORDER BY top.talk DESC, top.group_rank DESC, top.id DESC"
).columns(starts_at=UTCDateTime())
_HEADLINE = (
    f"StartSel={START}, StopSel={STOP}, MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}, "
    "ShortWord=1, MaxFragments=1, FragmentDelimiter=' … '"
)


def statement(
    db: Session, query: SearchQuery, limit: int, *, grouped: bool = True
) -> tuple[Any, dict[str, Any]]:
    """The one SQL statement a search runs, and its parameters (bench/search.py runs it bare)."""
    sizes = {"limit": limit, "pool": max(limit * POOL, POOL_LEAST) if grouped else limit, "grouped": grouped}
    if db.get_bind().dialect.name == "postgresql":
        return _POSTGRES, {"query": query.tsquery(), "options": _HEADLINE, **sizes}
    return _SQLITE, {"query": query.fts5(), "start": START, "stop": STOP, **sizes}


def search(
    db: Session, text: str, *, limit: int = 20, typing: bool = False, grouped: bool = True
) -> list[SearchHit]:
    """The best ``limit`` matches for what a person typed, best first. InvalidInput (never a
    database error) when the text holds nothing to look for; ``typing`` takes the last word
    as a beginning, for results while typing. ``grouped`` (see POOL): one hit per session,
    its talk first; without it, every document found, by rank alone."""
    query = parse(text, typing=typing)
    rows = _rows(db, query, max(1, min(limit, 500)), grouped=grouped)
    postgres = db.get_bind().dialect.name == "postgresql"
    return _hits(rows, now(db), postgres=postgres, query=query if postgres else None)


def nothing_found(db: Session, text: str, *, typing: bool = False) -> str:
    """What to say when a search found nothing. Of several words, which of them alone is in
    nothing here, or else that each is found but not all together: "kubernetes rollback" said
    only "Nothing found", where "kubernetes" alone finds 25 things."""
    query = parse(text, typing=typing)
    said = f"Nothing found for {quoted(text.strip())}"
    wanted = [t for t in query.terms if not t.exclude]
    if len(wanted) < 2:
        return said + "."
    missing = [t for t in wanted if not _rows(db, SearchQuery(text, (t,)), 1, grouped=False)]
    if not missing:
        return f"{said}: each word is found, but not all together; fewer words find more."
    named = " or ".join(repr(" ".join(t.words)) for t in missing)
    return f"{said}: nothing here has {named}."


def _rows(db: Session, query: SearchQuery, limit: int, *, grouped: bool) -> list[Any]:
    sql, params = statement(db, query, limit, grouped=grouped)
    if db.get_bind().dialect.name != "postgresql":
        return list(db.connection().execute(sql, params).all())
    if db.in_transaction():
        connection = db.connection()
        return _on_psycopg(connection.dialect, connection.connection, connection.invalidate, sql, params)
    return _alone(db.get_bind(), sql, params)


def _alone(engine: Any, sql: Any, params: dict[str, Any]) -> list[Any]:
    """A search as the first of its unit of work on PostgreSQL: its one statement on its own
    (autocommit), on a connection taken from the pool and given back at once. A transaction
    around it would add a BEGIN and a ROLLBACK, two more round trips to the server than the
    answer itself, for nothing (each statement reads its own snapshot at PostgreSQL's READ
    COMMITTED anyway); and the unit of work's own connection (SQLAlchemy's transaction, its
    isolation level set and reset) cost as much processor time as the hits made of the rows.
    The pool's events still run (its ping after idling, the live watcher's note of its own
    connections); the unit of work's next statement takes the same connection back."""
    pooled = engine.raw_connection()
    try:
        driver = pooled.driver_connection
        driver.autocommit = True  # given back out of any transaction: nothing to end first
        try:
            return _on_psycopg(engine.dialect, pooled, pooled.invalidate, sql, params)
        finally:
            if pooled.is_valid:  # (else dropped: the pool opens another next time)
                try:
                    driver.autocommit = False  # as every other unit of work expects it
                except engine.dialect.loaded_dbapi.Error as exc:  # stopped mid-statement
                    pooled.invalidate(exc)
    finally:
        pooled.close()


def _on_psycopg(
    dialect: Any, pooled: Any, invalidate: Callable[[BaseException], object], sql: Any, params: dict[str, Any]
) -> list[Any]:
    """The rows of the search's statement, run on the pooled connection's psycopg cursor:
    SQLAlchemy's statement cache and result rows cost as much processor time as psycopg's own
    work (a search takes a millisecond of it). Its errors are SQLAlchemy's, as from any other
    statement; a connection the server dropped is ``invalidate``d."""
    text = _driver_text(dialect, sql)
    try:
        with pooled.driver_connection.cursor() as cursor:
            return cast(list[Any], cursor.execute(text, params).fetchall())
    except dialect.loaded_dbapi.Error as exc:
        if dialect.is_disconnect(exc, pooled.dbapi_connection, None):
            invalidate(exc)
        raise sa.exc.DBAPIError.instance(
            text, params, exc, dialect.loaded_dbapi.Error, dialect=dialect
        ) from exc


@functools.lru_cache(maxsize=4)
def _driver_text(dialect: Any, sql: Any) -> str:
    """The statement as its driver takes it (psycopg's %(name)s parameters)."""
    return str(sql.compile(dialect=dialect))


def matching_titles(db: Session, text: str, kinds: Sequence[str]) -> list[tuple[str, int]]:
    """(kind, id) of every document of these kinds whose title has the words of ``text``."""
    query = parse(text)
    if db.get_bind().dialect.name == "postgresql":
        sql = sa.text(
            "SELECT kind, ref_id FROM search_doc "
            "WHERE search_vector @@ to_tsquery('simple', :query) AND kind IN :kinds"
        ).bindparams(sa.bindparam("kinds", expanding=True))
        params: dict[str, Any] = {"query": query.tsquery(titles_only=True), "kinds": list(kinds)}
    else:
        sql = sa.text(
            "SELECT d.kind, d.ref_id FROM search_fts JOIN search_doc d ON d.id = search_fts.rowid "
            "WHERE search_fts MATCH :query AND d.kind IN :kinds"
        ).bindparams(sa.bindparam("kinds", expanding=True))
        params = {"query": query.fts5(titles_only=True), "kinds": list(kinds)}
    return list(cast(Sequence[tuple[str, int]], db.execute(sql, params).all()))


_MARKED = re.compile(f"{START}([^{START}{STOP}]+){STOP}")


def marked(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A snippet with START/STOP around matched words as plain text and the spans they marked
    (a START without its STOP, or around nothing, marks nothing; every START and STOP goes)."""
    text = text.replace("\n", " ")
    if START not in text:
        return text.replace(STOP, ""), ()
    marks = []
    removed = last = 0  # START and STOP characters before the match, and where the last ended
    for found in _MARKED.finditer(text):
        at = found.start()
        removed += text.count(START, last, at) + text.count(STOP, last, at) + 1
        start = at + 1 - removed
        marks.append((start, start + found.end(1) - found.start(1)))
        removed += 1
        last = found.end()
    return text.replace(START, "").replace(STOP, ""), tuple(marks)


def mark_words(text: str, query: SearchQuery) -> tuple[tuple[int, int], ...]:
    """The words of ``text`` the query looks for, compared as the index compares them.

    PostgreSQL's ts_headline picks the fragment but marks only words its own parser finds in
    the original text: not "Müller" for muller (the index folds accents, its parser does not)
    nor a word inside a link. These marks complete its own."""
    return _word_marker(query)(text)


def _word_marker(query: SearchQuery) -> Callable[[str], tuple[tuple[int, int], ...]]:
    """mark_words for one query, made once for all of a search's hits."""
    pattern = _ascii_words(query)
    whole, beginnings = _looked_for(query)

    def marks(text: str) -> tuple[tuple[int, int], ...]:
        if text.isascii() or _words_all_ascii(text):
            # Most snippets: one regular expression finds the words, where folding each word of
            # the text was a third of a search's own time on PostgreSQL (the same marks:
            # tests/test_search_query.py).
            return () if pattern is None else tuple(m.span() for m in pattern.finditer(text))
        return marks_word_by_word(text, whole, beginnings)

    return marks


_BEYOND_ASCII = re.compile(r"[^\x00-\x7f]")


def _words_all_ascii(text: str) -> bool:
    """Whether every word of ``text`` is ASCII: what is beyond ASCII only separates words (the
    " · " between a title and its notes in PostgreSQL's snippets, "…", quotes, dashes)."""
    return not any(map(_in_words, set(_BEYOND_ASCII.findall(text))))


@functools.lru_cache(maxsize=1024)
def _in_words(character: str) -> bool:
    return bool(word_spans(character))


def _looked_for(query: SearchQuery) -> tuple[frozenset[str], tuple[str, ...]]:
    """The folded words the query looks for whole, and the beginnings it looks for."""
    wanted = {fold(w) for t in query.terms if not t.exclude for w in t.words[:-1]}
    ends = {fold(t.words[-1]) for t in query.terms if not t.exclude}
    beginnings = tuple(fold(t.words[-1]) for t in query.terms if not t.exclude and t.prefix)
    return frozenset(wanted | ends), beginnings


def marks_word_by_word(
    text: str, whole: frozenset[str], beginnings: tuple[str, ...]
) -> tuple[tuple[int, int], ...]:
    """mark_words for any text: each word folded and compared."""
    spans = []
    for start, word in word_spans(text):
        key = fold(word)
        if key in whole or key.startswith(beginnings):
            spans.append((start, start + len(word)))
    return tuple(spans)


@functools.lru_cache(maxsize=64)
def _ascii_words(query: SearchQuery) -> re.Pattern[str] | None:
    """A pattern that finds, in ASCII text, the words the query looks for (in ASCII a word is a
    run of letters and digits, folded by lowering it); None when none can be in ASCII text."""
    whole, beginnings = _looked_for(query)
    choices = [re.escape(w) for w in whole if w.isascii()]
    choices += [re.escape(b) + "[A-Za-z0-9]*" for b in beginnings if b.isascii()]
    if not choices:
        return None
    either = "|".join(sorted(choices, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9])(?:{either})(?![A-Za-z0-9])", re.IGNORECASE | re.ASCII)


def _hits(
    rows: Sequence[Any], at: datetime, *, postgres: bool, query: SearchQuery | None = None
) -> list[SearchHit]:
    also_marked = _word_marker(query) if query is not None else None
    hits = []
    for row in rows:
        kind, ref_id, session_id, circle_id, title, snippet, rank = row[:7]
        starts_at, circle_name, timezone, circle_kind, email, is_guest, session_title, here = row[7:]
        text, marks = marked(snippet or "")
        if also_marked is not None:
            more = also_marked(text)
            if more and more != marks:
                marks = tuple(sorted(set(marks).union(more)))
        if kind == "circle":
            where = CircleKind(circle_kind).label if circle_kind else ""
        elif kind == "person":
            where = email or ("guest" if is_guest else "")
        elif starts_at is not None and circle_name is not None:
            where = f"{circle_name}, {weekday_said(starts_at.astimezone(time_zone(timezone)), at)}"
        else:
            where = ""
        if kind == "learned":
            shown = f"What people learned at {session_title or 'the session'}"
        else:
            shown = title or (text if kind == "takeaway" else "") or f"(untitled {KIND_LABELS[kind]})"
        hits.append(
            SearchHit(
                kind=kind,
                id=ref_id,
                title=shown,
                snippet=text,
                marks=marks,
                rank=float(rank) if postgres else -float(rank),
                session_id=session_id,
                circle_id=circle_id,
                where=where,
                more=int(here) - 1,
            )
        )
    return hits
