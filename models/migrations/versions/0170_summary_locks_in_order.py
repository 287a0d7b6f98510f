"""PostgreSQL: a change to a row takes the summaries' locks in one order, so two writes at once
no longer deadlock on them.

The recounts of migration 0100 each lock the circle or person they count (advisory locks held to
the end of the transaction), one after another in the order the trigger reaches them: moving a
session locks its circle, then the talks of everyone on its agenda, in the order of the agenda's
rows. Two sessions moved at once whose agendas name the same two people in opposite orders each
held one person's lock and waited for the other's, and PostgreSQL cancelled one of the writes
("deadlock detected"); a session added with a presenter (person, then circle) against one
rescheduled (circle, then person) could do the same.

A BEFORE trigger on each table the summaries watch now takes, in one go, every lock the
recounts of that row's change will take: circles first, then people, each by id. The recounts
take them again (a lock already held is not waited for). Which locks is what the AFTER triggers
of 0100 decide, condition by condition, so no write waits for more than it did.

What this cannot order is one transaction's several changes (one statement over many rows, or
many statements): each row's locks come in order, but the rows come in the order written.

SQLite has one writer at a time and no such locks: nothing changes there. The BEFORE triggers
are named summary_locks_*, so a bulk load that turns the summaries' triggers off
(models/summaries.py) turns these off with them.

Revision ID: 0170
Revises: 0130
Create Date: 2026-11-30 10:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0170"
down_revision: str | None = "0130"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Copied from 0100, not imported: a migration stays as it was written.
CIRCLE_LOCK, PERSON_LOCK = 0x63697263, 0x63697264
# 0100's "a session moved" (streaks and talk numbers change): its time, or cancelled or not.
MOVED = "NEW.starts_at <> OLD.starts_at OR (NEW.status = 'cancelled') <> (OLD.status = 'cancelled')"
CIRCLE_OF_OLD = "(SELECT circle_id FROM circle_session WHERE id = OLD.session_id)"
CIRCLE_OF_NEW = "(SELECT circle_id FROM circle_session WHERE id = NEW.session_id)"

FUNCTION = f"""
CREATE FUNCTION circles_summary_locks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    circles integer[] := '{{}}';
    people integer[] := '{{}}';
    lock_class integer;
    lock_key integer;
BEGIN
    IF TG_TABLE_NAME = 'circle_session' THEN
        IF TG_OP = 'INSERT' THEN
            circles := ARRAY[NEW.circle_id];
            IF NEW.status <> 'cancelled' THEN
                people := ARRAY[NEW.presenter_id];
            END IF;
        ELSIF TG_OP = 'DELETE' THEN
            IF OLD.status <> 'cancelled' THEN
                circles := ARRAY[OLD.circle_id];
            END IF;
            people := ARRAY[OLD.presenter_id] || ARRAY(SELECT presenter_id FROM agenda_item WHERE session_id = OLD.id);
        ELSE
            IF NEW.starts_at <> OLD.starts_at OR NEW.circle_id <> OLD.circle_id THEN
                circles := ARRAY[NEW.circle_id];
            END IF;
            IF {MOVED} OR NEW.circle_id <> OLD.circle_id THEN
                circles := circles || ARRAY[OLD.circle_id, NEW.circle_id];
            END IF;
            IF NEW.presenter_id IS DISTINCT FROM OLD.presenter_id OR {MOVED} THEN
                people := ARRAY[OLD.presenter_id, NEW.presenter_id]
                    || ARRAY(SELECT presenter_id FROM agenda_item WHERE session_id = NEW.id);
            END IF;
        END IF;
    ELSIF TG_TABLE_NAME = 'agenda_item' THEN
        IF TG_OP <> 'INSERT' THEN
            people := people || OLD.presenter_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            people := people || NEW.presenter_id;
        END IF;
    ELSIF TG_TABLE_NAME = 'membership' THEN
        IF TG_OP <> 'INSERT' THEN
            circles := circles || OLD.circle_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            circles := circles || NEW.circle_id;
        END IF;
    ELSE  -- attendance, feedback_answer, feedback_response: the circle of the session
        IF TG_OP <> 'INSERT' THEN
            circles := circles || {CIRCLE_OF_OLD};
        END IF;
        IF TG_OP <> 'DELETE' THEN
            circles := circles || {CIRCLE_OF_NEW};
        END IF;
    END IF;
    FOR lock_class, lock_key IN
        SELECT DISTINCT k.lock_class, k.lock_key FROM (
            SELECT {CIRCLE_LOCK} AS lock_class, unnest(circles) AS lock_key
            UNION ALL
            SELECT {PERSON_LOCK}, unnest(people)
        ) k
        WHERE k.lock_key IS NOT NULL
        ORDER BY k.lock_class, k.lock_key
    LOOP
        PERFORM pg_advisory_xact_lock(lock_class, lock_key);
    END LOOP;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
"""
# Each table and the changes 0100's trigger on it counts again (the same events).
TRIGGERS = {
    "attendance": "INSERT OR DELETE OR UPDATE OF rsvp, attended, session_id, person_id",
    "circle_session": "INSERT OR DELETE OR UPDATE OF starts_at, status, circle_id, presenter_id",
    "membership": "INSERT OR DELETE OR UPDATE OF circle_id, person_id, joined_at, left_at, default_rsvp",
    "feedback_response": "INSERT OR DELETE OR UPDATE OF session_id, person_id",
    "agenda_item": "INSERT OR DELETE OR UPDATE OF presenter_id, session_id",
    "feedback_answer": "INSERT OR DELETE OR UPDATE OF rating, session_id",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    for table, events in TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER summary_locks_{table} BEFORE {events} ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION circles_summary_locks()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS summary_locks_{table} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS circles_summary_locks()")
