"""One programme, in tabs: its participants, the matching proposals (confirm, swap, lock, reject,
re-run), its pairs and its rounds."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from circles.errors import CirclesError
from circles.matching import Review
from circles.programme_views import (
    ConfirmedRound,
    PairView,
    ParticipantView,
    ProgrammeView,
    ProposalView,
    RoundView,
)
from screens.dialogs import ConfirmScreen
from screens.footer import Footer
from screens.format import safe
from screens.table import Table
from screens.work import run_db, show_error


@dataclass(frozen=True)
class ProgrammeData:
    programme: ProgrammeView
    participants: list[ParticipantView]
    pairs: list[PairView]
    rounds: list[RoundView]


def load_programme(db: object, programme_id: int, *, include_ended: bool = False) -> ProgrammeData:
    from circles.services import pairs, programmes

    return ProgrammeData(
        programmes.get_programme(db, programme_id),  # type: ignore[arg-type]
        programmes.list_participants(db, programme_id),  # type: ignore[arg-type]
        pairs.list_pairs(db, programme_id, include_ended=include_ended),  # type: ignore[arg-type]
        pairs.list_rounds(db, programme_id),  # type: ignore[arg-type]
    )


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


PARTICIPANT_ACTIONS = {"join", "leave", "resume"}
PROPOSAL_ACTIONS = {"rerun", "confirm", "swap", "lock", "reject", "next_seed"}
PAIR_ACTIONS = {"toggle_ended"}


class ProgrammeScreen(Screen[None]):
    HELP = (
        "A programme's participants, proposals, pairs and rounds (1-4 switch tabs). Proposals are "
        "not pairs until confirmed (c): lock (l) the ones you like, reject (x) the ones you don't, "
        "swap (s on one, then s on another) partners, and re-run (r) the rest."
    )
    BINDINGS = [
        Binding("1", "tab('participants')", "Participants", show=False),
        Binding("2", "tab('proposals')", "Proposals", show=False),
        Binding("3", "tab('pairs')", "Pairs", show=False),
        Binding("4", "tab('rounds')", "Rounds", show=False),
        Binding("j", "join", "Join", tooltip="Pick a person to join the programme"),
        Binding("x", "leave", "Leave", tooltip="The highlighted person leaves (their pairs end early)"),
        Binding("u", "resume", "Resume", tooltip="End the highlighted person's pause"),
        Binding("r", "rerun", "Re-run", tooltip="Match again around the locked and rejected proposals"),
        Binding("c", "confirm", "Confirm", tooltip="Make the proposals pairs (a new round)"),
        Binding("s", "swap", "Swap", tooltip="Press on one proposal, then on another: they swap partners"),
        Binding("l", "lock", "Lock", tooltip="Keep this proposal as it is when re-running"),
        Binding("x", "reject", "Reject", tooltip="Never propose this pair again (until you leave)"),
        Binding("plus", "next_seed", "Other seed", show=False, tooltip="Break ties another way"),
        Binding("a", "toggle_ended", "Ended too", tooltip="Show pairs that ended as well"),
    ]

    def __init__(self, programme_id: int) -> None:
        super().__init__()
        self.programme_id = programme_id
        self.data: ProgrammeData | None = None
        self.proposal: ProposalView | None = None
        self.seed = 0
        self.locked: list[tuple[int, ...]] = []
        self.rejected: set[frozenset[int]] = set()
        self.swapping: tuple[int, ...] | None = None
        self.include_ended = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="programme-summary", markup=False)
        with TabbedContent(id="tabs", initial="participants"):
            with TabPane("Participants", id="participants"):
                yield Table(id="participant-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Proposals", id="proposals"):
                yield Table(id="proposal-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="proposal-note", classes="hint", markup=False)
            with TabPane("Pairs", id="pairs"):
                yield Table(id="pair-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Rounds", id="rounds"):
                yield Table(id="round-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#participant-table", DataTable).add_columns(
            "Name", "As", "Team", "Places", "Offers", "Wants", "Timezone", "Status"
        )
        self.query_one("#proposal-table", DataTable).add_columns("#", "People", "Why", "")
        self.query_one("#pair-table", DataTable).add_columns(
            "Pair", "People", "Status", "Since", "Meetings", "Met", "Why / how it ended"
        )
        self.query_one("#round-table", DataTable).add_columns(
            "Round", "On", "Seed", "Pairs", "Met", "Did not", "No answer"
        )
        self.reload()

    def on_screen_resume(self) -> None:
        if self.data is not None:
            self.reload()

    def reload(self) -> None:
        ended = self.include_ended
        run_db(self, lambda db: load_programme(db, self.programme_id, include_ended=ended), self.show)

    def show(self, data: ProgrammeData) -> None:
        self.data = data
        p = data.programme
        self.title = p.name
        self.sub_title = p.kind.label
        dates = " to ".join(f"{d:%d %b %Y}" for d in (p.starts_on, p.ends_on) if d)
        size = " · trios" if p.group_size == 3 else ""
        self.query_one("#programme-summary", Static).update(
            f"{p.kind.label}{size} · {len(data.participants)} people · {len(data.pairs)} "
            f"{'pairs' if self.include_ended else 'active pairs'} · {_count(len(data.rounds), 'round')}"
            + (f" · {dates}" if dates else "")
            + (f" · meets {p.cadence}" if p.cadence else "")
            + f" · {p.repeat_rule}"
            + ("" if not p.allow_same_team else " · same team allowed")
        )
        self._fill_participants(data.participants)
        if self.active_tab in ("pairs", "rounds"):
            self._fill_pairs_and_rounds()

    def _fill(self, table_id: str, rows: list[tuple[str, tuple[object, ...]]]) -> None:
        table = self.query_one(table_id, DataTable)
        row = table.cursor_row
        table.clear()
        for key, cells in rows:
            table.add_row(*safe(*cells), key=key)
        if rows:
            table.move_cursor(row=min(row, len(rows) - 1))

    def _fill_participants(self, found: list[ParticipantView]) -> None:
        self._fill(
            "#participant-table",
            [
                (
                    str(x.person_id),
                    (
                        x.name,
                        x.role.value,
                        x.team or "",
                        f"{x.active_pairs}/{x.capacity}" if x.role.value == "mentor" else "",
                        ", ".join(x.offers),
                        ", ".join(x.wants),
                        x.timezone,
                        x.pause_text or ("in a pair" if x.active_pairs else ""),
                    ),
                )
                for x in found
            ],
        )

    def _fill_pairs_and_rounds(self) -> None:
        if self.data is None:
            return
        met = {True: "yes", False: "no", None: ""}
        self._fill(
            "#pair-table",
            [
                (
                    str(x.id),
                    (
                        str(x.id),
                        x.names,
                        x.status.label,
                        f"{x.started_on:%d %b %Y}",
                        str(x.meetings),
                        met[x.met],
                        x.reasons if x.status.value == "active" else x.end_reason,
                    ),
                )
                for x in self.data.pairs
            ],
        )
        self._fill(
            "#round-table",
            [
                (
                    str(r.id),
                    (
                        str(r.number),
                        f"{r.held_on:%d %b %Y}",
                        str(r.seed),
                        str(r.pairs),
                        str(r.met),
                        str(r.not_met),
                        str(r.no_answer),
                    ),
                )
                for r in self.data.rounds
            ],
        )

    # -- which keys apply -------------------------------------------------------------

    @property
    def active_tab(self) -> str:
        # The footer may ask which keys apply before the tabs are mounted.
        tabs = self.query(TabbedContent)
        return tabs.first().active if tabs else "participants"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tab = self.active_tab
        if action in PARTICIPANT_ACTIONS:
            return tab == "participants"
        if action in PROPOSAL_ACTIONS:
            return tab == "proposals"
        if action in PAIR_ACTIONS:
            return tab == "pairs"
        return True

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()
        tab = self.active_tab
        if tab == "proposals" and self.proposal is None:
            self.action_rerun()
        if tab in ("pairs", "rounds"):
            self._fill_pairs_and_rounds()
        self.query_one(f"#{tab[:-1] if tab != 'proposals' else 'proposal'}-table").focus()

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    # -- participants -----------------------------------------------------------------

    def _participant(self) -> ParticipantView | None:
        table = self.query_one("#participant-table", DataTable)
        if self.data is None or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((x for x in self.data.participants if str(x.person_id) == key), None)

    def _write(self, job: object, message: str, then: object = None) -> None:
        def done(result: object) -> None:
            self.notify(message, markup=False)
            self.proposal = None  # the pool changed: proposals are made again when looked at
            self.reload()
            if then is not None:
                then(result)  # type: ignore[operator]

        run_db(self, job, done, write=True, group="write", exclusive=False)  # type: ignore[arg-type]

    def action_join(self) -> None:
        from screens.picker import PersonPicker
        from screens.programme_forms import join_form

        if self.data is None:
            return
        programme = self.data.programme
        current = {x.person_id for x in self.data.participants}

        def picked(person: object) -> None:
            if person is None:
                return

            def joined(part: object) -> None:
                if part is not None:
                    self.notify(f"{person.name} joined {programme.name}.", markup=False)  # type: ignore[attr-defined]
                    self.proposal = None
                    self.reload()

            self.app.push_screen(join_form(programme, person.id, person.name), joined)  # type: ignore[attr-defined]

        self.app.push_screen(PersonPicker(f"Who joins {programme.name}?", exclude=current), picked)

    @work
    async def action_leave(self) -> None:
        from circles.services import programmes

        x = self._participant()
        if x is None:
            return
        question = (
            f"{x.name} leaves {x.programme_id and self.title}? Their active pairs end early; history stays."
        )
        if await self.app.push_screen_wait(ConfirmScreen(question, "Leave")):
            self._write(lambda db: programmes.leave(db, self.programme_id, x.person_id), f"{x.name} left.")

    def action_resume(self) -> None:
        from circles.services import programmes

        x = self._participant()
        if x is not None and x.paused_until is not None:
            self._write(
                lambda db: programmes.pause(db, self.programme_id, x.person_id, until=None),
                f"{x.name} is matched again.",
            )

    # -- proposals --------------------------------------------------------------------

    def _review(self) -> Review:
        return Review(locked=tuple(self.locked), rejected=frozenset(self.rejected))

    def action_rerun(self) -> None:
        from circles.services import pairing

        review, seed = self._review(), self.seed
        self.query_one("#proposal-note", Static).update("Matching…")
        run_db(
            self,
            lambda db: pairing.propose(db, self.programme_id, seed=seed, review=review),
            self._show_proposal,
            group="match",
        )

    def action_next_seed(self) -> None:
        self.seed += 1
        self.action_rerun()

    def _show_proposal(self, proposal: ProposalView) -> None:
        self.proposal = proposal
        self._fill(
            "#proposal-table",
            [
                (
                    "/".join(map(str, g.ids)),
                    (
                        str(n),
                        g.names,
                        g.reasons,
                        "locked" if g.locked else ("swap with…" if g.ids == self.swapping else ""),
                    ),
                )
                for n, g in enumerate(proposal.groups, start=1)
            ],
        )
        lines = [
            f"{len(proposal.groups)} proposed on {proposal.on:%d %b %Y} (seed {proposal.seed}); "
            "nothing is saved until you confirm (c)."
        ]
        lines += [f"Not matched: {u.person.name}: {u.reason}" for u in proposal.unmatched]
        lines += [f"Will be paused: {g.name} (no answer for 3 rounds)" for g in proposal.ghosts]
        if self.rejected:
            lines.append(f"{len(self.rejected)} rejected pair(s) are never proposed again here.")
        self.query_one("#proposal-note", Static).update("\n".join(lines))

    def _group(self) -> tuple[int, ...] | None:
        table = self.query_one("#proposal-table", DataTable)
        if self.proposal is None or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return tuple(int(x) for x in key.split("/")) if key else None

    def action_lock(self) -> None:
        g = self._group()
        if g is None:
            return
        if g in self.locked:
            self.locked.remove(g)
        else:
            self.locked.append(g)
        self.action_rerun()

    def action_reject(self) -> None:
        g = self._group()
        if g is None:
            return
        if g in self.locked:
            self.locked.remove(g)
        for a in g:
            for b in g:
                if a < b:
                    self.rejected.add(frozenset((a, b)))
        self.action_rerun()

    def action_swap(self) -> None:
        from circles.services import pairing

        g = self._group()
        if g is None or self.proposal is None:
            return
        if self.swapping is None or self.swapping == g:
            self.swapping = None if self.swapping == g else g
            self._show_proposal(self.proposal)
            if self.swapping:
                self.notify("Now highlight the proposal to swap partners with, and press s again.")
            return
        first, second = self.swapping, g
        self.swapping = None
        # The first person (the mentor) of each keeps their place; the others trade.
        one = (first[0], *second[1:])
        two = (second[0], *first[1:])
        locked = [x for x in self.locked if x not in (first, second)] + [one, two]
        review = Review(locked=tuple(locked), rejected=frozenset(self.rejected))

        def job(db: object) -> ProposalView:
            pairing.check_group(db, self.programme_id, one, review=review)  # type: ignore[arg-type]
            pairing.check_group(db, self.programme_id, two, review=review)  # type: ignore[arg-type]
            return pairing.propose(db, self.programme_id, seed=self.seed, review=review)  # type: ignore[arg-type]

        def swapped(proposal: ProposalView) -> None:
            self.locked = locked
            self._show_proposal(proposal)
            self.notify("Swapped; both are locked. Re-run (r) matches the rest around them.")

        def refused(error: CirclesError) -> None:
            show_error(self, error)
            if self.proposal is not None:
                self._show_proposal(self.proposal)  # the "swap with…" mark goes; nothing changed

        run_db(self, job, swapped, group="match", failed=refused)

    @work
    async def action_confirm(self) -> None:
        from circles.services import pairing

        proposal = self.proposal
        if proposal is None or not proposal.groups:
            self.notify("Nothing to confirm: match first (r).")
            return
        kind = "round" if proposal.programme.kind.has_rounds else "set of pairs"
        question = f"Confirm these {len(proposal.groups)} as a new {kind} dated {proposal.on:%d %b %Y}?"
        if not await self.app.push_screen_wait(ConfirmScreen(question, "Confirm")):
            return
        review, seed, expected = self._review(), proposal.seed, proposal.signature

        def job(db: object) -> ConfirmedRound:
            return pairing.confirm(db, self.programme_id, seed=seed, review=review, expected=expected)  # type: ignore[arg-type]

        def confirmed(result: ConfirmedRound) -> None:
            self.locked, self.rejected, self.proposal = [], set(), None
            self._fill("#proposal-table", [])
            self.query_one("#proposal-note", Static).update("Confirmed. Press r to match again.")
            for g in result.ghosts:
                self.notify(
                    f"Paused {g.name}: no answer to 'did you meet?' for 3 rounds.",
                    severity="warning",
                    markup=False,
                )
            self.notify(f"Round {result.round.number}: {len(result.pairs)} pairs made.", markup=False)
            self.reload()
            self.action_tab("pairs")

        run_db(self, job, confirmed, write=True, group="write", exclusive=False)

    # -- pairs ------------------------------------------------------------------------

    def action_toggle_ended(self) -> None:
        self.include_ended = not self.include_ended
        self.reload()

    @on(DataTable.RowSelected, "#pair-table")
    def _open_pair(self, event: DataTable.RowSelected) -> None:
        from screens.pair import PairScreen

        if event.row_key.value is not None:
            self.app.push_screen(PairScreen(int(event.row_key.value)))

    @on(DataTable.RowSelected, "#participant-table")
    def _open_person(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.open_person(int(event.row_key.value))  # type: ignore[attr-defined]
