"""Rotation in the store, on SQLite and PostgreSQL: planning, preview, hold, assign, swap, ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from circles.errors import Conflict, InvalidInput, NotAllowed
from circles.rotation import Why
from circles.services import (
    agenda,
    agenda_templates,
    away,
    circle_records,
    fairness,
    members,
    people,
    planning,
    series,
    sessions,
)
from circles.services import rotation as rot
from circles.views import CircleView
from models.enums import CircleKind, PresenterSource, SessionStatus
from models.store import Store
from models.tables import CircleSession
from tests import factories

BERLIN = ZoneInfo("Europe/Berlin")


def make_circle(
    store: Store, names: tuple[str, ...] = ("Ana", "Bob", "Cleo", "Dev"), cadence: str | None = None
) -> tuple[CircleView, dict[str, int]]:
    with store.write() as db:
        ids = {n: people.add_person(db, name=n, email=f"{n.lower()}@example.org").id for n in names}
        c = circle_records.add_circle(db, name="Rust Lunch", kind="learning-circle", timezone="Europe/Berlin")
        for n in names:
            members.add_member(db, circle_id=c.id, person_id=ids[n])
        c = series.set_cadence(db, c, cadence or "weekly on tue at 12:00 for 45m")
    return c, ids


def presenters(rows: list[rot.PreviewRow]) -> list[str | None]:
    return [r.presenter_name for r in rows]


def test_planning_creates_the_series_with_agenda_and_presenters(store: Store) -> None:
    c, _ = make_circle(store)
    with store.write() as db:
        series.add_skip_date(db, circle_id=c.id, day=date(2026, 3, 17), reason="holiday")
        result = planning.plan_sessions(db, circle_id=c.id, count=5)
    assert [s.local_day for s in result.sessions] == [
        date(2026, 3, 3), date(2026, 3, 10), date(2026, 3, 24), date(2026, 3, 31), date(2026, 4, 7)
    ]  # fmt: skip
    assert result.skipped == ((date(2026, 3, 17), "holiday"),)
    # Berlin moves its clocks on 29 March: the wall time stays, the UTC instant does not.
    assert {s.local_start.time() for s in result.sessions} == {time(12, 0)}
    assert {s.starts_at.hour for s in result.sessions} == {11, 10}
    assert {s.minutes for s in result.sessions} == {45}
    assert [s.presenter_name for s in result.sessions] == ["Ana", "Bob", "Cleo", "Dev", "Ana"]
    assert {s.presenter_source for s in result.sessions} == {PresenterSource.ROTATION}
    with store.read() as db:
        items = agenda.list_items(db, result.sessions[1].id)
    assert [(i.title, i.presenter_name) for i in items] == [
        ("Check-in", None), ("Presentation", "Bob"), ("Discussion", None), ("Reflection", None)
    ]  # fmt: skip


def test_planning_again_continues_the_series_without_duplicates(store: Store) -> None:
    c, _ = make_circle(store, cadence="every 2 weeks on tue at 12:00")
    with store.write() as db:
        planning.plan_sessions(db, circle_id=c.id, count=2)
        more = planning.plan_sessions(db, circle_id=c.id, count=2)
        again = planning.plan_sessions(db, circle_id=c.id, count=1, start=date(2026, 3, 3))
    assert [s.local_day for s in more.sessions] == [date(2026, 3, 31), date(2026, 4, 14)]
    assert again.already_planned == (
        date(2026, 3, 3),
        date(2026, 3, 17),
        date(2026, 3, 31),
        date(2026, 4, 14),
    )
    assert [s.local_day for s in again.sessions] == [date(2026, 4, 28)]


def test_planning_from_a_day_gone_by_is_refused_not_moved_to_today(store: Store) -> None:
    """A first day in the past (a year typed wrong) planned from today instead, and the command
    said only which days already had a session. Refused, naming the day and today (in the
    circle's zone: 09:00 UTC on 3 March is 10:00 in Berlin); today itself is a first day."""
    c, _ = make_circle(store)
    with store.write() as db, pytest.raises(InvalidInput) as refused:
        planning.plan_sessions(db, circle_id=c.id, count=2, start=date(2026, 3, 2))
    assert refused.value.field == "start"
    assert (
        str(refused.value)
        == "start '2026-03-02' is in the past; sessions are planned from today (2026-03-03) on."
    )
    with store.read() as db:
        assert sessions.list_sessions(db, circle_id=c.id) == []
    with store.write() as db:
        planned = planning.plan_sessions(db, circle_id=c.id, count=1, start=date(2026, 3, 3)).sessions
    assert [s.local_day for s in planned] == [date(2026, 3, 3)]


def test_planning_needs_a_cadence_and_a_sensible_count(store: Store) -> None:
    with store.write() as db:
        c = circle_records.add_circle(db, name="Quiet", kind="workshop", timezone="Europe/Berlin")
    with store.write() as db, pytest.raises(NotAllowed, match="Quiet has no cadence yet"):
        planning.plan_sessions(db, circle_id=c.id, count=3)
    with store.write() as db, pytest.raises(InvalidInput, match="count 0 must be between 1 and 200"):
        planning.plan_sessions(db, circle_id=c.id, count=0)
    with store.write() as db, pytest.raises(InvalidInput, match="'fortnite' is not a weekday"):
        series.set_cadence(db, c, "weekly on fortnite at 12:00")


def test_the_preview_is_what_holding_the_sessions_in_order_records(store: Store) -> None:
    c, ids = make_circle(store, names=("Ana", "Bob", "Cleo", "Dev", "Eve"))
    with store.write() as db:
        planned = planning.plan_sessions(db, circle_id=c.id, count=8).sessions
        guest = people.add_person(db, name="Grace", email="grace@example.org", is_guest=True)
        away.add_away(db, person_id=ids["Bob"], starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 20))
        rot.assign(db, sessions.get_session(db, planned[2].id), person_id=ids["Eve"], note="volunteered")
        rot.assign(db, sessions.get_session(db, planned[4].id), person_id=guest.id)
    with store.read() as db:
        preview = rot.preview(db, c.id, count=12)
    assert [r.planned for r in preview] == [True] * 8 + [False] * 4
    expected = presenters(preview)
    assert expected[:8] == ["Ana", "Cleo", "Eve", "Bob", "Grace", "Dev", "Ana", "Cleo"]
    for k, s in enumerate(planned):
        with store.write() as db:
            factories.hold(db, sessions.get_session(db, s.id))
        with store.read() as db:
            rest = rot.preview(db, c.id, count=12 - k - 1)
        assert presenters(rest) == expected[k + 1 :]
    with store.read() as db:
        held = sessions.list_sessions(db, circle_id=c.id)
    assert [s.presenter_name for s in held] == expected[:8]
    assert all(s.status is SessionStatus.HELD for s in held)
    # The rows that were not planned yet are exactly what planning creates.
    with store.write() as db:
        more = planning.plan_sessions(db, circle_id=c.id, count=4).sessions
    assert [s.presenter_name for s in more] == expected[8:]
    assert [s.starts_at for s in more] == [r.starts_at for r in preview[8:]]


def test_an_away_period_changes_the_preview_and_the_stored_presenters_at_once(store: Store) -> None:
    c, ids = make_circle(store, names=("Ana", "Bob", "Cleo"))
    with store.write() as db:
        planned = planning.plan_sessions(db, circle_id=c.id, count=3).sessions
        away.add_away(
            db,
            person_id=ids["Bob"],
            starts_on=date(2026, 3, 10),
            ends_on=date(2026, 4, 15),
            reason="parental leave",
        )
    with store.read() as db:
        rows = rot.preview(db, c.id, count=3)
    assert presenters(rows) == ["Ana", "Cleo", "Ana"]
    assert rows[1].reason == "not presented yet (joined 03 Mar); Bob away until 15 Apr (parental leave)"
    assert rows[2].reason == "last presented 03 Mar; Bob away until 15 Apr (parental leave)"
    with store.read() as db:
        # Marking Bob away refreshed what the sessions store: lists and invites agree.
        assert [sessions.get_session(db, s.id).presenter_name for s in planned] == ["Ana", "Cleo", "Ana"]
        items = agenda.list_items(db, planned[1].id)
        assert [i.presenter_name for i in items if i.is_presentation] == ["Cleo"]
        assert rot.refresh(db, c.id) == []


def test_swap_is_one_action_and_the_ledger_counts_it(store: Store) -> None:
    c, _ = make_circle(store, names=("Ana", "Bob", "Cleo"))
    with store.write() as db:
        planned = planning.plan_sessions(db, circle_id=c.id, count=4).sessions
        first, second = rot.swap(
            db, sessions.get_session(db, planned[0].id), sessions.get_session(db, planned[1].id)
        )
    assert (first.presenter_name, second.presenter_name) == ("Bob", "Ana")
    assert {first.presenter_source, second.presenter_source} == {PresenterSource.MANUAL}
    with store.read() as db:
        rows = rot.preview(db, c.id, count=4)
    assert presenters(rows) == ["Bob", "Ana", "Cleo", "Bob"]
    assert rows[0].why is Why.MANUAL
    assert rows[0].reason == "swap: Ana gave 03 Mar to Bob and takes 10 Mar"
    with store.write() as db:
        for s in planned[:3]:
            factories.hold(db, sessions.get_session(db, s.id))
    with store.read() as db:
        ledger = {r.name: r for r in fairness.ledger(db, c.id).rows}
    assert (ledger["Ana"].swaps_given, ledger["Ana"].swaps_taken) == (1, 0)
    assert (ledger["Bob"].swaps_given, ledger["Bob"].swaps_taken) == (0, 1)
    assert [ledger[n].times_presented for n in ("Ana", "Bob", "Cleo")] == [1, 1, 1]


def test_swap_and_assign_refuse_what_makes_no_sense(store: Store) -> None:
    c, ids = make_circle(store, names=("Ana", "Bob"))
    with store.write() as db:
        planned = planning.plan_sessions(db, circle_id=c.id, count=3).sessions
        away.add_away(
            db, person_id=ids["Ana"], starts_on=date(2026, 3, 10), ends_on=date(2026, 3, 10), reason="dentist"
        )
    s0, s1, s2 = (planned[0].id, planned[1].id, planned[2].id)
    with store.write() as db, pytest.raises(NotAllowed, match=r"Ana is away on Tue 10 Mar \(dentist\)"):
        rot.swap(db, sessions.get_session(db, s0), sessions.get_session(db, s1))
    with store.write() as db, pytest.raises(NotAllowed, match="Ana is away"):
        rot.assign(db, sessions.get_session(db, s1), person_id=ids["Ana"])
    with store.write() as db, pytest.raises(InvalidInput, match="same session"):
        rot.swap(db, sessions.get_session(db, s0), sessions.get_session(db, s0))
    with store.write() as db:
        factories.hold(db, sessions.get_session(db, s0))
    with store.write() as db, pytest.raises(NotAllowed, match="already held"):
        rot.assign(db, sessions.get_session(db, s0), person_id=ids["Bob"])
    with store.write() as db:
        sessions.cancel_session(db, sessions.get_session(db, s2))
    with store.write() as db, pytest.raises(NotAllowed, match="cancelled"):
        rot.swap(db, sessions.get_session(db, s1), sessions.get_session(db, s2))


def test_assigning_from_a_stale_view_is_a_conflict(store: Store) -> None:
    c, ids = make_circle(store, names=("Ana", "Bob"))
    with store.write() as db:
        stale = planning.plan_sessions(db, circle_id=c.id, count=1).sessions[0]
        rot.assign(db, stale, person_id=ids["Bob"])
    # In the rotation tab's words, not the stored code ("presenter source is now 'manual'").
    with store.write() as db, pytest.raises(Conflict, match=r"how the presenter was chosen is now by hand\)"):
        rot.assign(db, stale, person_id=ids["Ana"])


def test_a_guest_takes_nobodys_turn_and_clearing_gives_the_session_back(store: Store) -> None:
    c, _ = make_circle(store, names=("Ana", "Bob"))
    with store.write() as db:
        planned = planning.plan_sessions(db, circle_id=c.id, count=3).sessions
        # Not a member of the circle, so a guest speaker even without the guest flag.
        outsider = people.add_person(db, name="Olu", email="olu@example.org")
        s = rot.assign(db, sessions.get_session(db, planned[0].id), person_id=outsider.id)
    assert s.presenter_source is PresenterSource.GUEST
    with store.read() as db:
        rows = rot.preview(db, c.id, count=3)
    assert presenters(rows) == ["Olu", "Ana", "Bob"]
    assert rows[0].reason == "guest speaker: takes nobody's turn"
    with store.write() as db:
        back = rot.clear_assignment(db, sessions.get_session(db, planned[0].id))
    assert (back.presenter_name, back.presenter_source) == ("Ana", PresenterSource.ROTATION)
    with store.write() as db, pytest.raises(NotAllowed, match="no manual presenter"):
        rot.clear_assignment(db, sessions.get_session(db, planned[0].id))


def test_the_ledger_over_a_date_range(store: Store) -> None:
    c, ids = make_circle(store, names=("Ana", "Bob", "Cleo"))
    with store.write() as db:
        planned = planning.plan_sessions(db, circle_id=c.id, count=6).sessions
        away.add_away(
            db, person_id=ids["Cleo"], starts_on=date(2026, 3, 17), ends_on=date(2026, 3, 17), reason="ill"
        )
        guest = people.add_person(db, name="Grace", email="grace@example.org", is_guest=True)
        rot.assign(db, sessions.get_session(db, planned[4].id), person_id=guest.id)
    with store.write() as db:
        for s in planned:
            factories.hold(db, sessions.get_session(db, s.id))
    with store.read() as db:
        everything = {r.name: r for r in fairness.ledger(db, c.id).rows}
        march = fairness.ledger(db, c.id, since=date(2026, 3, 10), until=date(2026, 3, 31))
    # Held: Ana 3 Mar, Bob 10 Mar, Ana 17 Mar (Cleo ill), Cleo 24 Mar, Grace 31 Mar, Bob 7 Apr.
    assert [everything[n].times_presented for n in ("Ana", "Bob", "Cleo")] == [2, 2, 1]
    assert everything["Cleo"].skips == ((date(2026, 3, 17), "away until 17 Mar (ill)"),)
    assert "Grace" not in everything
    by_name = {r.name: r for r in march.rows}
    assert [by_name[n].times_presented for n in ("Ana", "Bob", "Cleo")] == [1, 1, 1]
    assert [by_name[n].first_time for n in ("Ana", "Bob", "Cleo")] == [False, True, True]
    assert by_name["Ana"].last_presented == date(2026, 3, 17)
    assert march.first_time_presenters == ("Bob", "Cleo")
    assert (march.sessions_held, march.guest_sessions) == (4, 1)
    with store.read() as db, pytest.raises(InvalidInput, match=r"until .* is earlier than the first day"):
        fairness.ledger(db, c.id, since=date(2026, 4, 1), until=date(2026, 3, 1))


def test_members_out_of_rotation_who_left_or_are_guests_are_never_suggested(store: Store) -> None:
    c, ids = make_circle(store, names=("Ana", "Bob", "Cleo", "Dev"))
    with store.write() as db:
        members.update_member(
            db, members.current_membership(db, circle_id=c.id, person_id=ids["Ana"]), in_rotation=False
        )
        members.remove_member(db, circle_id=c.id, person_id=ids["Bob"])
        people.update_person(db, people.get_person(db, ids["Cleo"]), is_guest=True)
        planning.plan_sessions(db, circle_id=c.id, count=3)
    with store.read() as db:
        assert presenters(rot.preview(db, c.id, count=3)) == ["Dev", "Dev", "Dev"]


def test_agenda_templates_default_by_kind_and_can_be_edited(store: Store) -> None:
    c, _ = make_circle(store, names=("Ana",))
    with store.write() as db:
        lunch = circle_records.add_circle(db, name="Lunch", kind=CircleKind.LUNCH_AND_LEARN, timezone="UTC")
        cop = circle_records.add_circle(db, name="CoP", kind=CircleKind.COMMUNITY_OF_PRACTICE, timezone="UTC")
        assert [i.title for i in agenda_templates.template(db, lunch.id).items] == ["Talk", "Q&A", "Wrap-up"]
        assert [i.title for i in agenda_templates.template(db, cop.id).items][:2] == [
            "Show-and-tell",
            "Round of updates",
        ]
        items = [
            agenda_templates.parse_template_item(t) for t in ("Welcome:5", "Demo:40:presenter", "Questions")
        ]
        t = agenda_templates.set_template(db, c.id, items)
        assert t.custom and t.items[1] == agenda_templates.TemplateItem("Demo", 40, True)
        planned = planning.plan_sessions(db, circle_id=c.id, count=1).sessions[0]
        agenda_items = agenda.list_items(db, planned.id)
        assert [(i.title, i.minutes, i.presenter_name) for i in agenda_items] == [
            ("Welcome", 5, None), ("Demo", 40, "Ana"), ("Questions", None, None)
        ]  # fmt: skip
        assert not agenda_templates.reset_template(db, c.id).custom
        with pytest.raises(NotAllowed, match="already has an agenda"):
            agenda_templates.apply_template(db, sessions.get_session(db, planned.id))
        with pytest.raises(InvalidInput, match="is not written as TITLE"):
            agenda_templates.parse_template_item("Talk:thirty:minutes")
        with pytest.raises(InvalidInput, match="agenda template"):
            agenda_templates.set_template(db, c.id, [])


def test_skip_dates_can_be_listed_changed_and_removed(store: Store) -> None:
    c, _ = make_circle(store, names=("Ana",))
    with store.write() as db:
        series.add_skip_date(db, circle_id=c.id, day=date(2026, 12, 24), reason="")
        series.add_skip_date(db, circle_id=c.id, day=date(2026, 12, 24), reason="Christmas Eve")
        assert [(s.day, s.reason) for s in series.list_skip_dates(db, c.id)] == [
            (date(2026, 12, 24), "Christmas Eve")
        ]
        series.remove_skip_date(db, circle_id=c.id, day=date(2026, 12, 24))
        assert series.list_skip_dates(db, c.id) == []


def test_projected_rows_skip_past_dates_and_skip_dates(store: Store, clock) -> None:
    c, _ = make_circle(store, names=("Ana", "Bob"))
    clock.advance(days=1)  # Wednesday: this week's Tuesday is gone
    with store.write() as db:
        series.add_skip_date(db, circle_id=c.id, day=date(2026, 3, 17))
    with store.read() as db:
        rows = rot.preview(db, c.id, count=2)
    assert [r.starts_at.date() for r in rows] == [date(2026, 3, 10), date(2026, 3, 24)]
    assert not any(r.planned for r in rows)
    assert rows[0].starts_at.utcoffset() == timedelta(hours=1)


def test_joining_leaving_and_moving_keep_stored_presenters_current(store: Store) -> None:
    c, ids = make_circle(store, names=("Ana", "Bob"))
    with store.write() as db:
        planned = planning.plan_sessions(db, circle_id=c.id, count=2).sessions
    with store.write() as db:
        members.remove_member(db, circle_id=c.id, person_id=ids["Ana"])
    with store.read() as db:
        assert [sessions.get_session(db, s.id).presenter_name for s in planned] == ["Bob", "Bob"]
        assert [r.presenter_name for r in rot.preview(db, c.id, count=2)] == ["Bob", "Bob"]


def _luca_mateo_hana(store: Store) -> tuple[CircleView, dict[str, int], list[int]]:
    """Mondays from 30 Nov; Luca, Mateo and Hana joined in that order, so that is the rotation."""
    with store.write() as db:
        ids = {}
        c = circle_records.add_circle(db, name="Go Club", kind="learning-circle", timezone="Europe/Berlin")
        for k, name in enumerate(("Luca", "Mateo", "Hana")):
            ids[name] = people.add_person(db, name=name, email=f"{name.lower()}@example.org").id
            joined = datetime(2026, 2, 1, 9, tzinfo=UTC) + timedelta(days=k)
            members.add_member(db, circle_id=c.id, person_id=ids[name], joined_at=joined)
        c = series.set_cadence(db, c, "weekly on mon at 12:00")
        planned = planning.plan_sessions(db, circle_id=c.id, count=5, start=date(2026, 11, 30)).sessions
    return c, ids, [s.id for s in planned]


def _links(store: Store, ids: list[int]) -> list[int | None]:
    with store.read() as db:
        return [db.get(CircleSession, i).swapped_with_id for i in ids]  # type: ignore[union-attr]


def test_a_swap_changes_the_two_sessions_only_until_one_is_assigned_again(store: Store) -> None:
    """Luca gives 30 Nov to Hana and takes her 14 Dec: Mateo keeps 7 Dec. Assigning either of
    the two by hand afterwards ends the swap's link, and the plain rule decides again."""
    c, ids, planned = _luca_mateo_hana(store)
    with store.read() as db:
        assert presenters(rot.preview(db, c.id, count=5)) == ["Luca", "Mateo", "Hana", "Luca", "Mateo"]
    with store.write() as db:
        rot.swap(db, sessions.get_session(db, planned[0]), sessions.get_session(db, planned[2]))
    assert _links(store, planned) == [planned[2], None, planned[0], None, None]
    with store.read() as db:
        rows = rot.preview(db, c.id, count=5)
        stored = [sessions.get_session(db, i).presenter_name for i in planned]
    assert presenters(rows) == stored == ["Hana", "Mateo", "Luca", "Hana", "Mateo"]
    assert rows[2].reason == "swap: Luca gave 30 Nov to Hana and takes 14 Dec"
    assert [r.swapped_with for r in rows] == [planned[2], None, planned[0], None, None]
    assert rows[1].reason == "not presented yet (joined 02 Feb)"

    # Holding the earlier one changes no later pick.
    with store.write() as db:
        factories.hold(db, sessions.get_session(db, planned[0]))
    with store.read() as db:
        assert presenters(rot.preview(db, c.id, count=4)) == ["Mateo", "Luca", "Hana", "Mateo"]

    with store.write() as db:
        rot.assign(db, sessions.get_session(db, planned[2]), person_id=ids["Luca"], note="volunteered")
    assert _links(store, planned) == [None] * 5
    with store.read() as db:
        rows = rot.preview(db, c.id, count=4)
    # The plain rule: Hana presented 30 Nov, so Luca is first in line on 7 Dec (and still has 14 Dec).
    assert presenters(rows) == ["Luca", "Luca", "Mateo", "Hana"]


def test_giving_a_swapped_session_back_or_swapping_it_again_unlinks_its_partner(store: Store) -> None:
    _, _, planned = _luca_mateo_hana(store)
    with store.write() as db:
        rot.swap(db, sessions.get_session(db, planned[0]), sessions.get_session(db, planned[2]))
        rot.swap(db, sessions.get_session(db, planned[2]), sessions.get_session(db, planned[3]))
    # 14 Dec is swapped anew: 30 Nov's link to it is gone, not left pointing one way.
    assert _links(store, planned) == [None, None, planned[3], planned[2], None]
    with store.write() as db:
        rot.clear_assignment(db, sessions.get_session(db, planned[3]))
    assert _links(store, planned) == [None] * 5


def test_giving_back_one_half_of_a_swap_leaves_the_other_a_hand_assignment_not_a_swap(store: Store) -> None:
    """Luca gave 30 Nov to Hana and takes her 14 Dec; 30 Nov is then given back. Luca still
    presents on 14 Dec (he agreed to), but its reason no longer says he took it in a swap."""
    c, ids, planned = _luca_mateo_hana(store)
    with store.write() as db:
        rot.swap(db, sessions.get_session(db, planned[0]), sessions.get_session(db, planned[2]))
        rot.clear_assignment(db, sessions.get_session(db, planned[0]))
    with store.read() as db:
        rows = {r.session.id: r for r in rot.preview(db, c.id, count=5) if r.session}
        kept = sessions.get_session(db, planned[2])
    assert (kept.presenter_name, kept.presenter_source) == ("Luca", PresenterSource.MANUAL)
    assert rows[planned[2]].reason == "assigned by hand: kept when the swap with 30 Nov was undone"
    assert not any(r.reason.startswith("swap:") for r in rows.values())
    # Assigned again by a person, the session says that instead.
    with store.write() as db:
        rot.assign(db, sessions.get_session(db, planned[2]), person_id=ids["Mateo"])
    with store.read() as db:
        rows = {r.session.id: r for r in rot.preview(db, c.id, count=5) if r.session}
    assert rows[planned[2]].reason == "assigned by hand"


def test_an_undone_swap_is_no_longer_counted_in_the_ledger(store: Store) -> None:
    """Luca gives 30 Nov to Hana and takes her 14 Dec, then gives 14 Dec to Mateo and takes
    his 7 Dec: only that second swap stands. Once 7 Dec is given back, no swap does."""
    c, _, planned = _luca_mateo_hana(store)

    def swaps() -> dict[str, tuple[int, int]]:
        with store.read() as db:
            rows = fairness.ledger(db, c.id).rows
        return {r.name: (r.swaps_given, r.swaps_taken) for r in rows}

    with store.write() as db:
        rot.swap(db, sessions.get_session(db, planned[0]), sessions.get_session(db, planned[2]))
    assert swaps() == {"Hana": (0, 1), "Luca": (1, 0), "Mateo": (0, 0)}
    with store.write() as db:
        rot.swap(db, sessions.get_session(db, planned[2]), sessions.get_session(db, planned[1]))
    assert swaps() == {"Hana": (0, 0), "Luca": (1, 0), "Mateo": (0, 1)}
    with store.write() as db:
        rot.clear_assignment(db, sessions.get_session(db, planned[1]))
    assert swaps() == {"Hana": (0, 0), "Luca": (0, 0), "Mateo": (0, 0)}


def test_any_presenter_a_person_sets_ends_the_swap_it_was_half_of(store: Store) -> None:
    """The link ends where presenters are written, not in each rotation action: a future
    action that sets a presenter cannot leave a swap half-linked."""
    _, ids, planned = _luca_mateo_hana(store)
    with store.write() as db:
        rot.swap(db, sessions.get_session(db, planned[0]), sessions.get_session(db, planned[2]))
        sessions.set_presenter(
            db, sessions.get_session(db, planned[0]), presenter_id=ids["Mateo"], source=PresenterSource.MANUAL
        )
    assert _links(store, planned) == [None] * 5
