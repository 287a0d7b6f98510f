"""The Rotation tab's panel in a tiny host app: plan, preview, away, swap, assign, reasons change."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static

from circles.services import (
    away,
    circle_records,
    fairness,
    invites,
    members,
    people,
    planning,
    rotation,
    series,
    sessions,
)
from models.store import Store
from screens.dialogs import ChoiceScreen, CountScreen
from screens.rotation_panel import PREVIEW_COUNT, RotationPanel, load_choices, load_rotation
from screens.textual_internals import notifications
from tests.statements import statements_sent
from tests.tui_support import rows, settle, shown, until


class Host(App[None]):
    def __init__(self, store: Store, circle_id: int) -> None:
        super().__init__()
        self.store = store
        self.circle_id = circle_id
        self.changes = 0

    def compose(self) -> ComposeResult:
        yield RotationPanel(self.circle_id)

    def on_mount(self) -> None:
        self.query_one("#rotation-preview", DataTable).focus()

    def on_rotation_panel_changed(self, event: RotationPanel.Changed) -> None:
        self.changes += 1
        event.reload()  # a host reads its own data first, then the panel's


def setup(store: Store) -> tuple[int, dict[str, int]]:
    with store.write() as db:
        ids = {
            n: people.add_person(db, name=n, email=f"{n.lower()}@example.org").id
            for n in ("Ana", "Bob", "Cleo")
        }
        ids["Grace [guest]"] = people.add_person(
            db, name="Grace [guest]", email="grace@example.org", is_guest=True
        ).id
        c = circle_records.add_circle(db, name="Rust Lunch", kind="learning-circle", timezone="Europe/Berlin")
        for n in ("Ana", "Bob", "Cleo"):
            members.add_member(db, circle_id=c.id, person_id=ids[n])
        series.set_cadence(db, c, "weekly on tue at 12:00")
    return c.id, ids


def column(table: DataTable, index: int) -> list[str]:
    return [r[index] for r in rows(table)]


async def pick(pilot: Pilot, app: Host, index: int) -> None:
    await until(pilot, lambda: isinstance(app.screen, ChoiceScreen) and app.screen.is_mounted)
    options = app.screen.query_one(OptionList)
    options.highlighted = index
    await pilot.press("enter")
    await until(pilot, lambda: not isinstance(app.screen, ChoiceScreen))
    await settle(app, pilot)


async def test_plan_preview_away_swap_and_assign_in_the_panel(memory_store: Store) -> None:
    circle_id, ids = setup(memory_store)
    app = Host(memory_store, circle_id)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        preview = app.query_one("#rotation-preview", DataTable)
        # Nothing planned yet: the preview shows what planning will create, by day and time.
        days = column(preview, 0)
        assert days[:2] == ["Tue 03 Mar 12:00", "Tue 10 Mar 12:00"] and len(days) == 10
        assert column(preview, 1) == ["not yet"] * 10
        assert column(preview, 2)[:4] == ["Ana", "Bob", "Cleo", "Ana"]

        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, CountScreen))
        app.screen.query_one(Input).value = "10"
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, CountScreen))
        await settle(app, pilot)
        with memory_store.read() as db:
            planned = sessions.list_sessions(db, circle_id=circle_id)
        assert len(planned) == 10
        assert column(preview, 0) == [f"{s.local_start:%a %d %b %H:%M}" for s in planned] == days
        assert column(preview, 1) == ["yes"] * 10
        assert column(preview, 2)[:4] == ["Ana", "Bob", "Cleo", "Ana"]

        # Bob is away on his date: the reasons say so after a reload.
        with memory_store.write() as db:
            away.add_away(
                db,
                person_id=ids["Bob"],
                starts_on=planned[1].local_day,
                ends_on=planned[1].local_day,
                reason="ill",
            )
        await pilot.press("r")
        await settle(app, pilot)
        assert column(preview, 2)[:4] == ["Ana", "Cleo", "Bob", "Ana"]
        away_reason = column(preview, 4)[1]
        assert "Bob away until" in away_reason and "(ill)" in away_reason

        # Swapping Bob onto the date he is away is refused, with a notification, and nothing moves.
        preview.move_cursor(row=2)
        await pilot.press("w")
        await pick(pilot, app, 1)
        assert column(preview, 2)[:4] == ["Ana", "Cleo", "Bob", "Ana"]
        assert app.changes == 1  # the plan only
        assert any("Bob is away on" in n.message for n in notifications(app))

        # Swap the third session (Bob) with the fourth (Ana): one key plus a choice.
        preview.move_cursor(row=2)
        await pilot.press("w")
        await pick(pilot, app, 2)  # the other sessions, in order: 1st, 2nd, 4th, ...
        assert column(preview, 2)[:4] == ["Ana", "Cleo", "Ana", "Bob"]
        assert column(preview, 3)[2:4] == ["by hand", "by hand"]
        assert column(preview, 4)[2].startswith("swap: Bob gave ")
        # The highlighted session's reason in full, under the preview (cut in its column at 80).
        assert shown(app.query_one("#rotation-why", Static)) == (
            f"{planned[2].starts_at.astimezone(ZoneInfo('Europe/Berlin')):%a %d %b}: Ana, "
            + column(preview, 4)[2]
        )

        # A guest speaker on the first session: named as typed (no markup), nobody's turn.
        preview.move_cursor(row=0)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen) and app.screen.is_mounted)
        labels = [str(o.prompt) for o in app.screen.query_one(OptionList).options]
        await pick(pilot, app, labels.index("Grace [guest]  <grace@example.org>  (guest speaker)"))
        assert column(preview, 2)[:2] == ["Grace [guest]", "Ana"]
        assert column(preview, 4)[0] == "guest speaker: takes nobody's turn"
        assert app.changes == 3

        # And back to the rotation.
        preview.move_cursor(row=0)
        await pilot.press("u")
        await settle(app, pilot)
        assert column(preview, 2)[0] == "Ana"


async def test_the_panel_explains_a_circle_without_cadence_and_escape_cancels(memory_store: Store) -> None:
    with memory_store.write() as db:
        c = circle_records.add_circle(db, name="Quiet", kind="workshop", timezone="UTC")
    app = Host(memory_store, c.id)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        summary = str(app.query_one("#rotation-summary").render())
        assert "Quiet has no cadence yet" in summary
        await pilot.press("a")
        await pilot.pause()
        assert not isinstance(app.screen, ChoiceScreen)
        with memory_store.write() as db:
            series.set_cadence(db, circle_records.get_circle(db, c.id), "monthly on the last fri at 16:00")
            p = people.add_person(db, name="Ana", email="ana@example.org")
            members.add_member(db, circle_id=c.id, person_id=p.id)
            planning.plan_sessions(db, circle_id=c.id, count=2, start=date(2026, 3, 3))
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen) and app.screen.is_mounted)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ChoiceScreen))
        assert column(app.query_one("#rotation-preview", DataTable), 2)[:2] == ["Ana", "Ana"]


async def test_a_swap_that_moves_exported_presenters_says_which_invites_are_out_of_date(
    memory_store: Store,
) -> None:
    circle_id, _ = setup(memory_store)
    with memory_store.write() as db:
        planned = planning.plan_sessions(db, circle_id=circle_id, count=4, start=date(2026, 3, 10)).sessions
        invites.export_session(db, planned[0].id)  # only the first one's invite went out
    app = Host(memory_store, circle_id)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        preview = app.query_one("#rotation-preview", DataTable)
        assert column(preview, 2)[:2] == ["Ana", "Bob"]
        preview.move_cursor(row=0)
        await pilot.press("w")
        await pick(pilot, app, 0)  # with the second session
        assert column(preview, 2)[:2] == ["Bob", "Ana"]
        told = [n for n in app._notifications if n.title == "Invites out of date"]
        assert len(told) == 1
        assert told[0].message.splitlines()[1] == (
            f"  session {planned[0].id}, Rust Lunch, Tue 10 Mar 2026 12:00: Ana -> Bob"
        )
        assert len(told[0].message.splitlines()) == 2  # the second one was never exported


def test_every_active_guest_speaker_is_offered_however_many_people_sort_before_them(store: Store) -> None:
    with store.write() as db:
        regulars = [
            people.add_person(db, name=f"Aaron {n:03}", email=f"aaron{n}@example.org") for n in range(501)
        ]
        zoe = people.add_person(db, name="Zoe Guest", email="zoe@example.org", is_guest=True)
        member_guest = people.add_person(db, name="Mia Guest", email="mia@example.org", is_guest=True)
        gone = people.add_person(db, name="Gone Guest", email="gone@example.org", is_guest=True)
        people.update_person(db, gone, active=False)
        c = circle_records.add_circle(db, name="Rust Lunch", kind="learning-circle", timezone="Europe/Berlin")
        for p in (regulars[0], member_guest):
            members.add_member(db, circle_id=c.id, person_id=p.id)
    with store.read() as db:
        choices = load_choices(db, c.id, date(2026, 3, 10))
    # Zoe was left out: the guests were looked for among the first 500 people by name only.
    assert [(ch.person_id, ch.label.endswith("(guest speaker)")) for ch in choices] == [
        (regulars[0].id, False),
        (member_guest.id, False),  # a member, offered as one
        (zoe.id, True),
    ]


def test_the_presenter_picker_says_who_is_away_that_day(store: Store) -> None:
    """Picking someone away is refused after the pick; the list says it before."""
    with store.write() as db:
        ana = people.add_person(db, name="Ana", email="ana@example.org")
        bob = people.add_person(db, name="Bob", email="bob@example.org")
        guest = people.add_person(db, name="Gil Guest", email="gil@example.org", is_guest=True)
        c = circle_records.add_circle(db, name="Rust Lunch", kind="learning-circle", timezone="Europe/Berlin")
        for p in (ana, bob):
            members.add_member(db, circle_id=c.id, person_id=p.id)
        away.add_away(db, person_id=bob.id, starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 12))
        away.add_away(db, person_id=guest.id, starts_on=date(2026, 3, 10), ends_on=date(2026, 3, 10))
    with store.read() as db:
        on_the_day = {ch.name: ch.label for ch in load_choices(db, c.id, date(2026, 3, 10))}
        the_day_after = {ch.name: ch.label for ch in load_choices(db, c.id, date(2026, 3, 13))}
    assert on_the_day == {
        "Ana": "Ana  <ana@example.org>",
        "Bob": "Bob  <bob@example.org>  (away until 12 Mar)",
        "Gil Guest": "Gil Guest  <gil@example.org>  (guest speaker)  (away until 10 Mar)",
    }
    assert the_day_after["Bob"] == "Bob  <bob@example.org>"


def test_the_tab_reads_its_circle_once_and_shows_what_the_services_say(store: Store) -> None:
    """The tab waits for this read before it comes forward: the circle was read three times
    (the tab, the preview and the ledger each read it), a round trip each on PostgreSQL."""
    circle_id, _ = setup(store)
    with store.write() as db:
        planning.plan_sessions(db, circle_id=circle_id, count=3)
    with store.read() as db:
        apart = (
            circle_records.get_circle(db, circle_id),
            rotation.preview(db, circle_id, count=PREVIEW_COUNT),
            fairness.ledger(db, circle_id),
        )
    with store.read() as db:
        load_rotation(db, circle_id)  # (SQLite's BEGIN is sent with the first)
        with statements_sent(store.engine) as sent:
            found = load_rotation(db, circle_id)
    circle_reads = [s for s, _ in sent if s.lstrip().startswith("SELECT circle.id")]
    assert len(circle_reads) == 1, circle_reads
    assert (found.circle, found.preview, found.ledger) == apart
    assert [r.presenter_name for r in found.preview][:3] == ["Ana", "Bob", "Cleo"]


def test_a_circle_already_read_is_not_taken_for_another(store: Store) -> None:
    """get_circle(known=...) hands back the view the caller read; one of another circle is a
    mistake in the caller, which would show one circle's preview on another's tab."""
    circle_id, _ = setup(store)
    with store.write() as db:
        other = circle_records.add_circle(db, name="Other circle", kind="learning-circle", timezone="UTC")
    with store.read() as db:
        known = circle_records.get_circle(db, circle_id)
        assert circle_records.get_circle(db, circle_id, known=known) is known
        with pytest.raises(ValueError, match=f"circle {circle_id} given for circle {other.id}"):
            rotation.preview(db, other.id, circle=known)


async def test_the_ledger_shows_a_long_name_whole_at_80_columns(memory_store: Store) -> None:
    """The ledger's headings are short enough that, at 80 columns, a member's name is not cut
    ("Camille Per…" beside "Swaps given" and "Swaps taken", twelve columns each for a digit)."""
    circle_id, _ = setup(memory_store)
    long_name = "Camille Perrin-Okafor"
    with memory_store.write() as db:
        camille = people.add_person(db, name=long_name, email="camille@example.org")
        members.add_member(db, circle_id=circle_id, person_id=camille.id)
    app = Host(memory_store, circle_id)
    async with app.run_test(size=(80, 24)) as pilot:
        ledger = app.query_one("#rotation-ledger", DataTable)
        await until(pilot, lambda: long_name in column(ledger, 0))
        await settle(app, pilot)
        member = ledger.ordered_columns[0]
        assert not ledger.column_shortened(member), ledger.shown_columns
        assert member.get_render_width(ledger) >= len(long_name) + 2 * ledger.cell_padding
        # Every count still has its column.
        assert ledger.shown_columns[:4] == ["Member", "Talks", "Last", "First"], ledger.shown_columns


async def test_the_preview_writes_its_days_as_every_list_of_sessions_does(memory_store: Store) -> None:
    """The preview wrote the year on every day ('Tue 10 Mar 2026 12:00'), as no other list of
    sessions does: at 80 columns its five cells left "Why" 16, and every "last presented 27 Apr"
    of the large demo read "last presented 2…"."""
    circle_id, ids = setup(memory_store)
    with memory_store.write() as db:  # a long name, and a long reason: the room goes to them
        ids["Dr"] = people.add_person(db, name="Dr. Miriam Ostrowski", email="miriam@example.org").id
        members.add_member(db, circle_id=circle_id, person_id=ids["Dr"])
    app = Host(memory_store, circle_id)
    async with app.run_test(size=(80, 24)) as pilot:
        preview = app.query_one("#rotation-preview", DataTable)
        await until(pilot, lambda: preview.row_count > 0)
        await settle(app, pilot)
        assert column(preview, 0)[0] == "Tue 03 Mar 12:00"  # (the clock says Tue 3 Mar 2026, 09:00)
        why = preview.ordered_columns[4]
        assert why.get_render_width(preview) - 2 * preview.cell_padding >= len("last presented 27 Apr")


async def test_the_rotation_says_the_year_of_a_session_of_next_year_only(memory_store: Store, clock) -> None:
    """In December the preview reaches into January: those days, in the preview and the line
    that says why, say their year; this year's days do not, in a reason of January's session too."""
    clock.now = datetime(2026, 12, 20, 9, tzinfo=UTC)
    circle_id, _ = setup(memory_store)
    app = Host(memory_store, circle_id)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        preview = app.query_one("#rotation-preview", DataTable)
        assert column(preview, 0)[:3] == ["Tue 22 Dec 12:00", "Tue 29 Dec 12:00", "Tue 05 Jan 2027 12:00"]
        preview.move_cursor(row=2)
        await settle(app, pilot)
        # The reason's day is this year's: its year is left out too, as today's year.
        assert shown(app.query_one("#rotation-why", Static)) == (
            "Tue 05 Jan 2027: Cleo, not presented yet (joined 20 Dec)"
        )
