"""The main screens' code, loaded while the facilitator reads Home after start-up.

Each screen's modules are imported the first time it opens (start-up stays fast: CONTRIBUTING),
and a screen's first open after a start paid for them: the first circle opened loaded a hundred
and fifty modules, icalendar among them, for a first open of 0.45 s where later ones take 0.13
(bench/first_open.py). Once Home has shown what it read from the store, CirclesApp loads them
in a worker, off the UI thread, while nobody waits for a screen.

Recognition and Organisation then still took twice their later opens' processor time, most of
it SQLAlchemy compiling their reports' statements (a dozen, each a page of SQL) the first time:
:func:`warm_reports` has them compiled then too, and a person's record's (a person's first open
compiled 13 of its 14 statements, 152 ms where later opens take 116). So do a session's, its
check-in's and a circle's, each tab's (:func:`warm_circle_and_session`). The worker parses the
screens' widgets' CSS as well (:func:`parse_styles`).
"""

from __future__ import annotations

import importlib
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.css.stylesheet import Stylesheet
    from textual.dom import DOMNode

    from circles.store_access import Db
    from screens.textual_internals import ParsedCss

# What the main screens import when they open, with what they import in the functions that read
# or show their data (a circle's and a session's delivery line: icalendar). Only what a screen
# needs to show itself: forms and dialogs opened from it load when they are asked for.
MAIN_SCREENS = (
    "screens.circles",
    "screens.circle",
    "circles.services.delivery",
    "screens.send_dialog",
    "circles.services.success",
    "screens.session",
    "screens.checkin",
    "screens.people",
    "screens.person",
    "screens.recognition",
    "circles.services.recognition",
    "screens.organisation",
)


def load_main_screens() -> None:
    """Import the main screens' modules (a worker's job: most of a second of the interpreter)."""
    for name in MAIN_SCREENS:
        importlib.import_module(name)


# A month long before any store's first row: its reports read nothing.
LONG_AGO = date(1971, 1, 1), date(1971, 1, 31)


def warm_reports(db: Db) -> None:
    """Recognition's and Organisation's reads for a month long past, and a person's screen's read
    of the first person in the directory. Nothing is found in that month, but their statements
    are those of any month (built per shape of period, bound to its days: circles/services/sql.py
    kept), and a person's those of any person, so SQLAlchemy compiles and keeps them now, and
    the store (PostgreSQL's server process) has looked up their tables and indexes."""
    from circles.services import people
    from screens import organisation, person, recognition

    since, until = LONG_AGO
    recognition.load_recognition(db, since, until, None)
    organisation.load_success(db, since, until, None)
    for someone in people.list_people(db, limit=1):
        person.load_person(db, someone.id)


def warm_circle_and_session(db: Db) -> None:
    """A session's screen's reads and its check-in's, then a circle's (its members and delivery
    line, its Rotation and Stats tabs: the Sessions tab shows what the members' read brought),
    for Home's first session and its circle, else the newest session held and its circle: a
    circle's first open compiled 6 of its 11 statements, its Rotation tab 11 of 13, its Stats
    tab 4, a session 4 and its check-in 3 (bench/first_open.py). Their statements are those of
    any session and circle, so SQLAlchemy compiles and keeps them now.

    A session and a circle that exist, not ids that find nothing: each read stops at its first
    NotFound, and some statements are asked only of what was found (the days a circle skips,
    when fewer sessions are planned than the rotation shows; the members on a session's roster).
    Read as the screens read them, so the statements are built the same way (a select shared
    between two statements changes the second one's cache key: circles/services/pairs.py)."""
    from circles.services import clock, sessions
    from circles.services.circle_page import load_circle
    from screens import checkin, circle, rotation_panel, session, stats_panel

    now = clock.now(db)
    # Home's list of every circle's sessions (its statement, compiled already), its first row.
    first = sessions.upcoming(db, now=now, limit=1) or sessions.list_sessions(
        db, end=now, newest_first=True, limit=1
    )
    if not first:
        return  # no session yet
    session_id, circle_id = first[0].id, first[0].circle_id
    # Enter on Home opens its first session: that first.
    session.load_session(db, session_id)
    session.session_delivery(db, session_id)
    checkin.load_check_in(db, session_id)
    load_circle(db, circle_id, now)
    circle.delivery_status(db, circle_id)
    rotation_panel.load_rotation(db, circle_id)
    stats_panel.load_stats(db, circle_id)


def main_screens_widgets() -> set[type[DOMNode]]:
    """The widget and screen types the main screens' modules name, and those named in the
    modules of ours those come from (a screen's boxes and tables, their rows and tabs). Not
    the dialogs (modal screens) they open: each waits for a key, and half of them for none."""
    from textual.dom import DOMNode
    from textual.screen import ModalScreen

    found: set[type[DOMNode]] = set()
    modules = [importlib.import_module(name) for name in MAIN_SCREENS]
    seen = {m.__name__ for m in modules}
    while modules:
        for value in vars(modules.pop()).values():
            if (
                isinstance(value, type)
                and issubclass(value, DOMNode)
                and not issubclass(value, ModalScreen)
                and value not in found
            ):
                found.add(value)
                home = value.__module__
                if home.startswith("screens.") and home not in seen:
                    seen.add(home)
                    modules.append(importlib.import_module(home))
    return found


def parse_styles(stylesheet: Stylesheet) -> ParsedCss:
    """The main screens' widgets' own CSS, parsed as Textual parses it when the first widget of
    a type mounts (a worker's job: the stylesheet is only read), for :func:`keep_styles`.

    Textual adds a type's CSS (DEFAULT_CSS) to the app's stylesheet as the first widget of that
    type mounts, and parses it then, on the UI thread: a screen's first open parsed a few of
    them, 13 ms of Organisation's on the large demo (its own, a table's, the figures' boxes').
    Found parsed in the stylesheet's cache, they are added as before, in the order the widgets
    mount in (which decides between equal rules), with nothing to parse."""
    from screens.textual_internals import parse_default_css

    return parse_default_css(stylesheet, main_screens_widgets())


def keep_styles(stylesheet: Stylesheet, parsed: ParsedCss) -> None:
    """Puts what :func:`parse_styles` parsed where the stylesheet finds it (on the UI thread)."""
    from screens.textual_internals import keep_parsed_css

    keep_parsed_css(stylesheet, parsed)
