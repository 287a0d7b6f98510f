"""One programme, in tabs: its participants, the matching proposals (confirm, swap, lock, reject,
re-run), its pairs and its rounds; and the programme itself (rename, archive, delete)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from circles.days import day_said
from circles.errors import CirclesError
from circles.feedback_views import tell_apart
from circles.programme_views import (
    ConfirmedRound,
    PairView,
    ParticipantView,
    ProgrammeSummary,
    ProgrammeView,
    ProposalView,
    RoundView,
)
from circles.words import count
from screens.dialogs import ConfirmScreen
from screens.footer import Footer
from screens.header import Header
from screens.live import LiveScreen
from screens.opening import ReadsFirst
from screens.paged import PagedTable
from screens.phrases import PhraseLine
from screens.styled_once import StyledOnceScreen
from screens.tabs import TabPane, Tabs
from screens.typed_app import circles_app
from screens.work import run_db, show_error

if TYPE_CHECKING:
    from circles.store_access import Db
    from circles.views import PersonView


@dataclass(frozen=True)
class ProgrammeData:
    """What the screen shows as it opens: the summary line and the Participants tab. Pairs,
    rounds and proposals are read when their tab is first opened."""

    summary: ProgrammeSummary
    participants: list[ParticipantView]


def load_programme(db: Db, programme_id: int) -> ProgrammeData:
    from circles.services import programmes

    return ProgrammeData(
        programmes.summary(db, programme_id),
        programmes.list_participants(db, programme_id),
    )


def load_pairs(db: Db, programme_id: int, *, include_ended: bool) -> list[PairView]:
    from circles.services import pairs

    return pairs.list_pairs(db, programme_id, include_ended=include_ended)


def load_rounds(db: Db, programme_id: int) -> list[RoundView]:
    from circles.services import pairs

    return pairs.list_rounds(db, programme_id)


# The Participants tab's columns: (label, priority, min_width) as Table.add_column takes them. At
# 80 columns the text columns are shortened rather than hidden whole (a pause or what a person
# offers went missing); the time zone gives way first.
PARTICIPANT_COLUMNS = (
    ("Name", 0, 12), ("As", 1, None), ("Team", 5, 8), ("Places", 3, None), ("Topics", 4, 12),
    ("Offers", 4, 10), ("Wants", 4, 10), ("Timezone", 7, None), ("Status", 2, 10),
)  # fmt: skip
# Buddy and coffee programmes have members only: "As" said "member" on every row and "Places"
# (a mentor's mentees) nothing, and at 80 columns their room cut a pause short.
NOT_IN_ROUNDS = ("As", "Places", "Topics")
# A mentor offers topics and a mentee wants them (the form asks each for that one, and matching
# reads only those): as two columns, each row left one blank, and at 80 columns both were cut to
# a word ("Technical W…"). One column holds each person's side. Members of rounds match on
# everything they offer and want, so those programmes keep both.
ONLY_IN_ROUNDS = ("Offers", "Wants")


def _participant_cells(x: ParticipantView, labels: list[str], name: str, today: date) -> tuple[str, ...]:
    """A participant's cells under the columns ``labels`` (see PARTICIPANT_COLUMNS), ``name``
    as the list shows it (namesakes told apart)."""
    cells = {
        "Name": name,
        "As": x.role.value,
        "Team": x.team or "",
        "Places": f"{x.active_pairs}/{x.capacity}" if x.role.value == "mentor" else "",
        "Topics": ", ".join(x.offers if x.role.value == "mentor" else x.wants),
        "Offers": ", ".join(x.offers),
        "Wants": ", ".join(x.wants),
        "Timezone": x.timezone,
        "Status": x.standing(today) or ("in a pair" if x.active_pairs else ""),
    }
    return tuple(cells[label] for label in labels)


def group_key(ids: tuple[int, ...]) -> str:
    """A proposal's row key: its people, the mentor first."""
    return "/".join(map(str, ids))


PARTICIPANT_ACTIONS = {"join", "leave", "resume"}
PROPOSAL_ACTIONS = {"rerun", "confirm", "swap", "lock", "reject", "next_seed", "forget_rejections"}
PAIR_ACTIONS = {"toggle_ended"}
# Each tab's table, built when the tab is first opened (the Participants one with the screen).
TABLES = {
    "participants": "#participant-table",
    "proposals": "#proposal-table",
    "pairs": "#pair-table",
    "rounds": "#round-table",
}


class ProgrammeScreen(ReadsFirst, LiveScreen, StyledOnceScreen):
    # What its tabs show of the programme: a change to these looks again (the tabs opened, and
    # the proposals made again if they are on view), keeping the tab and each table's row.
    SHOWS = frozenset(
        {
            "programme", "programme_participant", "programme_round", "programme_pair", "pair_member",
            "pair_meeting", "proposal_decision", "person",
        }
    )  # fmt: skip
    HELP = (
        "A programme's participants, proposals, pairs and rounds (1-4 switch tabs). Proposals are "
        "not pairs until confirmed (c): lock (l) the ones you like, reject (x) the ones you don't, "
        "swap (s on one, then s on another) partners, and re-run (r) the rest. Locks and rejections "
        "are kept: the command line and the next visit match around them too; U takes the "
        "rejections back. ctrl+e renames the programme, A archives it (or brings it back), D deletes "
        "one that never had pairs."
    )
    # The participants have the focus from the start, as their tab would give it
    # (_tab_changed): focused first on the tabs, then moved, the table was styled and drawn
    # whole again after the first frame, and the footer rebuilt.
    AUTO_FOCUS = "#participant-table"
    BINDINGS = [
        Binding("1", "tab('participants')", "Participants", show=False),
        Binding("2", "tab('proposals')", "Proposals", show=False),
        Binding("3", "tab('pairs')", "Pairs", show=False),
        Binding("4", "tab('rounds')", "Rounds", show=False),
        Binding("j", "join", "Join", tooltip="Pick a person to join the programme"),
        Binding("x", "leave", "Leave", tooltip="The highlighted person leaves (their pairs end early)"),
        # Not u: done at once, unasked, to the highlighted person, and "luca" typed on the
        # participants to find Luca put whoever was highlighted back into matching.
        Binding("ctrl+r", "resume", "Resume", tooltip="End the highlighted person's pause"),
        Binding("r", "rerun", "Re-run", tooltip="Match again around the locked and rejected proposals"),
        Binding("c", "confirm", "Confirm", tooltip="Make the proposals pairs (a new round)"),
        Binding("s", "swap", "Swap", tooltip="Press on one proposal, then on another: they swap partners"),
        Binding("l", "lock", "Lock", tooltip="Keep this proposal as it is (press again to unlock)"),
        Binding("x", "reject", "Reject", tooltip="Never propose this pair again in this programme"),
        Binding("U", "forget_rejections", "Un-reject", show=False, tooltip="Take every rejection back"),
        Binding("plus", "next_seed", "Other seed", show=False, tooltip="Break ties another way"),
        Binding("a", "toggle_ended", "Ended too", tooltip="Show pairs that ended as well"),
        # Not e: "emeka" typed on the participants to find Emeka opened this form with "meka"
        # over the programme's name, and Enter saved it (as People's Edit did: ctrl+e there too).
        Binding("ctrl+e", "edit", "Edit", tooltip="Change the programme's name or dates"),
        Binding("A", "archive", "Archive", tooltip="Hide the programme from lists; its history stays"),
        Binding("A", "unarchive", "Unarchive", tooltip="Bring the archived programme back"),
        Binding("D", "delete", "Delete", tooltip="Delete the programme (only one that never had pairs)"),
    ]

    def __init__(self, programme_id: int) -> None:
        super().__init__()
        self.programme_id = programme_id
        self.data: ProgrammeData | None = None
        self.pairs: list[PairView] | None = None
        self.rounds: list[RoundView] | None = None
        self.proposal: ProposalView | None = None
        self.seed = 0
        self.swapping: tuple[int, ...] | None = None
        self.include_ended = False
        self._tabs: Tabs | None = None  # found when first needed (active_tab)

    def compose(self) -> ComposeResult:
        yield Header()
        yield PhraseLine("", id="programme-summary", markup=False)
        with Tabs(id="tabs", initial="participants"):
            with TabPane("1 Participants", id="participants"):
                yield PagedTable(
                    id="participant-table", cursor_type="row", zebra_stripes=True, first_screenful=True
                )
            # Built when first opened (see _tab_changed): the participants should not wait for
            # a matching run, nor for every pair the programme ever had.
            yield TabPane("2 Proposals", id="proposals")
            yield TabPane("3 Pairs", id="pairs")
            yield TabPane("4 Rounds", id="rounds")
        yield Footer()

    def on_mount(self) -> None:
        # Read before the screen was pushed (open_programme): its first frame shows them.
        self.take_first("programme", ProgrammeData, self.show, self.reload)

    def on_screen_resume(self) -> None:
        if self.coming_back() and self.data is not None:
            self.reload()

    # -- loading ---------------------------------------------------------------------

    def about(self) -> dict[str, int | None]:
        return {"programme": self.programme_id}

    def reload(self) -> None:
        """The summary and participants; and the other tabs' data if they were opened."""
        run_db(self, lambda db: load_programme(db, self.programme_id), self.show)
        if self.pairs is not None:
            self._load_pairs()
        if self.rounds is not None:
            self._load_rounds()
        if self.active_tab == "proposals" and self.query("#proposal-table"):
            self.action_rerun()

    def _load_pairs(self) -> None:
        ended = self.include_ended
        run_db(
            self,
            lambda db: load_pairs(db, self.programme_id, include_ended=ended),
            self._fill_pairs,
            group="pairs",
        )

    def _load_rounds(self) -> None:
        run_db(self, lambda db: load_rounds(db, self.programme_id), self._fill_rounds, group="rounds")

    def show(self, data: ProgrammeData) -> None:
        self.data = data
        s = data.summary
        p = s.programme
        self.title = p.name
        self.sub_title = p.kind.label + (" · archived" if p.archived else "")
        # A date alone said nothing of what it was ("6 rounds · 12 Oct 2026"): say from or until.
        today = circles_app(self).today()
        dates = " to ".join(day_said(d, today) for d in (p.starts_on, p.ends_on) if d)
        if bool(p.starts_on) != bool(p.ends_on):
            dates = ("from " if p.starts_on else "until ") + dates
        self.query_one("#programme-summary", PhraseLine).show(
            "ARCHIVED (A brings it back)" if p.archived else None,
            p.kind.label,
            "trios" if p.group_size == 3 else None,
            count(s.participants, "person", "people"),
            count(s.active_pairs, "active pair"),
            count(s.rounds, "round"),
            dates,
            f"meets {p.cadence}" if p.cadence else None,
            p.repeat_rule,
            "same team allowed" if p.allow_same_team else None,
        )
        self.refresh_bindings()  # archive or unarchive; delete only without rounds
        table = self.query_one("#participant-table", PagedTable)
        if not table.columns:  # a programme's kind never changes: its columns are made once
            for label, priority, min_width in PARTICIPANT_COLUMNS:
                if label not in (NOT_IN_ROUNDS if p.kind.has_rounds else ONLY_IN_ROUNDS):
                    # A name loses its middle: namesakes are told apart at its end (no. 12).
                    cut_middle = label == "Name"
                    table.add_column(
                        label, priority=priority, min_width=min_width, key=label, cut_middle=cut_middle
                    )
        shown = [str(key.value) for key in table.columns]
        # Two Aiko Diazes of one team (the large demo has such) read as one person listed twice.
        names = tell_apart([(x.person_id, x.name, x.team) for x in data.participants])
        table.fill(
            [
                (str(x.person_id), _participant_cells(x, shown, names[x.person_id], today))
                for x in data.participants
            ]
        )

    def _fill_pairs(self, found: list[PairView]) -> None:
        self.pairs = found
        met = {True: "yes", False: "no", None: ""}
        today = circles_app(self).today()
        # Namesakes told apart as on the participants tab (a person in several pairs is one).
        people = {p.person_id: (p.person_id, p.name, None) for x in found for p in x.people}
        names = tell_apart(list(people.values()))
        self.query_one("#pair-table", PagedTable).fill(
            [
                (
                    str(x.id),
                    (
                        str(x.id),
                        " & ".join(names[p.person_id] for p in x.people),
                        x.status.label,
                        day_said(x.started_on, today),
                        str(x.meetings_held),
                        met[x.met],
                        x.reasons if x.status.value == "active" else x.end_reason,
                    ),
                )
                for x in found
            ]
        )
        self.query_one("#pairs-note", Static).update(
            f"{count(len(found), 'pair')}{'' if self.include_ended else ' active'}; "
            + ("a hides those that ended." if self.include_ended else "a shows those that ended too.")
        )

    def _fill_rounds(self, found: list[RoundView]) -> None:
        self.rounds = found
        today = circles_app(self).today()
        self.query_one("#round-table", PagedTable).fill(
            [
                (
                    str(r.id),
                    (
                        str(r.number),
                        day_said(r.held_on, today),
                        str(r.seed),
                        str(r.pairs),
                        str(r.met),
                        str(r.not_met),
                        str(r.no_answer),
                    ),
                )
                for r in found
            ]
        )

    async def _build_tab(self, tab: str, pane: TabPane) -> None:
        table = PagedTable(id=TABLES[tab][1:], cursor_type="row", zebra_stripes=True)
        if tab == "proposals":
            await pane.mount_all(
                [
                    table,
                    Static("", id="proposal-why", classes="hint", markup=False),
                    # Who was not matched, who will be paused: dozens of lines in a big
                    # programme, scrolled under the proposals rather than taking their room.
                    VerticalScroll(
                        Static("", id="proposal-note", classes="hint", markup=False), id="proposal-notes"
                    ),
                ]
            )
            # The reasons are why a proposal is trusted: shortened in the table at 80 columns,
            # so the highlighted one is said in full under it.
            for label, min_width in (("#", None), ("People", 16), ("Why", 16), ("", None)):
                table.add_column(label, min_width=min_width)
            self.action_rerun()
        elif tab == "pairs":
            await pane.mount_all([table, Static("", id="pairs-note", classes="hint", markup=False)])
            for label, priority, min_width in (
                ("Pair", 0, None), ("People", 1, 24), ("Status", 2, None), ("Since", 5, None),
                ("Meetings", 4, None), ("Met", 6, None), ("Why / how it ended", 3, 16),
            ):  # fmt: skip
                table.add_column(label, priority=priority, min_width=min_width)
            self._load_pairs()
        else:
            await pane.mount(table)
            table.add_columns("Round", "On", "Seed", "Pairs", "Met", "Did not", "No answer")
            self._load_rounds()

    # -- which keys apply -------------------------------------------------------------

    @property
    def active_tab(self) -> str:
        # The footer asks check_action of every key each time it looks: the tabs are found once
        # rather than queried for each key. It may ask before the tabs are mounted.
        if self._tabs is None:
            found = self.query(Tabs)
            if not found:
                return "participants"
            self._tabs = found.first()
        return self._tabs.active

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tab = self.active_tab
        if action in PARTICIPANT_ACTIONS:
            # Leave and Resume act on the highlighted person: offered in a programme nobody
            # had joined yet, they did nothing.
            if action != "join" and not (self.data is not None and self.data.participants):
                return False
            return tab == "participants"
        if action in PROPOSAL_ACTIONS:
            return tab == "proposals"
        if action in PAIR_ACTIONS:
            return tab == "pairs"
        summary = self.data.summary if self.data else None
        if action == "archive":
            return summary is not None and not summary.programme.archived
        if action == "unarchive":
            return summary is not None and summary.programme.archived
        if action == "delete":
            return summary is not None and summary.rounds == 0
        return True

    @on(Tabs.TabActivated)
    async def _tab_changed(self) -> None:
        self.refresh_bindings()
        tab = self.active_tab
        pane = self.query_one(f"#{tab}", TabPane)
        if not pane.children:  # first opened: built now
            await self._build_tab(tab, pane)
        elif tab == "proposals" and self.proposal is None:
            self.action_rerun()  # the pool changed since: made again when looked at
        # Focus goes into the tab, so the footer shows that tab's keys.
        self.query_one(TABLES[tab]).focus()

    def action_tab(self, tab: str) -> None:
        self.query_one(Tabs).bring_forward(tab)

    # -- the programme itself ---------------------------------------------------------

    def _write(self, job: Callable[[Any], object], message: str) -> None:
        def done(result: object) -> None:
            self.notify(message, markup=False)
            self.proposal = None  # the pool changed: proposals are made again when looked at
            self.reload()

        run_db(self, job, done, write=True, group="write", exclusive=False)

    def action_edit(self) -> None:
        from screens.programme_forms import edit_form

        if self.data is None:
            return

        def saved(programme: ProgrammeView | None) -> None:
            if programme is not None:
                self.notify(f"Saved {programme.name}.", markup=False)
                self.reload()

        self.app.push_screen(edit_form(self.data.summary.programme), saved)

    @work
    async def action_archive(self) -> None:
        from circles.services import programmes

        if self.data is None:
            return
        p = self.data.summary.programme
        question = (
            f"Archive {p.name}? It leaves the lists and nothing new is matched in it; its pairs, "
            "meetings and rounds are kept, and A here brings it back."
        )
        if await self.app.push_screen_wait(ConfirmScreen(question, "Archive")):
            self._write(lambda db: programmes.archive(db, p.id), f"{p.name} archived.")

    def action_unarchive(self) -> None:
        from circles.services import programmes

        if self.data is not None:
            p = self.data.summary.programme
            self._write(lambda db: programmes.archive(db, p.id, archived=False), f"{p.name} is back.")

    @work
    async def action_delete(self) -> None:
        from circles.services import programmes

        if self.data is None:
            return
        s = self.data.summary
        question = (
            f"Delete {s.programme.name} and its {count(s.participants, 'participant')} for good? "
            "It never had pairs, so nothing else is lost."
        )
        if not await self.app.push_screen_wait(ConfirmScreen(question, "Delete")):
            return

        def gone(_: object) -> None:
            self.notify(f"Deleted {s.programme.name}.", markup=False)
            self.dismiss()

        run_db(
            self, lambda db: programmes.delete_programme(db, s.programme.id), gone, write=True, group="write"
        )

    # -- participants -----------------------------------------------------------------

    def _participant(self) -> ParticipantView | None:
        key = self.query_one("#participant-table", PagedTable).current_key
        if self.data is None or key is None:
            return None
        return next((x for x in self.data.participants if str(x.person_id) == key), None)

    def action_join(self) -> None:
        from screens.picker import PersonPicker
        from screens.programme_forms import join_form

        if self.data is None:
            return
        programme = self.data.summary.programme
        current = {x.person_id for x in self.data.participants}

        def picked(person: PersonView | None) -> None:
            if person is None:
                return

            def joined(part: ParticipantView | None) -> None:
                if part is not None:
                    self.notify(f"{person.name} joined {programme.name}.", markup=False)
                    self.proposal = None
                    self.reload()

            self.app.push_screen(join_form(programme, person.id, person.name), joined)

        self.app.push_screen(PersonPicker(f"Who joins {programme.name}?", exclude=current), picked)

    @work
    async def action_leave(self) -> None:
        from circles.services import programmes

        x = self._participant()
        if x is None:
            return
        question = f"{x.name} leaves {self.title}? Their active pairs end early; history stays."
        if await self.app.push_screen_wait(ConfirmScreen(question, "Leave")):
            self._write(lambda db: programmes.leave(db, self.programme_id, x.person_id), f"{x.name} left.")

    def action_resume(self) -> None:
        from circles.services import programmes

        x = self._participant()
        if x is not None:  # the service says so of someone not paused
            self._write(
                lambda db: programmes.pause(db, self.programme_id, x.person_id, until=None),
                f"{x.name} is matched again.",
            )

    # -- proposals: each change is stored, then the proposals are made again -------------

    def _propose(
        self,
        change: Callable[[Any], object] | None = None,
        *,
        cursor: tuple[int, ...] | None = None,
        said: str | None = None,
    ) -> None:
        """Make the proposals again, after storing ``change`` (a lock, a rejection, a swap) in
        the same unit of work; the cursor goes to the group ``cursor`` names, else stays on its
        row's group (by key, not by place: the rows re-sort)."""
        seed = self.seed

        def job(db: Any) -> ProposalView:
            # Imported here, in the worker: pairing loads scipy (over a second the first time),
            # which on the UI thread held the tab before it could say "Matching…".
            from circles.services import pairing

            if change is not None:
                change(db)
            return pairing.propose(db, self.programme_id, seed=seed)

        def shown(proposal: ProposalView) -> None:
            self._show_proposal(proposal, cursor=cursor)
            if said:
                self.notify(said, markup=False)

        def refused(error: CirclesError) -> None:
            show_error(self, error)
            if self.proposal is not None:
                self._show_proposal(self.proposal)  # the "swap with…" mark goes; nothing changed
            else:
                self.query_one("#proposal-note", Static).update(str(error))

        self.query_one("#proposal-note", Static).update("Matching…")
        run_db(self, job, shown, write=change is not None, group="match", failed=refused)

    def action_rerun(self) -> None:
        self._propose()

    def action_next_seed(self) -> None:
        self.seed += 1
        self._propose()

    def _show_proposal(self, proposal: ProposalView, *, cursor: tuple[int, ...] | None = None) -> None:
        self.proposal = proposal
        self.query_one("#proposal-table", PagedTable).fill(
            [
                (
                    group_key(g.ids),
                    (
                        str(n),
                        g.names,
                        g.reasons,
                        "locked" if g.locked else ("swap with…" if g.ids == self.swapping else ""),
                    ),
                )
                for n, g in enumerate(proposal.groups, start=1)
            ],
            cursor_key=group_key(cursor) if cursor else None,
        )
        lines = [
            f"{len(proposal.groups)} proposed on {day_said(proposal.on, circles_app(self).today())} "
            f"(seed {proposal.seed}); "
            "nothing is saved as pairs until you confirm (c)."
        ]
        lines += [f"Not matched: {u.person.name}: {u.reason}" for u in proposal.unmatched]
        lines += [f"Will be paused: {g.name} (no answer for 3 rounds)" for g in proposal.ghosts]
        lines += [f"Lock set aside: {s.names}: {s.reason}" for s in proposal.set_aside]
        if proposal.rejected:
            shown = ", ".join(f"{a.name} & {b.name}" for a, b in proposal.rejected[:5])
            more = f" and {len(proposal.rejected) - 5} more" if len(proposal.rejected) > 5 else ""
            lines.append(f"Rejected, never proposed again here: {shown}{more} (U takes them back).")
        self.query_one("#proposal-note", Static).update("\n".join(lines))
        self._say_why()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "proposal-table":
            self._say_why()

    def _say_why(self) -> None:
        groups = self.proposal.groups if self.proposal is not None else []
        row = self.query_one("#proposal-table", PagedTable).cursor_row
        g = groups[row] if 0 <= row < len(groups) else None
        self.query_one("#proposal-why", Static).update(f"{g.names}: {g.reasons}" if g else "")

    def _group(self) -> tuple[int, ...] | None:
        key = self.query_one("#proposal-table", PagedTable).current_key
        if self.proposal is None or not key:
            return None
        return tuple(int(x) for x in key.split("/"))

    def _locked(self, group: tuple[int, ...]) -> bool:
        return self.proposal is not None and any(g.ids == group and g.locked for g in self.proposal.groups)

    def action_lock(self) -> None:
        from circles.services import pairing

        g = self._group()
        if g is None:
            return
        if self._locked(g):
            self._propose(lambda db: pairing.unlock(db, self.programme_id, g), cursor=g)
        else:
            self._propose(lambda db: pairing.lock(db, self.programme_id, g), cursor=g)

    def action_reject(self) -> None:
        from circles.services import pairing

        g = self._group()
        if g is None:
            return

        def reject(db: Any) -> None:
            for i, a in enumerate(g):
                for b in g[i + 1 :]:
                    pairing.reject(db, self.programme_id, a, b)

        self._propose(reject)

    @work
    async def action_forget_rejections(self) -> None:
        from circles.services import pairing

        proposal = self.proposal
        if proposal is None or not proposal.rejected:
            self.notify("No rejections to take back.")
            return
        question = f"Take back all {count(len(proposal.rejected), 'rejection')}? They may be proposed again."
        if not await self.app.push_screen_wait(ConfirmScreen(question, "Take back")):
            return
        pairs = [(a.person_id, b.person_id) for a, b in proposal.rejected]

        def forget(db: Any) -> None:
            for a, b in pairs:
                pairing.unreject(db, self.programme_id, a, b)

        self._propose(forget, said="Rejections taken back.")

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
        # The first person (the mentor) of each keeps their place; the cursor stays with the
        # mentor of the row it is on, whose partner changed.
        stays = (second[0], *first[1:])
        self._propose(
            lambda db: pairing.swap(db, self.programme_id, first, second),
            cursor=stays,
            said="Swapped; both are locked. Re-run (r) matches the rest around them.",
        )

    @work
    async def action_confirm(self) -> None:
        from circles.services import pairing

        proposal = self.proposal
        if proposal is None or not proposal.groups:
            self.notify("Nothing to confirm: match first (r).")
            return
        kind = "round" if proposal.programme.kind.has_rounds else "set of pairs"
        dated = day_said(proposal.on, circles_app(self).today())
        question = f"Confirm these {len(proposal.groups)} as a new {kind} dated {dated}?"
        if not await self.app.push_screen_wait(ConfirmScreen(question, "Confirm")):
            return
        seed, expected = proposal.seed, proposal.signature

        def job(db: Db) -> ConfirmedRound:
            return pairing.confirm(db, self.programme_id, seed=seed, expected=expected)

        def confirmed(result: ConfirmedRound) -> None:
            self.proposal = None
            self.query_one("#proposal-table", PagedTable).fill([])
            self._say_why()
            self.query_one("#proposal-note", Static).update("Confirmed. Press r to match again.")
            for g in result.ghosts:
                self.notify(
                    f"Paused {g.name}: no answer to 'did you meet?' for 3 rounds.",
                    severity="warning",
                    markup=False,
                )
            self.notify(
                f"Round {result.round.number}: {count(len(result.pairs), 'pair')} made.", markup=False
            )
            self.reload()
            self.action_tab("pairs")

        run_db(self, job, confirmed, write=True, group="write", exclusive=False)

    # -- pairs ------------------------------------------------------------------------

    def action_toggle_ended(self) -> None:
        self.include_ended = not self.include_ended
        if self.query("#pair-table"):
            self._load_pairs()

    @on(DataTable.RowSelected, "#pair-table")
    def _open_pair(self, event: DataTable.RowSelected) -> None:
        from screens.pair import PairScreen

        if event.row_key.value is not None:
            self.app.push_screen(PairScreen(int(event.row_key.value)))

    @on(DataTable.RowSelected, "#participant-table")
    def _open_person(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            circles_app(self).open_person(int(event.row_key.value))
