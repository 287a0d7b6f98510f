"""The demo's "one thing I learned" documents written once per session after its feedback,
instead of once per line by the triggers of migration 0050.

Row by row, each answer with a line rewrote its session's whole document (every line of the
session gathered again) and the full-text index's copy of it (a delete and an insert): the
large demo's 150,000 lines made about as many rewrites of 25,000 documents, most of its
feedback stage. So while the demo writes its answers, the search triggers on feedback_answer
are off; it notes, in the order the answers go in, the first line of each session; afterwards
the insert trigger's own statement (read from the store, so the documents are the ones the
triggers write) runs once per session, in that order, giving each document the id it would
have had row by row: on SQLite the next rowid, one per new document; on PostgreSQL one
value of the id sequence for each line (each line's insert drew one, even when it only
updated the document), the sequence left where the lines would have left it. The store is
the same, row for row, as the triggers make it.

The huge demo fills the whole index afterwards (circles/demo_index.py): then the triggers are
already off and there is nothing to do here. All inside the demo's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection

# The triggers on feedback_answer that write the index (insert, update, delete: the demo only
# inserts, but none may run on while the table's indexes are dropped under it).
TRIGGERS = "search\\_feedback\\_answer\\_%"
INSERT_TRIGGER = "search_feedback_answer_insert"
THIS_SESSION = "s.id = NEW.session_id"
NEW_DOCUMENT = ("INSERT INTO search_doc (kind,", "SELECT 'learned',")


class LearnedOrder:
    """Sessions in the order their first line went in, with how many lines had gone in then."""

    def __init__(self) -> None:
        self.sessions: list[tuple[int, int]] = []
        self.lines = 0
        self._seen: set[int] = set()

    def line(self, session_id: int) -> None:
        """One more answer with a line, in the order they are written."""
        self.lines += 1
        if session_id not in self._seen:
            self._seen.add(session_id)
            self.sessions.append((session_id, self.lines))


@contextmanager
def learned_afterwards(conn: Connection) -> Iterator[LearnedOrder | None]:
    """Inside, answers leave the search index alone and the caller notes each line in the
    LearnedOrder given (None: the triggers are already off, nothing to note); on the way out
    every session's document is written once."""
    if conn.dialect.name == "sqlite":
        triggers = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'feedback_answer' "
            "AND name LIKE ? ESCAPE '\\' ORDER BY name",
            (TRIGGERS,),
        ).all()
        bodies: dict[str, str] = {name: sql for name, sql in triggers}
        if INSERT_TRIGGER not in bodies:
            yield None
            return
        for name, _sql in triggers:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        order = LearnedOrder()
        yield order
        body = bodies[INSERT_TRIGGER]
        statement = body[body.index(" BEGIN ") + 7 : body.rindex("END")].strip().rstrip(";")
        first = conn.exec_driver_sql("SELECT coalesce(max(id), 0) + 1 FROM search_doc").scalar_one()
        rows = [(first + n, session_id) for n, (session_id, _line) in enumerate(order.sessions)]
        _write(conn, _with_id(statement, "?"), rows)
        for _name, sql in triggers:
            conn.exec_driver_sql(sql)
        return
    enabled = conn.exec_driver_sql(
        "SELECT t.tgname, p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE t.tgrelid = 'feedback_answer'::regclass AND NOT t.tgisinternal AND t.tgenabled <> 'D' "
        "AND t.tgname LIKE %(pattern)s ORDER BY t.tgname",
        {"pattern": TRIGGERS},
    ).all()
    sources: dict[str, str] = {name: source for name, source in enabled}
    if INSERT_TRIGGER not in sources:
        yield None
        return
    for name, _source in enabled:
        conn.exec_driver_sql(f'ALTER TABLE feedback_answer DISABLE TRIGGER "{name}"')
    order = LearnedOrder()
    yield order
    source = sources[INSERT_TRIGGER]
    statement = source[source.index("BEGIN") + 5 : source.index("RETURN NULL")].strip().rstrip(";")
    sequence = conn.exec_driver_sql("SELECT pg_get_serial_sequence('search_doc', 'id')").scalar_one()
    if order.lines:
        # The value the first line's insert would have drawn; the last line's is the sequence's.
        first = conn.exec_driver_sql("SELECT nextval(%(s)s)", {"s": sequence}).scalar_one()
        rows = [(first + line - 1, session_id) for session_id, line in order.sessions]
        _write(conn, _with_id(statement.replace("%", "%%"), "%s"), rows)
        conn.exec_driver_sql("SELECT setval(%(s)s, %(v)s)", {"s": sequence, "v": first + order.lines - 1})
    for name, _source in enabled:
        conn.exec_driver_sql(f'ALTER TABLE feedback_answer ENABLE TRIGGER "{name}"')


def _with_id(statement: str, mark: str) -> str:
    """The insert trigger's statement for the session given, with the document's id given."""
    made = statement
    for part, found in ((THIS_SESSION, 1), (NEW_DOCUMENT[0], 1), (NEW_DOCUMENT[1], 1)):
        if made.count(part) != found:
            raise RuntimeError(f"unexpected learned-lines trigger statement: {statement[:120]}")
    made = made.replace(THIS_SESSION, f"s.id = {mark}")
    made = made.replace(NEW_DOCUMENT[0], "INSERT INTO search_doc (id, kind,")
    return made.replace(NEW_DOCUMENT[1], f"SELECT {mark}, 'learned',")


def _write(conn: Connection, statement: str, rows: list[tuple[int, int]]) -> None:
    # (id, session): the statement names the id first, then the session.
    if rows:
        conn.exec_driver_sql(statement, rows)
