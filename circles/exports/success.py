"""The report's success figures as JSON-ready data and as XLSX sheets (one sheet per table).

The Learned sheet holds what people wrote, without names; like every text cell it is made
spreadsheet-safe by the XLSX writer (a line starting with = stays text).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from circles.exports.writers import Sheet
from circles.services.reports import Report
from circles.success_views import DEFINITIONS, SuccessReport, Trend


def _trend(t: Trend) -> dict[str, Any]:
    return {
        "points": [{"period": p.period, "value": p.value, "count": p.count} for p in t.points],
        "change": t.change,
    }


def success_json(s: SuccessReport) -> dict[str, Any]:
    """Every success figure with its parts, so a script can check the arithmetic."""
    sat = s.satisfaction
    yes = s.said_yes
    return {
        "participation": {"rate": s.participation_rate, "attended": s.attended, "expected": s.expected},
        "participation_trend": _trend(s.participation_trend),
        "conversion": {
            "rate": yes.rate if yes else None,
            "said_yes": yes.answered if yes else 0,
            "came": yes.attended if yes else 0,
        },
        "no_shows": {
            "rate": s.no_shows.rate,
            "no_shows": s.no_shows.no_shows,
            "said_yes": s.no_shows.said_yes,
        },
        "retention": [
            {"months": r.months, "members": r.members, "still_attending": r.still_attending, "rate": r.rate}
            for r in s.retention
        ],
        "presenter_diversity": {
            "share": s.presenters.share,
            "presented": s.presenters.presented,
            "members": s.presenters.members,
        },
        "satisfaction": {
            "mean": sat.mean,
            "ratings": sat.ratings,
            "distribution": dict(zip(("1", "2", "3", "4", "5"), sat.distribution, strict=True)),
            "response_rate": sat.response_rate,
            "responders": sat.responders,
            "attendees": sat.attendees,
        },
        "satisfaction_trend": _trend(s.satisfaction_trend),
        "mentoring": None
        if s.mentoring is None
        else {
            "pairs_active": s.mentoring.pairs_active,
            "meetings_held": s.mentoring.meetings_held,
            "meetings_planned": s.mentoring.meetings_planned,
            "held_share": s.mentoring.held_share,
            "completed": s.mentoring.completed,
            "ended_early": s.mentoring.ended_early,
            "completion": s.mentoring.completion,
            "programmes": [
                {
                    "programme": p.programme,
                    "kind": p.kind,
                    "pairs_active": p.pairs_active,
                    "meetings_held": p.meetings_held,
                    "meetings_planned": p.meetings_planned,
                    "completed": p.completed,
                    "ended_early": p.ended_early,
                }
                for p in s.mentoring.programmes
            ],
        },
        "circles": [
            {
                "circle": c.circle,
                "sessions": c.sessions,
                "participation": c.participation,
                "presenter_share": c.presenter_share,
                "mean_rating": c.mean_rating,
                "ratings": c.ratings,
                "response_rate": c.response_rate,
            }
            for c in s.circles
        ],
        "definitions": {key: text for key, (_label, text) in DEFINITIONS.items()},
    }


def _sheet(name: str, header: Sequence[str], rows: list[Sequence[Any]]) -> Sheet:
    return Sheet.of_rows(name, header, rows)


def success_sheets(
    report: Report, s: SuccessReport, learned: Sequence[tuple[date, str, str, int, str]] = ()
) -> list[Sheet]:
    """The whole report as sheets: a summary of the figures, then one sheet per table."""
    sat, yes = s.satisfaction, s.said_yes
    summary: list[Sequence[Any]] = [
        (
            "Participation",
            s.participation_rate,
            f"{s.attended} of {s.expected} expected came",
            DEFINITIONS["participation"][1],
        ),
        (
            "Participation change",
            s.participation_trend.change,
            "later half of the expected attendances minus earlier half",
            DEFINITIONS["participation_trend"][1],
        ),
        (
            "RSVP yes to attendance",
            yes.rate if yes else None,
            f"{yes.attended if yes else 0} of {yes.answered if yes else 0} who said yes came",
            DEFINITIONS["conversion"][1],
        ),
        (
            "No-shows",
            s.no_shows.rate,
            f"{s.no_shows.no_shows} of {s.no_shows.said_yes} who said yes",
            DEFINITIONS["no_shows"][1],
        ),
        *(
            (
                f"Retention after {r.months} months",
                r.rate,
                f"{r.still_attending} of {r.members} members",
                DEFINITIONS["retention"][1],
            )
            for r in s.retention
        ),
        (
            "Presenter diversity",
            s.presenters.share,
            f"{s.presenters.presented} of {s.presenters.members} members presented",
            DEFINITIONS["presenter_diversity"][1],
        ),
        ("Satisfaction (mean rating)", sat.mean, f"{sat.ratings} ratings", DEFINITIONS["satisfaction"][1]),
        (
            "Response rate",
            sat.response_rate,
            f"{sat.responders} of {sat.attendees} who came answered",
            DEFINITIONS["response_rate"][1],
        ),
        (
            "Satisfaction change",
            s.satisfaction_trend.change,
            "later half of the ratings minus earlier half",
            DEFINITIONS["satisfaction_trend"][1],
        ),
    ]
    if s.mentoring is not None:
        m = s.mentoring
        summary += [
            ("Pairs active", m.pairs_active, "", DEFINITIONS["pairs_active"][1]),
            (
                "Meetings held of planned",
                m.held_share,
                f"{m.meetings_held} of {m.meetings_planned}",
                DEFINITIONS["meetings"][1],
            ),
            (
                "Completion",
                m.completion,
                f"{m.completed} of {m.completed + m.ended_early} that ended",
                DEFINITIONS["completion"][1],
            ),
        ]
    sheets = [
        _sheet("Summary", ("Figure", "Value", "Made of", "Definition"), summary),
        _sheet(
            "Participation",
            ("Period", "Sessions", "Expected", "Attended", "Rate"),
            [(p.period, p.sessions, p.expected, p.attended, p.rate) for p in report.participation],
        ),
        _sheet(
            "RSVP",
            ("Answer", "Expected with this answer", "Came", "Rate"),
            [(c.rsvp.value, c.answered, c.attended, c.rate) for c in s.conversion],
        ),
        _sheet(
            "Retention (sessions)",
            ("After N sessions", "Members", "Still attending", "Rate"),
            [(r.after, r.members, r.still_attending, r.rate) for r in report.retention],
        ),
        _sheet(
            "Retention (months)",
            ("After N months", "Members", "Still attending", "Rate"),
            [(r.months, r.members, r.still_attending, r.rate) for r in s.retention],
        ),
        _sheet(
            "Satisfaction",
            ("Month", "Ratings", "Mean rating"),
            [(p.period, p.count, p.value) for p in s.satisfaction_trend.points],
        ),
        _sheet(
            "Circles",
            (
                "Circle",
                "Sessions",
                "Expected",
                "Attended",
                "Participation",
                "Members",
                "Presented",
                "Presenter share",
                "Ratings",
                "Mean rating",
                "Came",
                "Answered",
                "Response rate",
            ),
            [
                (
                    c.circle,
                    c.sessions,
                    c.expected,
                    c.attended,
                    c.participation,
                    c.members,
                    c.presenters,
                    c.presenter_share,
                    c.ratings,
                    c.mean_rating,
                    c.attendees,
                    c.responders,
                    c.response_rate,
                )
                for c in s.circles
            ],
        ),
    ]
    if s.mentoring is not None:
        sheets.append(
            _sheet(
                "Mentoring",
                (
                    "Programme",
                    "Kind",
                    "Pairs active",
                    "Meetings held",
                    "Meetings planned",
                    "Completed",
                    "Ended early",
                ),
                [
                    (
                        p.programme,
                        p.kind,
                        p.pairs_active,
                        p.meetings_held,
                        p.meetings_planned,
                        p.completed,
                        p.ended_early,
                    )
                    for p in s.mentoring.programmes
                ],
            )
        )
    sheets.append(
        _sheet(
            "Learned",
            ("Day", "Circle", "Session", "Rating", "One thing learned"),
            [tuple(x) for x in learned],
        )
    )
    sheets.append(_sheet("Definitions", ("Figure", "Definition"), list(DEFINITIONS.values())))
    return sheets
