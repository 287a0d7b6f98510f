"""What the demo's held sessions leave behind: talk titles, notes worth searching, topics,
takeaways and materials. circles.demo calls ``add_knowledge`` once, after every session is in.

Deterministic: each circle draws from its own random stream, so the same seed gives the
same store whatever else the demo does.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from circles.folding import topic_key
from models.tables import AgendaItemTopic, Material, SessionTopic, Takeaway, Topic

Insert = Callable[[Any, list[dict[str, Any]]], None]

SUBTOPICS: dict[str, tuple[str, ...]] = {
    "Rust": ("ownership", "lifetimes", "async runtimes", "traits", "macros", "error handling", "unsafe code"),
    "Python": ("type hints", "packaging", "asyncio", "profiling", "pytest fixtures", "dataclasses"),
    "Kubernetes": ("operators", "helm charts", "autoscaling", "network policies", "rollouts", "probes"),
    "Data Engineering": ("batch pipelines", "streaming", "data contracts", "lakehouse tables", "backfills"),
    "Machine Learning": ("feature stores", "model drift", "evaluation", "fine-tuning", "embeddings"),
    "UX Research": ("usability tests", "interview guides", "journey maps", "survey design", "diary studies"),
    "Accessibility": ("screen readers", "colour contrast", "keyboard navigation", "aria roles", "captions"),
    "Security": ("threat modelling", "secrets management", "supply chain", "phishing drills", "zero trust"),
    "Observability": ("tracing", "structured logs", "SLOs", "alert fatigue", "dashboards"),
    "Testing": ("property-based tests", "contract tests", "flaky tests", "mutation testing", "test pyramids"),
    "Frontend": ("state management", "web components", "bundle size", "server rendering", "CSS layers"),
    "Databases": ("query plans", "indexes", "migrations", "replication", "connection pooling", "vacuum"),
    "Product Discovery": ("opportunity trees", "assumption tests", "customer interviews", "prototypes"),
    "Technical Writing": ("docs as code", "tutorials", "API references", "style guides", "diagrams"),
    "Incident Response": ("postmortems", "on-call handovers", "runbooks", "severity levels", "chaos drills"),
    "Cloud Costs": ("rightsizing", "spot instances", "cost allocation", "storage tiers", "budgets"),
    "Go": ("goroutines", "generics", "error wrapping", "profiling", "modules"),
    "TypeScript": ("strict mode", "generics", "type narrowing", "monorepos", "declaration files"),
    "Statistics": ("A/B tests", "confidence intervals", "bayesian inference", "sampling", "regression"),
    "Leadership": ("feedback", "delegation", "one-on-ones", "hiring loops", "team charters"),
    "Mentoring": ("reverse mentoring", "career ladders", "goal setting", "active listening"),
    "Public Speaking": ("storytelling", "slide design", "stage fright", "lightning talks", "live demos"),
    "Design Systems": ("design tokens", "component libraries", "versioning", "theming", "governance"),
    "API Design": ("pagination", "versioning", "idempotency", "error formats", "rate limits"),
    "Privacy": ("data minimisation", "consent flows", "retention", "pseudonymisation", "DPIAs"),
    "Mobile": ("offline sync", "app size", "push notifications", "release trains", "crash reporting"),
    "Performance": ("flame graphs", "caching", "load tests", "latency budgets", "memory leaks"),
    "Open Source": ("licensing", "maintainer burnout", "first contributions", "governance", "release notes"),
    "Agile Coaching": ("retrospectives", "flow metrics", "team topologies", "estimation", "kanban"),
    "SQL": ("window functions", "CTEs", "query plans", "joins", "indexes"),
}
# The small demo's circles, by name: the topic each is about.
SMALL_TOPICS = {
    "Rust Lunch": "Rust",
    "Data Science Learning Circle": "Statistics",
    "Frontend Guild": "Frontend",
    "Security Workshop Series": "Security",
    "Leadership Reading Circle": "Leadership",
}
ANGLES = (
    "lessons from production",
    "a beginner's guide",
    "what we got wrong",
    "patterns that scale",
    "a live walkthrough",
    "the trade-offs",
    "myths and facts",
    "a case study from our team",
    "tools we use",
    "first steps",
)
POINTS = (
    "measure before you optimise",
    "small changes are easier to review",
    "write the decision down where people will look",
    "automate the boring checks first",
    "start with the user's problem, not the tool",
    "keep the feedback loop short",
    "name things after what they mean to people",
    "make the safe way the easy way",
    "pair on the hard parts",
    "delete what nobody uses",
)
ARTIFACTS = ("slides", "checklist", "example repository", "reading list", "recording", "cheat sheet")
QUESTIONS = (
    "how much of this belongs in the onboarding",
    "who owns it once the project ends",
    "whether the cost is worth it for small teams",
    "how to tell when it is good enough",
    "what to measure first",
)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _topic_of(circle_name: str) -> str:
    if circle_name in SMALL_TOPICS:
        return SMALL_TOPICS[circle_name]
    return max((t for t in SUBTOPICS if circle_name.startswith(t)), key=len, default="Leadership")


OPENINGS = (
    "{who} walked us through {sub} in {topic}, with examples from our own work.",
    "{who} presented {sub}: where it helps in {topic} and where it does not.",
    "Demo by {who} on {sub}; lots of questions from the {topic} newcomers.",
    "{who} shared how their team adopted {sub} over the last quarter.",
    "Discussion led by {who}: is {sub} worth it for a team our size?",
    "{who} live-coded {sub} and broke it twice, on purpose.",
    "Reading group on {sub}, chaired by {who}.",
    "{who} compared notes on {sub} from three {topic} projects.",
)
POINT_LABELS = ("Key point", "Main lesson", "What stuck", "Rule of thumb")
FOLLOW_UPS = (
    "{first} will share the {artifact} on the wiki.",
    "{first} posts the {artifact} in the channel.",
    "next time we try it on a real service; {first} brings the {artifact}.",
)


def _notes(rng: random.Random, topic: str, sub: str, other: str, presenter: str | None) -> str:
    who = presenter or "The group"
    lines = [
        rng.choice(OPENINGS).format(who=who, sub=sub, topic=topic),
        f"{rng.choice(POINT_LABELS)}: {rng.choice(POINTS)}.",
    ]
    if rng.random() < 0.6:
        lines.append(f"We compared {sub} with {other}; most of the room would start with {sub}.")
    if rng.random() < 0.5:
        follow = rng.choice(FOLLOW_UPS).format(first=who.split()[0], artifact=rng.choice(ARTIFACTS))
        lines.append(f"Follow-up: {follow}")
    if rng.random() < 0.4:
        lines.append(f"Open question: {rng.choice(QUESTIONS)}.")
    return "\n".join(lines)


def _takeaways(rng: random.Random, topic: str, sub: str, other: str) -> list[str]:
    choices = [
        f"Start small with {sub}: one service, one week.",
        f"{sub.capitalize()} is easier once {other} is in place.",
        f"{topic}: {rng.choice(POINTS)}.",
        f"Pairing on {sub} taught more than reading about it.",
        f"Write down why we chose {sub}, not only what we did.",
    ]
    return rng.sample(choices, rng.randint(1, 3))


def _materials(
    rng: random.Random, topic: str, sub: str, circle: str, session_id: int
) -> list[dict[str, Any]]:
    options = [
        (
            "slides",
            f"Slides: {sub}",
            f"https://wiki.example.org/{_slug(topic)}/{_slug(sub)}-slides-{session_id}",
        ),
        ("recording", "Recording", f"https://video.example.org/{_slug(circle)}/{session_id}"),
        ("reading", f"Reading: {sub} in practice", f"https://docs.example.org/{_slug(topic)}/{_slug(sub)}"),
        ("code", f"Examples for {sub}", f"https://git.example.org/{_slug(topic)}/{_slug(sub)}-examples"),
    ]
    picked = rng.sample(options, rng.choice((0, 1, 1, 2)))
    return [{"kind": k, "title": t, "url": u} for k, t, u in picked]


# Circles whose sessions are written up at once: the large demo's 300 in one go (so it stays as
# it was), the huge one's 3,000 a tenth at a time, in bounded memory.
CIRCLES_AT_ONCE = 300


def add_knowledge(
    conn: Connection,
    *,
    insert: Insert,
    created_at: Any,
    progress: Callable[[float], None] = lambda _fraction: None,
) -> None:
    """Talk titles, notes, topics, takeaways and materials for every held session."""
    names = sorted({*SUBTOPICS, *(s for subs in SUBTOPICS.values() for s in subs)}, key=topic_key)
    insert(Topic, [{"name": name, "key": topic_key(name)} for name in names])
    by_key = dict(cast(Sequence[tuple[str, int]], conn.execute(sa.text("SELECT key, id FROM topic")).all()))
    topic_ids = {name: by_key[topic_key(name)] for name in names}
    last = conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM circle")).scalar_one()
    for first in range(1, last + 1, CIRCLES_AT_ONCE):
        _write_up(conn, insert, created_at, topic_ids, first, first + CIRCLES_AT_ONCE - 1)
        progress(min(1.0, (first + CIRCLES_AT_ONCE - 1) / last))


def _write_up(
    conn: Connection, insert: Insert, created_at: Any, topic_ids: dict[str, int], first: int, last: int
) -> None:
    """The knowledge of the held sessions of circles ``first`` to ``last`` (ids)."""
    rows = cast(
        Sequence[tuple[int, int, str, str | None, int | None]],
        conn.execute(
            sa.text(
                "SELECT s.id, s.circle_id, c.name, p.name, i.id FROM circle_session s "
                "JOIN circle c ON c.id = s.circle_id LEFT JOIN person p ON p.id = s.presenter_id "
                "LEFT JOIN agenda_item i ON i.session_id = s.id AND i.is_presentation "
                "WHERE s.status = 'held' AND s.circle_id BETWEEN :first AND :last "
                "ORDER BY s.circle_id, s.starts_at, s.id"
            ),
            {"first": first, "last": last},
        ).all(),
    )
    streams: dict[int, random.Random] = {}
    notes, titles, session_topics, item_topics, takeaways, materials = [], [], [], [], [], []
    for session_id, circle_id, circle, presenter, item_id in rows:
        rng = streams.setdefault(circle_id, random.Random(circle_id * 7919))
        topic = _topic_of(circle)
        sub, other = rng.sample(SUBTOPICS[topic], 2)
        notes.append((_notes(rng, topic, sub, other, presenter), session_id))
        session_topics.append({"session_id": session_id, "topic_id": topic_ids[topic]})
        if item_id is not None:
            titles.append((f"{sub.capitalize()}: {rng.choice(ANGLES)}", item_id))
            item_topics.append({"agenda_item_id": item_id, "topic_id": topic_ids[sub]})
        for n, text in enumerate(_takeaways(rng, topic, sub, other), start=1):
            takeaways.append(
                {
                    "session_id": session_id,
                    "position": n,
                    "text": text,
                    "version": 1,
                    "created_at": created_at,
                }
            )
        for n, m in enumerate(_materials(rng, topic, sub, circle, session_id), start=1):
            materials.append(
                {"session_id": session_id, "position": n, **m, "version": 1, "created_at": created_at}
            )
    # Topics before notes: each tag rewrites its session's search document, cheaper while short.
    insert(SessionTopic, session_topics)
    insert(AgendaItemTopic, item_topics)
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    if notes:
        conn.exec_driver_sql(f"UPDATE circle_session SET notes = {mark} WHERE id = {mark}", notes)
    if titles:
        conn.exec_driver_sql(f"UPDATE agenda_item SET title = {mark} WHERE id = {mark}", titles)
    insert(Takeaway, takeaways)
    insert(Material, materials)
