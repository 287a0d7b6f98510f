"""The programme screens: from Home to a programme, match, swap two proposals, confirm, open a
pair, log a meeting and end it early; the person screen lists their pairs."""

from __future__ import annotations

from datetime import date

from textual import events
from textual.widgets import DataTable, Static

from circles.app import CirclesApp
from circles.programme_views import UNTIL_RESUMED
from circles.services import pairing, pairs, programmes
from models.enums import ParticipantRole
from screens.dialogs import ConfirmScreen
from screens.form_screen import FormScreen
from screens.paged import AHEAD, PAGE
from screens.pair import PairScreen
from screens.person import PersonScreen
from screens.programme import ProgrammeScreen
from screens.programmes import ProgrammesScreen
from screens.table import Table
from screens.textual_internals import notifications
from tests import factories
from tests.tui_support import (
    burst,
    rows,
    screen_text,
    send,
    settle,
    shown,
    threads_importing,
    type_text,
    until,
)

SIZE = (120, 40)


def _programme(store) -> int:  # type: ignore[no-untyped-def]
    with store.write() as db:
        p = programmes.add_programme(db, name="Mentors", kind="mentoring", cadence="weekly on tue at 15:00")
    ids = []
    for name, team in (
        ("Ana Mentor", "Data"),
        ("Bo Mentor", "Web"),
        ("Cy Mentee", "Ops"),
        ("Di Mentee", "Ops"),
    ):
        ids.append(factories.person(memory := store, name, team=team).id)
    with memory.write() as db:
        programmes.join(db, p.id, ids[0], role="mentor", offers="Rust")
        programmes.join(db, p.id, ids[1], role="mentor", offers="Go")
        programmes.join(db, p.id, ids[2], role="mentee", wants="rust")
        programmes.join(db, p.id, ids[3], role="mentee", wants="go")
    return p.id


async def test_match_swap_confirm_meet_and_end_early(memory_store, clock):
    pid = _programme(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("M")
        await settle(app, pilot)
        assert isinstance(app.screen, ProgrammesScreen)
        assert rows(app.screen.query_one(DataTable))[0][:3] == ["Mentors", "mentoring", "4"]
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ProgrammeScreen)
        assert [r[0] for r in rows(screen.query_one("#participant-table", DataTable))] == [
            "Ana Mentor", "Bo Mentor", "Cy Mentee", "Di Mentee",
        ]  # fmt: skip

        await pilot.press("2")
        await settle(app, pilot)
        table = screen.query_one("#proposal-table", DataTable)
        assert [r[1] for r in rows(table)] == ["Ana Mentor & Cy Mentee", "Bo Mentor & Di Mentee"]
        assert rows(table)[0][2].startswith("topics: rust · different teams")

        await pilot.press("s", "down", "s")  # swap the two mentees
        await settle(app, pilot)
        assert [r[1] for r in rows(table)] == ["Ana Mentor & Di Mentee", "Bo Mentor & Cy Mentee"]
        assert [r[3] for r in rows(table)] == ["locked", "locked"]

        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        # The confirm's answer is in once the screen moves to its pairs: the write is asked
        # only as the dialog closes, so a settle right after "y" can find nothing running yet.
        await until(pilot, lambda: screen.active_tab == "pairs")
        await settle(app, pilot)
        with memory_store.read() as db:
            made = pairs.list_pairs(db, pid)
        assert sorted(p.names for p in made) == ["Ana Mentor & Di Mentee", "Bo Mentor & Cy Mentee"]
        assert screen.active_tab == "pairs"
        pair_rows = rows(screen.query_one("#pair-table", DataTable))
        assert len(pair_rows) == 2

        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PairScreen)
        pair_screen = app.screen
        keys = {b.key for _, b, enabled, _ in pair_screen.active_bindings.values() if b.show and enabled}
        assert "m" in keys and not {"y", "N"} & keys  # a mentoring pair logs meetings, no "did you meet?"
        # Empty, each table showed only its header: its title says what fills it.
        assert shown(pair_screen.query_one("#goals-title", Static)) == "Goals: none yet (g adds one)"
        assert shown(pair_screen.query_one("#meetings-title", Static)).endswith("planned (m logs one)")
        assert not pair_screen.query_one("#goal-table").display
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        # The form starts on the minutes: the day (today) is rarely what changes.
        await type_text(pilot, "45")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is pair_screen
        assert "Meetings: 1 held" in shown(pair_screen.query_one("#meetings-title", Static))
        assert "m logs one" not in shown(pair_screen.query_one("#meetings-title", Static))
        # As tall as its rows: the app's rule for tables (height 1fr) had won over the screen's own.
        assert pair_screen.query_one("#meeting-table").outer_size.height == 2  # its header and row
        assert rows(pair_screen.query_one("#meeting-table", DataTable))[0][1] == "45"

        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        # The form starts on the reason ("ended early" is chosen for how it ended).
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        # The service's refusal of an empty value had no subject: "is required when a pair ends early".
        assert shown(app.screen.query_one("#e-reason", Static)) == (
            "Why is required when a pair ends early; say why."
        )
        await type_text(pilot, "moved team")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "ended early" in shown(pair_screen.query_one("#pair-summary", Static))
        ended_id = pair_screen.pair_id

        app.open_person(made[0].people[0].person_id)
        await settle(app, pilot)
        assert isinstance(app.screen, PersonScreen)
        mine = rows(app.screen.query_one("#person-pairs", DataTable))
        assert mine and mine[0][0] == "Mentors"
    with memory_store.read() as db:
        assert pairs.get_pair(db, ended_id).end_reason == "moved team"


async def test_a_swap_that_breaks_a_rule_says_why_and_changes_nothing(memory_store, clock):
    pid = _programme(memory_store)
    cy = factories.person(memory_store, "Ed Mentee", team="Data")  # Ana's team
    with memory_store.write() as db:
        programmes.leave(db, pid, 3)
        programmes.join(db, pid, cy.id, role="mentee", wants="rust")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(pid))
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        table = app.screen.query_one("#proposal-table", DataTable)
        before = rows(table)
        assert [r[1] for r in before] == ["Ana Mentor & Di Mentee", "Bo Mentor & Ed Mentee"]
        await pilot.press("s", "down", "s")
        await settle(app, pilot)
        assert rows(table) == before
        said = [n.message for n in app._notifications]
        assert any("same team (Data)" in m for m in said), said


def _three_proposals(store) -> int:  # type: ignore[no-untyped-def]
    """Ana (2 places: rust, go) and Bo (sql) as mentors; Cy wants rust, Di go, Ed sql."""
    with store.write() as db:
        p = programmes.add_programme(db, name="Mentors", kind="mentoring")
    ids = [
        factories.person(store, name, team=name).id
        for name in ("Ana Mentor", "Bo Mentor", "Cy Mentee", "Di Mentee", "Ed Mentee")
    ]
    with store.write() as db:
        programmes.join(db, p.id, ids[0], role="mentor", capacity=2, offers="rust, go")
        programmes.join(db, p.id, ids[1], role="mentor", offers="sql")
        programmes.join(db, p.id, ids[2], role="mentee", wants="rust")
        programmes.join(db, p.id, ids[3], role="mentee", wants="go")
        programmes.join(db, p.id, ids[4], role="mentee", wants="sql")
    return p.id


async def _proposals(app: CirclesApp, pilot, pid: int) -> tuple[ProgrammeScreen, DataTable]:  # type: ignore[no-untyped-def]
    app.push_screen(ProgrammeScreen(pid))
    await settle(app, pilot)
    await pilot.press("2")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, ProgrammeScreen)
    return screen, screen.query_one("#proposal-table", DataTable)


async def test_the_proposals_tab_loads_the_matcher_off_the_screens_thread(memory_store, clock):
    # The matcher (circles.services.pairing) loads scipy, over a second the first time: imported
    # on the UI thread as the tab opened, it held the screen still before "Matching…" showed.
    pid = _three_proposals(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        with threads_importing("circles.services.pairing") as threads:
            _screen, table = await _proposals(app, pilot, pid)
        assert table.row_count == 3  # matched, in a worker
        assert threads and "MainThread" not in threads, threads


def _cursor_row(table: DataTable) -> list[str]:
    return [str(c) for c in table.get_row_at(table.cursor_row)]


async def test_after_a_swap_the_cursor_stays_on_the_swapped_pair_as_the_rows_re_sort(memory_store, clock):
    pid = _three_proposals(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        _screen, table = await _proposals(app, pilot, pid)
        assert [r[1] for r in rows(table)] == [
            "Ana Mentor & Cy Mentee",
            "Ana Mentor & Di Mentee",
            "Bo Mentor & Ed Mentee",
        ]
        # s on Bo & Ed, then s on Ana & Cy: Bo takes Cy, Ana takes Ed; the rows re-sort.
        await pilot.press("down", "down", "s", "up", "up", "s")
        await settle(app, pilot)
        assert [r[1] for r in rows(table)] == [
            "Ana Mentor & Di Mentee",
            "Ana Mentor & Ed Mentee",
            "Bo Mentor & Cy Mentee",
        ]
        # The cursor was on Ana & Cy: it is on Ana's new pair, not on whatever took its place.
        assert _cursor_row(table)[1:] == ["Ana Mentor & Ed Mentee", rows(table)[1][2], "locked"]


async def test_the_highlighted_proposals_reasons_are_said_in_full_under_the_table(memory_store, clock):
    # At 80 columns the Why column showed "topics: Rust · different teams · 8 h apar…": the
    # reasons a facilitator locks or rejects a proposal by.
    pid = _three_proposals(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen, table = await _proposals(app, pilot, pid)
        why = screen.query_one("#proposal-why", Static)
        groups = screen.proposal.groups
        assert shown(why) == f"{groups[0].names}: {groups[0].reasons}"
        await pilot.press("down", "down")
        await settle(app, pilot)
        assert shown(why) == f"{groups[2].names}: {groups[2].reasons}" != ""
        # Swapped partners: the line follows the pair the cursor stays on, with its new reasons.
        await pilot.press("s", "up", "up", "s")
        await settle(app, pilot)
        now = screen.proposal.groups[table.cursor_row]
        assert shown(why) == f"{now.names}: {now.reasons}"
        assert now.names == _cursor_row(table)[1]


async def test_a_long_list_of_people_not_matched_leaves_the_proposals_room(memory_store, clock):
    # On the large demo's coffee programme a dozen "Not matched" and "Will be paused" lines
    # took the tab's whole height: the proposals shrank to their header.
    pid = _three_proposals(memory_store)
    for k in range(30):
        someone = factories.person(memory_store, f"Away {k:02}", f"away{k}@example.org", team=f"Team {k}")
        with memory_store.write() as db:
            programmes.join(db, pid, someone.id, role="mentee", wants="rust")
            programmes.pause(db, pid, someone.id, until=date(2026, 9, 1), reason="on leave")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen, table = await _proposals(app, pilot, pid)
        note = screen.query_one("#proposal-note", Static)
        await until(pilot, lambda: "Not matched: Away 29" in shown(note))
        assert table.row_count == 3
        assert table.region.height >= 4  # the header and the three proposals
        assert screen.query_one("#proposal-notes").max_scroll_y > 0  # the rest scrolls


async def test_locks_and_rejections_are_still_there_after_leaving_the_screen(memory_store, clock):
    pid = _three_proposals(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        _, table = await _proposals(app, pilot, pid)
        await pilot.press("l")  # lock Ana & Cy
        await settle(app, pilot)
        await pilot.press("down", "down", "x")  # reject Bo & Ed
        await settle(app, pilot)
        app.pop_screen()
        await settle(app, pilot)
        screen, table = await _proposals(app, pilot, pid)
        kept = rows(table)
        assert ["Ana Mentor & Cy Mentee", "locked"] in [[r[1], r[3]] for r in kept]
        assert "Bo Mentor & Ed Mentee" not in [r[1] for r in kept]
        note = shown(screen.query_one("#proposal-note", Static))
        assert "Rejected, never proposed again here: Bo Mentor & Ed Mentee" in note
    with memory_store.read() as db:  # what the command line's match and confirm read
        from circles.services import decisions

        review = decisions.stored(db, pid)
    assert len(review.locked) == 1 and len(review.rejected) == 1


async def test_the_join_form_shows_each_role_its_own_fields(memory_store, clock):
    pid = _three_proposals(memory_store)
    newcomer = factories.person(memory_store, "Fi New", team="Web")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        with memory_store.read() as db:
            programme = programmes.get_programme(db, pid)
        from screens.programme_forms import join_form

        app.push_screen(join_form(programme, newcomer.id, newcomer.name))
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await settle(app, pilot)
        form = app.screen

        def visible() -> set[str]:
            return {f.name for f in form.fields if form.query_one(f"#f-{f.name}").display}

        assert visible() == {"role", "wants", "timezone"}  # a mentee: no places, nothing offered
        assert app.focused is form.query_one("#f-role")  # nothing required is empty: the first field
        form.query_one("#f-role").value = ParticipantRole.MENTOR  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert visible() == {"role", "capacity", "offers", "timezone"}
        labels = [str(w.render()) for w in form.query(".field-label") if w.display]
        assert "Mentors: mentees at once" not in labels and "Mentees at once" in labels


async def test_a_new_programme_typed_in_one_go_keeps_each_field(memory_store, clock):
    # As tmux (or a paste, or a fast typist) delivers it: every key queued before the form is
    # even on screen. The Tab used to reach its binding only after the next keys had gone into
    # the name, and keys typed before the form had a focused box were lost.
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammesScreen())
        await settle(app, pilot)
        typed = ["n", *"Mentoring 2026", "tab", "tab", *"weekly on tue at 15:00"]
        send(
            app,
            *[events.Key({" ": "space", ":": "colon"}.get(k, k), k if len(k) == 1 else None) for k in typed],
        )
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await settle(app, pilot)
        form = app.screen
        assert form.query_one("#f-name").value == "Mentoring 2026"  # type: ignore[attr-defined]
        assert form.query_one("#f-cadence").value == "weekly on tue at 15:00"  # type: ignore[attr-defined]


async def test_rename_archive_and_delete_from_the_programme_screen(memory_store, clock):
    pid = _three_proposals(memory_store)
    with memory_store.write() as db:
        empty = programmes.add_programme(db, name="Coffee", kind="coffee")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(pid))
        await settle(app, pilot)
        screen = app.screen
        footer_keys = {b.key for _, b, enabled, _ in screen.active_bindings.values() if b.show and enabled}
        assert {"ctrl+e", "A", "D"} <= footer_keys  # no pairs yet: it may be deleted
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("ctrl+u")  # clear the name shown
        await type_text(pilot, "Mentoring 2026")
        await pilot.press("tab", "tab")  # the same form changes its dates (it could not)
        await type_text(pilot, "2027-06-30")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen and screen.title == "Mentoring 2026"
        with memory_store.read() as db:
            assert programmes.get_programme(db, pid).ends_on == date(2027, 6, 30)
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(app, pilot)
        assert "ARCHIVED" in shown(screen.query_one("#programme-summary", Static))
        with memory_store.read() as db:
            assert [s.programme.name for s in programmes.list_programmes(db)] == ["Coffee"]
        await pilot.press("A")  # now it brings it back, without asking
        await settle(app, pilot)
        with memory_store.read() as db:
            assert len(programmes.list_programmes(db)) == 2

        app.pop_screen()
        app.push_screen(ProgrammeScreen(empty.id))
        await settle(app, pilot)
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(app, pilot)
        assert not isinstance(app.screen, ProgrammeScreen)
    with memory_store.read() as db:
        assert [s.programme.name for s in programmes.list_programmes(db, include_archived=True)] == [
            "Mentoring 2026"
        ]


async def test_a_name_typed_on_the_participants_leaves_the_programme_as_it_was(memory_store, clock):
    """'emeka' typed on Mentoring 2026's participants, to find Emeka as People are found: e was
    Edit, and opened the programme's form with 'meka' over its name; Enter saved 'meka'."""
    with memory_store.write() as db:
        p = programmes.add_programme(db, name="Mentoring 2026", kind="mentoring")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(p.id))
        await settle(app, pilot)
        burst(app, *"emeka", "enter")
        await settle(app, pilot)
        with memory_store.read() as db:
            assert programmes.get_programme(db, p.id).name == "Mentoring 2026"


async def test_a_name_typed_on_the_participants_resumes_nobody(memory_store, clock):
    """'luca' typed on the participants to find Luca: u was Resume, and put Ana, highlighted and
    paused until resumed, back into matching at once. Resume is ctrl+r."""
    ana = factories.person(memory_store, "Ana Lima", "ana@example.org")
    luca = factories.person(memory_store, "Luca Diaz", "luca@example.org")
    with memory_store.write() as db:
        p = programmes.add_programme(db, name="Coffee", kind="coffee")
        for person in (ana, luca):
            programmes.join(db, p.id, person.id, role="member")
        programmes.pause(db, p.id, ana.id, until=UNTIL_RESUMED)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(p.id))
        await settle(app, pilot)
        burst(app, *"luca")
        await settle(app, pilot)
        with memory_store.read() as db:
            assert programmes.get_participant(db, p.id, ana.id).paused_until is not None
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        with memory_store.read() as db:
            assert programmes.get_participant(db, p.id, ana.id).paused_until is None


async def test_the_edit_form_says_a_last_day_before_the_first_in_its_own_words(memory_store, clock):
    """Under the To box it said "is earlier than the first day (--from 2026-10-12)": a flag of
    the command line, in the app, where the box is called From."""
    with memory_store.write() as db:
        p = programmes.add_programme(db, name="Mentors", kind="mentoring", starts_on=date(2026, 10, 12))
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(p.id))
        await settle(app, pilot)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        assert "Name *" in [shown(label) for label in form.query(".field-label")]  # not "New name"
        await pilot.press("tab", "tab")
        await type_text(pilot, "2026-10-01")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        assert shown(form.query_one("#e-ends_on", Static)) == (
            "'2026-10-01' is earlier than the first day (2026-10-12)."
        )
    with memory_store.read() as db:
        assert programmes.get_programme(db, p.id).ends_on is None


async def test_a_big_programme_opens_a_screenful_of_people_and_builds_other_tabs_when_opened(
    memory_store, clock
):
    """The participants' first rows are those the terminal can show, and a few more (each cell
    is measured before the first frame: a page of 100 was a fifth of the large demo's 500-person
    programme's opening); the next page comes as the cursor nears their end."""
    with memory_store.write() as db:
        p = programmes.add_programme(db, name="Coffee", kind="coffee")
    ids = [factories.person(memory_store, f"P{i:03}", team=f"T{i % 7}").id for i in range(250)]
    with memory_store.write() as db:
        for i in ids:
            programmes.join(db, p.id, i, role="member")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(p.id))
        await settle(app, pilot)
        screen = app.screen
        table = screen.query_one("#participant-table", DataTable)
        assert table.row_count == SIZE[1] + AHEAD and "250 people" in shown(
            screen.query_one("#programme-summary", Static)
        )
        assert not screen.query("#pair-table") and not screen.query("#proposal-table")
        table.move_cursor(row=SIZE[1] + 1)  # nears the end of those added
        await settle(app, pilot)
        assert table.row_count == SIZE[1] + AHEAD + PAGE < 250
        await pilot.press("ctrl+end")  # the last row, not the last one added so far
        await settle(app, pilot)
        assert table.row_count == 250 and rows(table)[-1][0] == "P249"
        assert table.cursor_row == 249
        await pilot.press("3")
        await settle(app, pilot)
        assert screen.query("#pair-table") and not screen.query("#proposal-table")


async def test_the_summary_says_whether_a_lone_date_is_the_start_or_the_end(memory_store, clock):
    with memory_store.write() as db:
        started = programmes.add_programme(db, name="Coffee", kind="coffee", starts_on=date(2026, 2, 2))
        ending = programmes.add_programme(db, name="Buddies", kind="buddy", ends_on=date(2026, 6, 30))
        both = programmes.add_programme(
            db, name="Mentors", kind="mentoring", starts_on=date(2026, 2, 2), ends_on=date(2026, 6, 30)
        )
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        for p, wanted in (
            (started, " · from 02 Feb · "),
            (ending, " · until 30 Jun · "),
            (both, " · 02 Feb to 30 Jun · "),
        ):
            await settle(app, pilot)
            app.push_screen(ProgrammeScreen(p.id))
            await settle(app, pilot)
            assert wanted in shown(app.screen.query_one("#programme-summary", Static))
            await pilot.press("escape")


async def test_a_programmes_tabs_say_their_keys(memory_store, clock):
    """1-4 switch a programme's tabs, as a circle's and a session's, whose tabs say so ("1 Members");
    a programme's said only "Participants", "Proposals", "Pairs" and "Rounds"."""
    pid = _programme(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(pid))
        await settle(app, pilot)
        assert "1 Participants  2 Proposals  3 Pairs  4 Rounds" in screen_text(app)


async def test_a_coffee_programme_lists_no_roles_nor_places(memory_store, clock):
    """Every row said "member" under As and nothing under Places, and at 80 columns their room
    cut what people offer and a pause short ("paused unt…")."""
    with memory_store.write() as db:
        pid = programmes.add_programme(db, name="Coffee", kind="coffee").id
    mentors = _programme(memory_store)
    for name in ("Eva Lima", "Ben Okafor"):
        person = factories.person(memory_store, name, team="Research")
        with memory_store.write() as db:
            programmes.join(db, pid, person.id, role="member", offers="Security, Rust", wants="Frontend")
    with memory_store.write() as db:
        programmes.pause(db, pid, person.id, until=date(2026, 9, 14), reason="on leave")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(pid))
        await settle(app, pilot)
        table = app.screen.query_one("#participant-table", Table)
        assert table.shown_columns == ["Name", "Team", "Offers", "Wants", "Timezone", "Status"]
        ben = rows(table)[0]  # by name: Ben, then Eva
        assert ben[:4] == ["Ben Okafor", "Research", "Security, Rust", "Frontend"]
        assert ben[-1] == "paused until 14 Sep (on leave)"
        await pilot.press("escape")
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(mentors))  # a mentoring programme keeps them
        await settle(app, pilot)
        table = app.screen.query_one("#participant-table", Table)
        assert {"As", "Places"} <= set(table.shown_columns)
        # A mentor's offers and a mentee's wants share one column: as two, each row left one
        # blank, and at 80 columns both were cut to a word.
        assert "Offers" not in table.shown_columns and "Wants" not in table.shown_columns
        topics = table.shown_columns.index("Topics")
        assert {r[0]: r[topics] for r in rows(table)} == {
            "Ana Mentor": "Rust", "Bo Mentor": "Go", "Cy Mentee": "rust", "Di Mentee": "go",
        }  # fmt: skip


async def test_at_80_columns_the_reasons_and_a_pause_are_shortened_not_hidden(memory_store, clock):
    pid = _programme(memory_store)
    eve = factories.person(memory_store, "Eve Mentee", "eve@example.org", team="Ops")
    with memory_store.write() as db:
        programmes.join(db, pid, eve.id, role="mentee", wants="rust")
        programmes.pause(db, pid, eve.id, until=date(2026, 9, 1), reason="on leave")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(pid))
        await settle(app, pilot)
        screen = app.screen
        assert "Status" in screen.query_one("#participant-table", Table).shown_columns
        await pilot.press("2")
        await settle(app, pilot)
        proposals = screen.query_one("#proposal-table", Table)
        await until(pilot, lambda: proposals.row_count == 2)
        # The reasons column was hidden whole at 80 columns: no "why" for any proposal.
        assert "Why" in proposals.shown_columns
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(app, pilot)
        assert "Why / how it ended" in screen.query_one("#pair-table", Table).shown_columns


async def test_at_80_columns_the_pairs_tab_keeps_the_names_and_drops_met_first(memory_store, clock):
    """Which columns of the pairs tab give way at 80 columns: whether a pair met goes first, so
    the people's names stay readable (24 cells at the least) beside the pair's status and why it
    ended. The day it began, written without this year's year, now fits too."""
    with memory_store.write() as db:
        p = programmes.add_programme(db, name="Mentors", kind="mentoring", cadence="weekly on tue at 15:00")
    # name, team, role, topic: each name longer than the People column's 24-cell floor once paired
    joining = [
        ("Annabelle Okonkwo-Smith", "Data", "mentor", "rust"),
        ("Bartholomew Castellanos", "Web", "mentor", "go"),
        ("Cordelia Fitzgerald", "Ops", "mentee", "rust"),
        ("Dimitri Vasquez", "Ops", "mentee", "go"),
    ]
    for name, team, role, topic in joining:
        person = factories.person(memory_store, name, team=team)
        with memory_store.write() as db:
            if role == "mentor":
                programmes.join(db, p.id, person.id, role=role, offers=topic)
            else:
                programmes.join(db, p.id, person.id, role=role, wants=topic)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(p.id))
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("2")
        await settle(app, pilot)
        await until(pilot, lambda: screen.query_one("#proposal-table", Table).row_count == 2)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        table = screen.query_one("#pair-table", Table)
        await until(pilot, lambda: table.row_count == 2)
        await settle(app, pilot)
        assert table.shown_columns == ["Pair", "People", "Status", "Since", "Meetings", "Why / how it ended"]
        people = next(c for c in table.ordered_columns if str(c.label) == "People")
        assert people.width >= 24


async def test_a_reject_and_a_lock_typed_in_one_burst_are_both_stored(memory_store, clock):
    # Typed fast, each key's write replaced the one before it in the screen's "match" group,
    # and a replaced worker dropped its write: the lock was stored, the reject was not.
    pid = _three_proposals(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        _, table = await _proposals(app, pilot, pid)
        burst(app, "x", "down", "l")  # reject Ana & Cy, lock the next
        await settle(app, pilot)
        kept = [r[1] for r in rows(table)]
        assert "Ana Mentor & Cy Mentee" not in kept
    with memory_store.read() as db:
        from circles.services import decisions

        review = decisions.stored(db, pid)
    assert (len(review.rejected), len(review.locked)) == (1, 1)


async def test_namesakes_among_the_participants_are_told_apart(memory_store, clock):
    """Two Aiko Diazes in one team read as one person listed twice (the large demo has such)."""
    with memory_store.write() as db:
        p = programmes.add_programme(db, name="Coffee", kind="coffee")
    people = [
        factories.person(memory_store, "Aiko Diaz", f"aiko{n}@example.org", team=team)
        for n, team in enumerate(("People", "People", "Data", "Web"))
    ]
    with memory_store.write() as db:
        for person in people:
            programmes.join(db, p.id, person.id, role="member")
        pairing.confirm(db, p.id)
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(p.id))
        await settle(app, pilot)
        names = sorted(r[0] for r in rows(app.screen.query_one("#participant-table", DataTable)))
        await pilot.press("3")  # the pairs: their names carry each one's number
        await settle(app, pilot)
        paired = " & ".join(r[1] for r in rows(app.screen.query_one("#pair-table", DataTable)))
    same_team = [f"Aiko Diaz (People, no. {person.id})" for person in people[:2]]
    assert names == sorted([*same_team, "Aiko Diaz (Data)", "Aiko Diaz (Web)"])
    assert sorted(paired.split(" & ")) == sorted(f"Aiko Diaz (no. {person.id})" for person in people)


async def test_namesakes_among_the_participants_keep_their_numbers_at_80_columns(memory_store, clock):
    """The large demo's coffee roulette listed 'Aiko Diaz (People, n…' twice at 80 columns:
    a name shortened at its end lost what tells namesakes apart. It loses its middle instead."""
    from tests.tui_support import screen_text

    with memory_store.write() as db:
        p = programmes.add_programme(db, name="Coffee", kind="coffee")
    people = [
        factories.person(memory_store, "Aiko Diaz", f"aiko{n}@example.org", team="People") for n in range(2)
    ]
    with memory_store.write() as db:
        for person in people:
            offers, wants = "Technical Writing, Observability, Rust", "Data Engineering, Kubernetes"
            programmes.join(db, p.id, person.id, role="member", offers=offers, wants=wants)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(p.id))
        await settle(app, pilot)
        text = screen_text(app)
    for person in people:
        assert f"no. {person.id})" in text, text


async def test_a_on_the_programmes_says_whether_the_archived_are_listed(memory_store, clock):
    """With no programme archived (the large demo), a changed no row and the footer said
    "Archived too" before and after: the key looked dead."""
    from tests.tui_support import screen_text

    with memory_store.write() as db:
        coffee = programmes.add_programme(db, name="Coffee", kind="coffee")
        programmes.add_programme(db, name="Buddies", kind="buddy")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammesScreen())
        await settle(app, pilot)
        screen = app.screen
        assert "a Archived too" in screen_text(app).splitlines()[-1]
        await pilot.press("a")
        await settle(app, pilot)
        assert "a Hide archived" in screen_text(app).splitlines()[-1]
        assert shown(screen.query_one("#programmes-empty", Static)) == "No programme is archived"
        with memory_store.write() as db:
            programmes.archive(db, coffee.id)
        screen.reload()
        await settle(app, pilot)
        assert shown(screen.query_one("#programmes-empty", Static)) == "1 archived programme among them"
        await pilot.press("a")
        await settle(app, pilot)
        assert "a Archived too" in screen_text(app).splitlines()[-1]
        assert shown(screen.query_one("#programmes-empty", Static)) == ""
        assert screen.query_one(DataTable).row_count == 1


async def test_a_new_programme_tells_every_problem_at_once_each_under_its_field(memory_store, clock):
    """A taken name and a last day before the first: saving told the first the service met (the
    dates), and the name only on the next try. The service gathers what it refuses (Refusals)
    and the form puts each under its field; nothing is saved."""
    from screens.programme_forms import programme_form

    with memory_store.write() as db:
        programmes.add_programme(db, name="Mentors", kind="mentoring")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        form = programme_form()
        app.push_screen(form)
        await settle(app, pilot)
        form.query_one("#f-name").value = "mentors"  # type: ignore[attr-defined]
        form.query_one("#f-starts_on").value = "2026-05-01"  # type: ignore[attr-defined]
        form.query_one("#f-ends_on").value = "2026-04-01"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        def error(name: str) -> str:
            box = form.query_one(f"#e-{name}", Static)
            return shown(box) if box.has_class("shown") else ""

        assert app.screen is form
        assert error("name") == "There is already a programme named 'Mentors'."
        assert error("ends_on") == "'2026-04-01' is earlier than the first day (2026-05-01)."
        assert app.focused is form.query_one("#f-name")  # the first of them
        with memory_store.read() as db:
            assert [p.programme.name for p in programmes.list_programmes(db)] == ["Mentors"]


async def test_joining_a_programme_someone_deleted_says_it_is_gone_not_its_id(memory_store, clock):
    """Another facilitator deleted the programme while the join form was open: the form said
    'There is no programme with id 1.', an id the app shows nowhere (the command line's words)."""
    ana = factories.person(memory_store, "Ana Ruiz", team="Web")
    with memory_store.write() as db:
        walk = programmes.add_programme(db, name="Walk Mentors", kind="mentoring")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(walk.id))
        await settle(app, pilot)
        from screens.programme_forms import join_form

        app.push_screen(join_form(walk, ana.id, ana.name))
        await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await settle(app, pilot)
        await pilot.press("tab")
        await type_text(pilot, "rust")
        with memory_store.write() as db:  # the other facilitator's app
            programmes.delete_programme(db, walk.id)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen)
        assert app.screen.query_one("#f-wants").value == "rust"  # type: ignore[attr-defined]
        text = screen_text(app)
        assert "This programme no longer exists: someone deleted it." in text
        assert "with id" not in text


async def test_a_round_pair_that_said_it_met_counts_its_meeting_as_the_report_does(memory_store, clock):
    """A coffee pair's "yes, we met" is its round's meeting: the programme's report and
    Organisation counted it held, while its pair, the pairs tab (the Met column gone at 80
    columns) and each person's page said 0 meetings."""
    with memory_store.write() as db:
        p = programmes.add_programme(db, name="Coffee", kind="coffee", cadence="weekly on thu at 10:00")
    ana = factories.person(memory_store, "Ana", team="Data")
    bo = factories.person(memory_store, "Bo", team="Web")
    with memory_store.write() as db:
        for person in (ana, bo):
            programmes.join(db, p.id, person.id, role="member")
        (made,) = pairing.confirm(db, p.id).pairs
        pairs.answer(db, made.id, met=True)
        assert pairs.report(db, p.id).meetings_held == 1
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(p.id))
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        table = app.screen.query_one("#pair-table", Table)
        assert "Meetings" in table.shown_columns
        labels = [str(c.label) for c in table.ordered_columns]
        assert rows(table)[0][labels.index("Meetings")] == "1"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PairScreen))
        await settle(app, pilot)
        assert shown(app.screen.query_one("#meetings-title", Static)).startswith("Meetings: 1 held")
        app.open_person(ana.id)
        await settle(app, pilot)
        assert isinstance(app.screen, PersonScreen)
        assert rows(app.screen.query_one("#person-pairs", DataTable))[0][-1] == "1"


async def test_a_round_of_one_pair_is_said_as_one(memory_store, clock):
    """'Round 1: 1 pairs made.'"""
    with memory_store.write() as db:
        p = programmes.add_programme(db, name="Coffee", kind="coffee")
    for name, team in (("Ana", "Data"), ("Bo", "Web")):
        person = factories.person(memory_store, name, team=team)
        with memory_store.write() as db:
            programmes.join(db, p.id, person.id, role="member")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(p.id))
        await settle(app, pilot)
        await pilot.press("2")
        await until(pilot, lambda: app.screen.query_one("#proposal-table", DataTable).row_count == 1)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(app, pilot)
        assert "Round 1: 1 pair made." in [n.message for n in notifications(app)]


async def test_resume_on_someone_not_paused_says_so(memory_store, clock):
    """ctrl+r (Resume, in the footer) on someone not paused did nothing, without a word."""
    ana = factories.person(memory_store, "Ana Lima", "ana@example.org")
    with memory_store.write() as db:
        p = programmes.add_programme(db, name="Coffee", kind="coffee")
        programmes.join(db, p.id, ana.id, role="member")
    app = CirclesApp(memory_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(p.id))
        await settle(app, pilot)
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        told = [n.message for n in notifications(app)]
        assert any("Ana Lima is not paused in Coffee" in message for message in told), told


async def test_a_programme_nobody_has_joined_offers_no_leave_nor_resume(memory_store, clock):
    """A new programme's footer offered x Leave and ctrl+r Resume, which did nothing there."""
    with memory_store.write() as db:
        p = programmes.add_programme(db, name="Coffee", kind="coffee")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.push_screen(ProgrammeScreen(p.id))
        await settle(app, pilot)
        screen = app.screen

        def offered() -> set[str]:
            return {b.key for _, b, enabled, _ in screen.active_bindings.values() if b.show and enabled}

        assert "j" in offered() and not {"x", "ctrl+r"} & offered()
        ana = factories.person(memory_store, "Ana Lima", "ana@example.org")
        with memory_store.write() as db:
            programmes.join(db, p.id, ana.id, role="member")
        screen.reload()
        await settle(app, pilot)
        assert {"j", "x", "ctrl+r"} <= offered()


async def test_a_pair_that_ended_offers_no_end_pair(memory_store, clock):
    """An ended pair's footer still offered e End pair, which only said it had ended."""
    pid = _programme(memory_store)
    with memory_store.write() as db:
        ended, going = pairing.confirm(db, pid).pairs
        pairs.end_pair(db, ended.id, completed=True)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for pair, offered in ((ended, False), (going, True)):
            app.push_screen(PairScreen(pair.id))
            await settle(app, pilot)
            screen = app.screen
            keys = {b.key for _, b, enabled, _ in screen.active_bindings.values() if b.show and enabled}
            assert ("e" in keys) is offered
            await pilot.press("escape")
            await settle(app, pilot)
