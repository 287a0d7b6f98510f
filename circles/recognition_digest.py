"""A recognition ledger as a digest: Markdown to paste into a newsletter or chat, or JSON.

The Markdown groups people by what they did (talks, streaks, mentoring, feedback, thanks), by
name, and never lists anyone with nothing. Notes written for a presenter are theirs: the
Markdown, meant for everyone, counts them but never quotes them; the JSON carries them for
the presenter (only where the circle shares notes with presenters).
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache, lru_cache
from typing import Any

from circles.collector import collector_held
from circles.feedback_views import Ledger, Recognised, Talk
from circles.words import count

# Only what can change meaning inside a line: user text never starts one here (lines start
# with "- **"), and chat tools show any other backslash as it is ("Hands\-on").
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


@cache
def md(text: str) -> str:
    """User text made literal in Markdown (a name like 'A_B' stays A_B, not emphasis). Kept
    for the texts a digest repeats (circles, titles, names: a year's has 70,000 of them, of
    20,000 different ones, more than a bounded cache held) until the digest is written."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


@lru_cache(maxsize=512)
def _day(day: date) -> str:
    """'07 Mar': a year's digest formats 20,000 days, of a few hundred."""
    return f"{day:%d %b}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _talk(t: Talk) -> str:
    title = f"“{md(t.title)}”, " if t.title else ""
    # The mark follows the talk it is about: after the whole list, it read as the last one's.
    mark = ""
    if t.milestone == 1:
        mark = " (their first talk ever!)"
    elif t.milestone is not None:
        mark = f" (their {_ordinal(t.number)} talk!)"
    return f"{title}{md(t.circle)}, {_day(t.day)}{mark}"


def _talk_line(r: Recognised, name: str) -> str:
    return f"- **{md(name)}** gave {count(len(r.talks), 'talk')}: " + "; ".join(_talk(t) for t in r.talks)


def _mentoring_line(r: Recognised, name: str) -> str:
    m = r.mentoring
    assert m is not None
    parts = []
    if m.meetings:
        hours = f"{m.hours:.1f}".rstrip("0").rstrip(".")
        # Any pair's meetings (buddy and coffee pairs too), so not "mentoring meetings".
        parts.append(f"met their pairs {count(m.meetings, 'time')} ({hours} h)")
    if m.pairs_completed:
        parts.append(
            f"completed {count(m.pairs_completed, 'mentoring pair')}" + (" as mentor" if m.as_mentor else "")
        )
    return f"- **{md(name)}** " + " and ".join(parts)


def markdown(ledger: Ledger) -> str:
    """The digest as Markdown, for people: sections by what was done, names in order."""
    try:
        with collector_held():  # tens of thousands of lines, none in a cycle (circles/collector.py)
            return _markdown(ledger)
    finally:
        md.cache_clear()  # the texts of one digest are kept for that digest only


def _markdown(ledger: Ledger) -> str:
    where = f" in {md(ledger.circle)}" if ledger.circle else ""
    out = [f"# Thank you{where}: {ledger.period}", ""]
    if not ledger.people:
        out.append("Nothing to recognise in this period yet.")
        return "\n".join(out) + "\n"

    names = ledger.shown_names()  # two Ada Bauers in one newsletter: each with her team

    def who(r: Recognised) -> str:
        return names[r.person_id]

    def section(title: str, lines: list[str]) -> None:
        if lines:
            out.extend([f"## {title}", "", *lines, ""])

    section("Talks", [_talk_line(r, who(r)) for r in ledger.people if r.talks])
    section(
        "Attendance streaks",
        [
            f"- **{md(who(r))}** came to {s.sessions} {md(s.circle)} sessions in a row ({_day(s.day)})"
            for r in ledger.people
            for s in r.streaks
        ],
    )
    section(
        "Mentoring",
        [_mentoring_line(r, who(r)) for r in ledger.people if r.mentoring is not None],
    )
    section(
        "Feedback for presenters",
        [
            f"- **{md(who(r))}**: {count(r.feedback.ratings, 'rating')}, "
            f"{r.feedback.mean:.1f} out of 5 on average"
            + (f", {count(r.feedback.noted, 'note')} for them" if r.feedback.noted else "")
            for r in ledger.people
            if r.feedback is not None and r.feedback.mean is not None
        ],
    )
    section(
        "Thanks",
        [
            f"- **{md(who(r))}**{f' from {md(t.given_by)}' if t.given_by else ''}: {md(t.text)}"
            + (f" ({md(t.session_label)})" if t.session_label else "")
            for r in ledger.people
            for t in r.thanks
        ],
    )
    return "\n".join(out).rstrip("\n") + "\n"


def as_json(ledger: Ledger) -> dict[str, Any]:
    """The digest as data, for scripts and for telling presenters what was written to them."""
    return {
        "since": ledger.since.isoformat() if ledger.since else None,
        "until": ledger.until.isoformat(),
        "circle": ledger.circle,
        "people": [
            {
                "person_id": r.person_id,
                "name": r.name,
                "team": r.team,
                "talks": [
                    {
                        "session_id": t.session_id,
                        "day": t.day.isoformat(),
                        "circle": t.circle,
                        "title": t.title,
                        "number": t.number,
                        "first": t.number == 1,
                        "milestone": t.milestone,
                    }
                    for t in r.talks
                ],
                "streaks": [
                    {"circle": s.circle, "sessions": s.sessions, "day": s.day.isoformat()} for s in r.streaks
                ],
                "mentoring": None
                if r.mentoring is None
                else {
                    "pairs_completed": r.mentoring.pairs_completed,
                    "meetings": r.mentoring.meetings,
                    "hours": round(r.mentoring.hours, 2),
                    "as_mentor": r.mentoring.as_mentor,
                },
                "feedback": None
                if r.feedback is None
                else {
                    "ratings": r.feedback.ratings,
                    "mean": r.feedback.mean,
                    "notes_for_presenter": r.feedback.notes,
                },
                "thanks": [
                    {
                        "from": t.given_by,
                        "for": t.text,
                        "day": t.day.isoformat(),
                        "session_id": t.session_id,
                        "session": t.session_label,
                    }
                    for t in r.thanks
                ],
            }
            for r in ledger.people
        ],
    }
