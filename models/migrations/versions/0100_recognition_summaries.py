"""Recognition's summaries kept by the store: attendance streak milestones, talk numbers and each
session's ratings, the people it expected and who answered, so Recognition and Organisation
read them instead of counting every time.

Counted when asked, a month of Recognition ran about 200,000 attendance rows of the large demo
through window functions (streaks), numbered every talk its presenters ever gave (talks) and
summed every answer of the period (feedback), a year several times that. Three tables now hold
the results, and triggers keep them right on every write, whatever makes it (the app, the CLI,
imports, plain SQL):

- streak_milestone: every (session, person) at which a streak in the session's circle reached
  5, 10 or 25 held sessions in a row. A person's attendance added, changed or removed counts
  that person in that circle again; a session added (before a later one someone came to),
  cancelled or uncancelled, moved, moved to another circle or deleted counts its circle again,
  since each changes every later streak of the circle.
- talk: every (session, person) someone presented (the session or an agenda item of it, the
  session not cancelled), numbered over all their talks in order of start. A change to who
  presents, or to a session's time or cancellation, numbers its presenters' talks again.
- session_feedback: per session, how many ratings, their sum and how many of each 1..5. An
  answer added, changed or removed counts its session again.
- session_expected: per session, the members it expected (membership covering its start) by
  effective RSVP and how it went (came, excused, missed). A membership added, changed or ended
  counts its circle's sessions again; attendance or a session's time, its session.
- session_responses: per session, who came (walk-ins too) and how many of them answered the
  feedback. Attendance or a feedback response added, changed or removed counts its session.

Every count is the summary of one circle, person or session recomputed from the raw rows,
deleted and inserted again: the definition itself, never an increment that could drift. Bulk
loads turn the triggers off and count everything once after (models/summaries.py, with the same
statements). The streak milestones (5, 10, 25) are frozen here; changing them is a migration.

Also an index on the answers that carry a note for the presenter (a tenth of them), which
Recognition lists.

Revision ID: 0100
Revises: 0090
Create Date: 2026-11-30 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0100"
down_revision: str | None = "0090"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CAME = "('present', 'late')"
NOTES_INDEX = "ix_feedback_answer_notes"

# -- what each summary is, from the raw rows ------------------------------------------------------

# Milestones among the held sessions (``sessions``: a condition on circle_session) and the
# attendance (``people``: on attendance ``a``) given. Each circle's held (not cancelled)
# sessions numbered in order (n); for the sessions a person came to, n minus their own running
# count is the same all along a run (gaps and islands); the place in the run is its length.
MILESTONES = """
INSERT INTO streak_milestone (session_id, person_id, circle_id, sessions)
SELECT session_id, person_id, circle_id, sessions FROM (
    SELECT session_id, person_id, circle_id,
        row_number() OVER (PARTITION BY circle_id, person_id, run ORDER BY n) AS sessions
    FROM (
        SELECT a.session_id, a.person_id, h.circle_id, h.n,
            h.n - row_number() OVER (PARTITION BY h.circle_id, a.person_id ORDER BY h.n) AS run
        FROM attendance a
        JOIN (
            SELECT id, circle_id, row_number() OVER (PARTITION BY circle_id ORDER BY starts_at, id) AS n
            FROM circle_session WHERE status <> 'cancelled'{sessions}
        ) h ON h.id = a.session_id
        WHERE a.attended IN ('present', 'late'){people}
    ) runs
) lengths
WHERE sessions IN (5, 10, 25)
"""

# The talks of the presenters ``who`` (a condition on a presenter_id), numbered.
TALKS = """
INSERT INTO talk (session_id, person_id, number)
SELECT t.session_id, t.person_id,
    row_number() OVER (PARTITION BY t.person_id ORDER BY s.starts_at, s.id)
FROM (
    SELECT presenter_id AS person_id, id AS session_id FROM circle_session
    WHERE presenter_id IS NOT NULL{who}
    UNION
    SELECT presenter_id, session_id FROM agenda_item WHERE presenter_id IS NOT NULL{who}
) t
JOIN circle_session s ON s.id = t.session_id
WHERE s.status <> 'cancelled'
"""

# The ratings of the sessions ``which`` (a condition on feedback_answer's session_id).
RATINGS = """
INSERT INTO session_feedback (session_id, ratings, rating_sum, rated_1, rated_2, rated_3, rated_4, rated_5)
SELECT session_id, count(*), sum(rating),
    sum(CASE WHEN rating = 1 THEN 1 ELSE 0 END), sum(CASE WHEN rating = 2 THEN 1 ELSE 0 END),
    sum(CASE WHEN rating = 3 THEN 1 ELSE 0 END), sum(CASE WHEN rating = 4 THEN 1 ELSE 0 END),
    sum(CASE WHEN rating = 5 THEN 1 ELSE 0 END)
FROM feedback_answer WHERE true{which}
GROUP BY session_id
"""


# The people expected at the sessions ``which`` (a condition on circle_session ``s``): members
# whose membership covered the session's start, counted by effective RSVP (the session's own
# answer unless 'none', else the series answer) and how it went (came, excused, missed).
EXPECTED = """
INSERT INTO session_expected (session_id, answer, how, people)
SELECT s.id,
    CASE WHEN a.rsvp IS NOT NULL AND a.rsvp <> 'none' THEN a.rsvp ELSE m.default_rsvp END,
    CASE WHEN a.attended IN ('present', 'late') THEN 'came' WHEN a.attended = 'excused' THEN 'excused'
        ELSE 'missed' END,
    count(*)
FROM circle_session s
JOIN membership m ON m.circle_id = s.circle_id AND m.joined_at <= s.starts_at
    AND (m.left_at IS NULL OR m.left_at > s.starts_at)
LEFT JOIN attendance a ON a.session_id = s.id AND a.person_id = m.person_id
WHERE true{which}
GROUP BY 1, 2, 3
"""


# The people who came to the sessions ``which`` (a condition on attendance ``a``), walk-ins
# too, and how many of them said they answered the feedback.
RESPONSES = """
INSERT INTO session_responses (session_id, attendees, responders)
SELECT a.session_id, count(*), count(r.id)
FROM attendance a
LEFT JOIN feedback_response r ON r.session_id = a.session_id AND r.person_id = a.person_id
WHERE a.attended IN ('present', 'late'){which}
GROUP BY a.session_id
"""


def _streaks(circle: str, person: str | None = None) -> list[str]:
    """Statements counting again the milestones of ``circle`` (SQL), of ``person`` if given."""
    who = f" AND person_id = {person}" if person else ""
    people = f" AND a.person_id = {person}" if person else ""
    return [
        f"DELETE FROM streak_milestone WHERE circle_id = {circle}{who}",
        MILESTONES.format(sessions=f" AND circle_id = {circle}", people=people).strip(),
    ]


def _talks(who: str) -> list[str]:
    """Statements numbering again the talks of the people ``who`` (SQL: '= x' or 'IN (...)')."""
    return [f"DELETE FROM talk WHERE person_id {who}", TALKS.format(who=f" AND presenter_id {who}").strip()]


def _ratings(session: str) -> list[str]:
    return [
        f"DELETE FROM session_feedback WHERE session_id = {session}",
        RATINGS.format(which=f" AND session_id = {session}").strip(),
    ]


def _expected(session: str) -> list[str]:
    return [
        f"DELETE FROM session_expected WHERE session_id = {session}",
        EXPECTED.format(which=f" AND s.id = {session}").strip(),
    ]


def _expected_in(circle: str) -> list[str]:
    return [
        "DELETE FROM session_expected WHERE session_id IN "
        f"(SELECT id FROM circle_session WHERE circle_id = {circle})",
        EXPECTED.format(which=f" AND s.circle_id = {circle}").strip(),
    ]


def _responses(session: str) -> list[str]:
    return [
        f"DELETE FROM session_responses WHERE session_id = {session}",
        RESPONSES.format(which=f" AND a.session_id = {session}").strip(),
    ]


def _circle_of(row: str) -> str:
    return f"(SELECT circle_id FROM circle_session WHERE id = {row}.session_id)"


def _agenda_presenters(session: str) -> str:
    return f"IN (SELECT presenter_id FROM agenda_item WHERE session_id = {session})"


# -- when ------------------------------------------------------------------------------------------

# A session added before a later one somebody came to (or at its time): only then does it
# change a streak. A session added after the others, as most are, costs one look.
_LATER_CAME = (
    "EXISTS (SELECT 1 FROM circle_session l JOIN attendance a ON a.session_id = l.id "
    "WHERE l.circle_id = NEW.circle_id AND l.starts_at >= NEW.starts_at AND l.id <> NEW.id "
    f"AND a.attended IN {CAME})"
)
# A change to a session that moves streaks and talk numbers: its time, or cancelled or not.
_MOVED = "NEW.starts_at <> OLD.starts_at OR (NEW.status = 'cancelled') <> (OLD.status = 'cancelled')"

# SQLite: (name, event, condition, statements).
SQLITE_TRIGGERS = (
    (
        "summary_streaks_attendance_insert",
        "INSERT ON attendance",
        f"NEW.attended IN {CAME}",
        _streaks(_circle_of("NEW"), "NEW.person_id"),
    ),
    (
        "summary_streaks_attendance_delete",
        "DELETE ON attendance",
        f"OLD.attended IN {CAME}",
        _streaks(_circle_of("OLD"), "OLD.person_id"),
    ),
    (
        "summary_streaks_attendance_update",
        "UPDATE OF attended, session_id, person_id ON attendance",
        f"OLD.attended IN {CAME} OR NEW.attended IN {CAME}",
        _streaks(_circle_of("OLD"), "OLD.person_id") + _streaks(_circle_of("NEW"), "NEW.person_id"),
    ),
    (
        "summary_streaks_session_insert",
        "INSERT ON circle_session",
        f"NEW.status <> 'cancelled' AND {_LATER_CAME}",
        _streaks("NEW.circle_id"),
    ),
    (
        "summary_streaks_session_delete",
        "DELETE ON circle_session",
        "OLD.status <> 'cancelled'",
        _streaks("OLD.circle_id"),
    ),
    (
        "summary_streaks_session_update",
        "UPDATE OF starts_at, status, circle_id ON circle_session",
        f"{_MOVED} OR NEW.circle_id <> OLD.circle_id",
        _streaks("OLD.circle_id") + _streaks("NEW.circle_id"),
    ),
    (
        "summary_talks_session_insert",
        "INSERT ON circle_session",
        "NEW.presenter_id IS NOT NULL AND NEW.status <> 'cancelled'",
        _talks("= NEW.presenter_id"),
    ),
    (
        "summary_talks_session_delete",
        "DELETE ON circle_session",
        "true",
        _talks("= OLD.presenter_id") + _talks(_agenda_presenters("OLD.id")),
    ),
    (
        "summary_talks_session_update",
        "UPDATE OF presenter_id, starts_at, status ON circle_session",
        f"NEW.presenter_id IS NOT OLD.presenter_id OR {_MOVED}",
        _talks("= OLD.presenter_id") + _talks("= NEW.presenter_id") + _talks(_agenda_presenters("NEW.id")),
    ),
    (
        "summary_talks_agenda_insert",
        "INSERT ON agenda_item",
        "NEW.presenter_id IS NOT NULL",
        _talks("= NEW.presenter_id"),
    ),
    (
        "summary_talks_agenda_delete",
        "DELETE ON agenda_item",
        "OLD.presenter_id IS NOT NULL",
        _talks("= OLD.presenter_id"),
    ),
    (
        "summary_talks_agenda_update",
        "UPDATE OF presenter_id, session_id ON agenda_item",
        "NEW.presenter_id IS NOT OLD.presenter_id OR NEW.session_id <> OLD.session_id",
        _talks("= OLD.presenter_id") + _talks("= NEW.presenter_id"),
    ),
    ("summary_ratings_insert", "INSERT ON feedback_answer", "true", _ratings("NEW.session_id")),
    ("summary_ratings_delete", "DELETE ON feedback_answer", "true", _ratings("OLD.session_id")),
    (
        "summary_ratings_update",
        "UPDATE OF rating, session_id ON feedback_answer",
        "true",
        _ratings("OLD.session_id") + _ratings("NEW.session_id"),
    ),
    (
        "summary_expected_attendance_insert",
        "INSERT ON attendance",
        "true",
        _expected("NEW.session_id"),
    ),
    ("summary_expected_attendance_delete", "DELETE ON attendance", "true", _expected("OLD.session_id")),
    (
        "summary_expected_attendance_update",
        "UPDATE OF rsvp, attended, session_id, person_id ON attendance",
        "true",
        _expected("OLD.session_id") + _expected("NEW.session_id"),
    ),
    ("summary_expected_session_insert", "INSERT ON circle_session", "true", _expected("NEW.id")),
    (
        "summary_expected_session_update",
        "UPDATE OF starts_at, circle_id ON circle_session",
        "true",
        _expected("NEW.id"),
    ),
    (
        "summary_expected_membership_insert",
        "INSERT ON membership",
        "true",
        _expected_in("NEW.circle_id"),
    ),
    (
        "summary_expected_membership_delete",
        "DELETE ON membership",
        "true",
        _expected_in("OLD.circle_id"),
    ),
    (
        "summary_expected_membership_update",
        "UPDATE OF circle_id, person_id, joined_at, left_at, default_rsvp ON membership",
        "true",
        _expected_in("OLD.circle_id") + _expected_in("NEW.circle_id"),
    ),
    (
        "summary_responses_attendance_insert",
        "INSERT ON attendance",
        f"NEW.attended IN {CAME}",
        _responses("NEW.session_id"),
    ),
    (
        "summary_responses_attendance_delete",
        "DELETE ON attendance",
        f"OLD.attended IN {CAME}",
        _responses("OLD.session_id"),
    ),
    (
        "summary_responses_attendance_update",
        "UPDATE OF attended, session_id, person_id ON attendance",
        f"OLD.attended IN {CAME} OR NEW.attended IN {CAME}",
        _responses("OLD.session_id") + _responses("NEW.session_id"),
    ),
    ("summary_responses_insert", "INSERT ON feedback_response", "true", _responses("NEW.session_id")),
    ("summary_responses_delete", "DELETE ON feedback_response", "true", _responses("OLD.session_id")),
    (
        "summary_responses_update",
        "UPDATE OF session_id, person_id ON feedback_response",
        "true",
        _responses("OLD.session_id") + _responses("NEW.session_id"),
    ),
    (
        "summary_ratings_session_delete",
        "DELETE ON circle_session",
        "true",
        [
            "DELETE FROM session_feedback WHERE session_id = OLD.id",
            "DELETE FROM session_expected WHERE session_id = OLD.id",
            "DELETE FROM session_responses WHERE session_id = OLD.id",
        ],
    ),
)


def _steps(statements: list[str]) -> str:
    return "".join(f"        {s};\n" for s in statements)


POSTGRES_FUNCTIONS = f"""
CREATE FUNCTION circles_streaks_recount(c integer, p integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF c IS NULL THEN
        RETURN;
    ELSIF p IS NULL THEN
{_steps(_streaks("c"))}    ELSE
{_steps(_streaks("c", "p"))}    END IF;
END
$$;

CREATE FUNCTION circles_talks_recount(p integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p IS NOT NULL THEN
{_steps(_talks("= p"))}    END IF;
END
$$;

CREATE FUNCTION circles_ratings_recount(s integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
{_steps(_ratings("s"))}END
$$;

CREATE FUNCTION circles_expected_recount(sid integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
{_steps(_expected("sid"))}END
$$;

CREATE FUNCTION circles_expected_recount_circle(cid integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
{_steps(_expected_in("cid"))}END
$$;

CREATE FUNCTION circles_responses_recount(sid integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
{_steps(_responses("sid"))}END
$$;

CREATE FUNCTION circles_summary_feedback_response() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM circles_responses_recount(OLD.session_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM circles_responses_recount(NEW.session_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION circles_summary_attendance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM circles_expected_recount(OLD.session_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM circles_expected_recount(NEW.session_id);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.attended IS NOT DISTINCT FROM OLD.attended AND NEW.session_id = OLD.session_id
            AND NEW.person_id = OLD.person_id THEN
        RETURN NULL;  -- an RSVP: no streak changes
    END IF;
    IF TG_OP <> 'INSERT' AND (OLD.attended IN {CAME} OR (TG_OP = 'UPDATE' AND NEW.attended IN {CAME})) THEN
        PERFORM circles_streaks_recount({_circle_of("OLD")}, OLD.person_id);
        PERFORM circles_responses_recount(OLD.session_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (NEW.attended IN {CAME} OR (TG_OP = 'UPDATE' AND OLD.attended IN {CAME})) THEN
        PERFORM circles_streaks_recount({_circle_of("NEW")}, NEW.person_id);
        PERFORM circles_responses_recount(NEW.session_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION circles_summary_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'cancelled' AND {_LATER_CAME} THEN
            PERFORM circles_streaks_recount(NEW.circle_id, NULL);
        END IF;
        IF NEW.status <> 'cancelled' THEN
            PERFORM circles_talks_recount(NEW.presenter_id);
        END IF;
        PERFORM circles_expected_recount(NEW.id);
    ELSIF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'cancelled' THEN
            PERFORM circles_streaks_recount(OLD.circle_id, NULL);
        END IF;
        PERFORM circles_talks_recount(OLD.presenter_id);
        PERFORM circles_talks_recount(presenter_id) FROM agenda_item WHERE session_id = OLD.id;
        DELETE FROM session_feedback WHERE session_id = OLD.id;
        DELETE FROM session_expected WHERE session_id = OLD.id;
        DELETE FROM session_responses WHERE session_id = OLD.id;
    ELSE
        IF NEW.starts_at <> OLD.starts_at OR NEW.circle_id <> OLD.circle_id THEN
            PERFORM circles_expected_recount(NEW.id);
        END IF;
        IF {_MOVED} OR NEW.circle_id <> OLD.circle_id THEN
            PERFORM circles_streaks_recount(OLD.circle_id, NULL);
            IF NEW.circle_id <> OLD.circle_id THEN
                PERFORM circles_streaks_recount(NEW.circle_id, NULL);
            END IF;
        END IF;
        IF NEW.presenter_id IS DISTINCT FROM OLD.presenter_id OR {_MOVED} THEN
            PERFORM circles_talks_recount(OLD.presenter_id);
            PERFORM circles_talks_recount(NEW.presenter_id);
            PERFORM circles_talks_recount(presenter_id) FROM agenda_item WHERE session_id = NEW.id;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION circles_summary_membership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM circles_expected_recount_circle(OLD.circle_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.circle_id <> OLD.circle_id) THEN
        PERFORM circles_expected_recount_circle(NEW.circle_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION circles_summary_agenda_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM circles_talks_recount(OLD.presenter_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM circles_talks_recount(NEW.presenter_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION circles_summary_feedback_answer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM circles_ratings_recount(OLD.session_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM circles_ratings_recount(NEW.session_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER summary_attendance AFTER INSERT OR DELETE OR UPDATE OF rsvp, attended, session_id, person_id
    ON attendance FOR EACH ROW EXECUTE FUNCTION circles_summary_attendance();

CREATE TRIGGER summary_session AFTER INSERT OR DELETE OR UPDATE OF starts_at, status, circle_id, presenter_id
    ON circle_session FOR EACH ROW EXECUTE FUNCTION circles_summary_session();

CREATE TRIGGER summary_membership AFTER INSERT OR DELETE
    OR UPDATE OF circle_id, person_id, joined_at, left_at, default_rsvp
    ON membership FOR EACH ROW EXECUTE FUNCTION circles_summary_membership();

CREATE TRIGGER summary_feedback_response AFTER INSERT OR DELETE OR UPDATE OF session_id, person_id
    ON feedback_response FOR EACH ROW EXECUTE FUNCTION circles_summary_feedback_response();

CREATE TRIGGER summary_agenda_item AFTER INSERT OR DELETE OR UPDATE OF presenter_id, session_id
    ON agenda_item FOR EACH ROW EXECUTE FUNCTION circles_summary_agenda_item();

CREATE TRIGGER summary_feedback_answer AFTER INSERT OR DELETE OR UPDATE OF rating, session_id
    ON feedback_answer FOR EACH ROW EXECUTE FUNCTION circles_summary_feedback_answer();
"""
POSTGRES_TRIGGERS = {
    "summary_attendance": ("attendance", "circles_summary_attendance"),
    "summary_session": ("circle_session", "circles_summary_session"),
    "summary_membership": ("membership", "circles_summary_membership"),
    "summary_agenda_item": ("agenda_item", "circles_summary_agenda_item"),
    "summary_feedback_answer": ("feedback_answer", "circles_summary_feedback_answer"),
    "summary_feedback_response": ("feedback_response", "circles_summary_feedback_response"),
}
POSTGRES_RECOUNTS = (
    "circles_streaks_recount(integer, integer)",
    "circles_talks_recount(integer)",
    "circles_ratings_recount(integer)",
    "circles_expected_recount(integer)",
    "circles_expected_recount_circle(integer)",
    "circles_responses_recount(integer)",
)


def upgrade() -> None:
    op.create_table(
        "streak_milestone",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "person_id", name=op.f("pk_streak_milestone")),
    )
    op.create_index("ix_streak_milestone_circle_person", "streak_milestone", ["circle_id", "person_id"])
    op.create_table(
        "talk",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "person_id", name=op.f("pk_talk")),
    )
    op.create_index("ix_talk_person_id", "talk", ["person_id"])
    op.create_table(
        "session_feedback",
        sa.Column("session_id", sa.Integer(), autoincrement=False, nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in ("ratings", "rating_sum", "rated_1", "rated_2", "rated_3", "rated_4", "rated_5")
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_feedback")),
    )
    op.create_table(
        "session_expected",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=13), nullable=False),
        sa.Column("how", sa.String(length=8), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "answer", "how", name=op.f("pk_session_expected")),
    )
    op.create_table(
        "session_responses",
        sa.Column("session_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.Column("responders", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_responses")),
    )
    where = sa.text("for_presenter <> ''")
    op.create_index(
        NOTES_INDEX, "feedback_answer", ["session_id"], sqlite_where=where, postgresql_where=where
    )
    op.execute(MILESTONES.format(sessions="", people=""))
    op.execute(TALKS.format(who=""))
    op.execute(RATINGS.format(which=""))
    op.execute(EXPECTED.format(which=""))
    op.execute(RESPONSES.format(which=""))
    if op.get_bind().dialect.name == "postgresql":
        # Statistics for the planner now, not when autovacuum comes by: without them the first
        # screens plan these tables as empty.
        op.execute("ANALYZE streak_milestone, talk, session_feedback, session_expected, session_responses")
        op.execute(POSTGRES_FUNCTIONS)
        return
    for name, event, condition, statements in SQLITE_TRIGGERS:
        body = "".join(f"    {s};\n" for s in statements)
        op.execute(f"CREATE TRIGGER {name} AFTER {event} FOR EACH ROW WHEN {condition}\nBEGIN\n{body}END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, (table, function) in POSTGRES_TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
        for function in POSTGRES_RECOUNTS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
    else:
        for name, *_ in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index(NOTES_INDEX, table_name="feedback_answer")
    op.drop_table("session_responses")
    op.drop_table("session_expected")
    op.drop_table("session_feedback")
    op.drop_index("ix_talk_person_id", table_name="talk")
    op.drop_table("talk")
    op.drop_index("ix_streak_milestone_circle_person", table_name="streak_milestone")
    op.drop_table("streak_milestone")
