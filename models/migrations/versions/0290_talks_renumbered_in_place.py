"""A presenter's talks are numbered again in place: a write to who presents writes only the talks
whose number changed, and reads only the presenter's own sessions.

Each change to who presents (an agenda item or a session with a presenter added, moved or
removed; a session moved or cancelled) counts its presenters' talks again (migration 0100). The
count deleted all of a presenter's rows in talk and inserted them again, numbers changed or not,
joined to circle_session after gathering them: for the large demo's guest speakers, 692 talks
each, PostgreSQL hashed all 30,900 sessions of the store to find their starts, and every agenda
item naming one wrote 1,384 rows (14 ms on the analysed large store against 1 ms for anyone
else). Each rewrite also left 692 dead rows and 1,384 index entries behind, which the next count
of that person read again until vacuum came by; inside one transaction vacuum never comes.
Loading the large demo's 101,400 agenda items with the triggers on, the index on talk's person
gave 424,446 entries for a guest's 654 live rows, and the count went from 3.5 ms a presented
item to 18 ms (269 s of counting in all, 277 s for the last 31,400 items).

The count is still the definition, from the raw rows: the talks no longer given (the session
gone or cancelled, or the person no longer presenting it nor an item of it) are deleted; the
others are numbered as before and written only when new or when their number changed. An item
added to a session the presenter already gives writes no talk; one added after their other
talks, one. The same load counts in 19 s (27 s for those last items). On the analysed large
store, 60 items for a guest in one transaction: after their other talks (a session being
planned) 5 ms an item against 9-16 ms; among them, renumbering the later ones, 10-12 ms as
before; anyone else 0.8 ms as before.

SQLite keeps 0100's triggers: a row deleted there is gone at once, and no plan hashes the
sessions, so deleting and inserting a guest's 692 talks costs less than reading them twice as
this count does (2.9 ms an item against 5.5 ms on the large demo; anyone else 0.2 ms both ways).

Revision ID: 0290
Revises: 0280
Create Date: 2026-12-04 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0290"
down_revision: str | None = "0280"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Copied from 0100, not imported: a migration stays as it was written.
PERSON_LOCK = 0x63697264
REWRITTEN = """
        DELETE FROM talk WHERE person_id = p;
        INSERT INTO talk (session_id, person_id, number)
SELECT t.session_id, t.person_id,
    row_number() OVER (PARTITION BY t.person_id ORDER BY s.starts_at, s.id)
FROM (
    SELECT presenter_id AS person_id, id AS session_id FROM circle_session
    WHERE presenter_id IS NOT NULL AND presenter_id = p
    UNION
    SELECT presenter_id, session_id FROM agenda_item WHERE presenter_id IS NOT NULL AND presenter_id = p
) t
JOIN circle_session s ON s.id = t.session_id
WHERE s.status <> 'cancelled';
"""

# The talks of person p by 0100's definition, each with its session's start: the sessions they
# present read by the index on presenter with their start, their agenda items' sessions by id.
# 0100's statement joined all the talks to circle_session afterwards, which PostgreSQL made a
# hash of every session of the store (30,900 read for a guest speaker's 692).
GIVEN = """
    SELECT presenter_id AS person_id, id AS session_id, starts_at FROM circle_session
    WHERE presenter_id IS NOT NULL AND presenter_id = p AND status <> 'cancelled'
    UNION
    SELECT i.presenter_id, s.id, s.starts_at FROM agenda_item i JOIN circle_session s ON s.id = i.session_id
    WHERE i.presenter_id IS NOT NULL AND i.presenter_id = p AND s.status <> 'cancelled'
"""
# The same count writing only what changed: the talks no longer given go, the others are
# inserted when new and updated when their number moved.
IN_PLACE = f"""
        DELETE FROM talk WHERE person_id = p
            AND (person_id, session_id) NOT IN (SELECT person_id, session_id FROM ({GIVEN}) g);
        INSERT INTO talk (session_id, person_id, number)
        SELECT session_id, person_id, row_number() OVER (PARTITION BY person_id ORDER BY starts_at, session_id)
        FROM ({GIVEN}) g
        ON CONFLICT (session_id, person_id) DO UPDATE SET number = excluded.number
            WHERE talk.number <> excluded.number;
"""


def _recount(steps: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION circles_talks_recount(p integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock({PERSON_LOCK}, p);
{steps.strip(chr(10))}
    END IF;
END
$$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_recount(IN_PLACE))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_recount(REWRITTEN))
