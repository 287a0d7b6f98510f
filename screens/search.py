"""Search everything: results while typing, from the store's full-text index; Enter opens one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from circles.errors import CirclesError, InvalidInput
from circles.errors import shown as quoted
from circles.search_query import parse
from circles.services import search
from circles.services.search import KIND_LABELS, SearchHit
from screens.footer import Footer
from screens.header import Header
from screens.live import LiveScreen, refill
from screens.one_line import OneLineInput
from screens.table import Table
from screens.type_to_filter import TypeToFilter
from screens.work import run_db

if TYPE_CHECKING:
    from circles.store_access import Db

SHOWN = 25
HINT = 'Every word must be found. "a phrase" · word* for any word starting so · -word leaves it out.'


FOUND_WIDTH = 66
WHERE_WIDTH = 34


def kind_text(hit: SearchHit) -> Text:
    """Its kind, and below it how many more things of its session it stands for."""
    return Text(KIND_LABELS[hit.kind] + (f"\n+{hit.more} more" if hit.more else ""))


def where_text(hit: SearchHit) -> Text:
    """'Rust Lunch, Tue 12 Oct 2026' as the day, then the circle below (a long name is cut, not the day)."""
    circle, comma, day = hit.where.rpartition(", ")
    return Text(f"{day}\n{circle}" if comma and hit.session_id is not None else hit.where)


def found_text(hit: SearchHit) -> Text:
    """Its title, and below it the snippet with the matched words highlighted (never read as
    markup), from a little before the first match so that it shows in the column."""
    text = Text()
    if hit.snippet == hit.title:  # found in the title: marked there, nothing to add below
        text.append(hit.title, style="bold")
        for a, b in hit.marks:
            text.stylize("reverse", a, b)
        return text
    first = min((a for a, _ in hit.marks), default=0)
    start = max(0, first - 20)
    if start and not hit.snippet[start - 1].isspace():  # from a word's start: "…sian inference"
        space = hit.snippet.find(" ", start, first)  # read as a word of its own
        start = space + 1 if space >= 0 else first
    shown = hit.snippet[start:]
    text.append(hit.title[:FOUND_WIDTH], style="bold")
    text.append("\n" + ("…" if start else ""))
    offset = len(text) - start
    text.append(shown)
    for a, b in hit.marks:
        if b > start:
            text.stylize("reverse", max(a, start) + offset, b + offset)
    return text


def _answer(db: Db, text: str) -> tuple[list[SearchHit], str]:
    """The hits for ``text`` as typed so far, and what to say if there are none."""
    hits = search.search(db, text, limit=SHOWN, typing=True)
    return hits, "" if hits else search.nothing_found(db, text, typing=True)


def hit_keys(hits: list[SearchHit]) -> list[str]:
    """A row key for each hit, the same for the same thing found when the search runs again."""
    seen: dict[str, int] = {}
    keys = []
    for h in hits:
        key = f"{h.kind}:{h.id}"
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key}:{seen[key]}")
    return keys


class SearchScreen(LiveScreen, TypeToFilter):
    # A letter typed while the results have the focus goes on at the end of the search: typing
    # on is searching on. (Letters typed quickly after `/`, before the focus had moved back,
    # were lost.)
    FILTER_BOX = "#search-input"
    LIST = "#search-results"
    TITLE = "Search"
    # What the index is made of: a change to these searches again for what is typed, keeping
    # the hit highlighted. Only on top (it does not search again when it comes back otherwise).
    SHOWS = frozenset(
        {
            "circle", "person", "circle_session", "agenda_item", "material", "takeaway", "session_topic",
            "feedback_answer",
        }
    )  # fmt: skip
    ON_TOP_ONLY = True
    HELP = (
        "Search circles, people, sessions and their notes, agenda items, materials, takeaways, "
        "topics and what people learned. Results come as you type; Enter opens the first, ↓ goes "
        "to them to pick another (an agenda item, material, takeaway or line learned opens its session)."
    )
    BINDINGS = [Binding("slash", "edit", "Edit search", tooltip="Back to the search box")]

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.text = text
        self.hits: list[SearchHit] = []
        self.answered = ""  # the text whose answer is shown
        self.open_on_answer = False  # Enter came before the answer to the last keystroke

    def compose(self) -> ComposeResult:
        yield Header()
        # Not selected on focus: a letter typed on the results goes on at the end (on_key); `/`
        # selects it all itself.
        yield OneLineInput(
            self.text,
            placeholder="Search notes, takeaways, materials, people…",
            id="search-input",
            select_on_focus=False,
        )
        yield Static(HINT, id="search-hint", classes="hint", markup=False)
        yield Table(id="search-results", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#search-results", Table)
        # Fixed widths: a table's columns never narrow again, and each keystroke brings new rows.
        table.add_column("Kind", width=11, priority=1)
        # Shortened rather than hidden: without its day and circle, one "Paper review" looks
        # like the next (at 120 columns the three widths left no room for Where at all).
        table.add_column("Found", width=FOUND_WIDTH, priority=0, min_width=30)
        # Its circle loses its middle, as in the lists of circles: "Accessibility Community o…"
        # was the same in every city.
        table.add_column("Where", width=WHERE_WIDTH, priority=2, min_width=15, cut_middle=True)
        self.query_one("#search-input", Input).focus()
        if self.text:
            self.look(self.text)

    @on(Input.Changed, "#search-input")
    def _typed(self, event: Input.Changed) -> None:
        self.look(event.value)

    def look(self, text: str) -> None:
        self.text = text
        self.open_on_answer = False
        if len(text.strip()) < 2:
            self.show_hits(text, [])
            self.query_one("#search-hint", Static).update(HINT if not text.strip() else "Type a little more…")
            return
        try:  # what can't be searched for is said at once, with no worker for it (a paste
            # typed in key by key started thousands)
            parse(text, typing=True)
        except InvalidInput as error:
            self._refused(text, error)
            return
        # One search at a time in the "search" group: a newer keystroke cancels the older
        # search's answer, so only the last one's results are ever shown.
        run_db(
            self,
            lambda db: _answer(db, text),
            lambda answer: self.show_hits(text, *answer),
            group="search",
            failed=lambda error: self._refused(text, error),
        )

    def look_again(self) -> None:
        """The same search on the store as it is now, unless an answer to a keystroke is awaited
        (it will be as fresh)."""
        text = self.text
        if self.answered != text or len(text.strip()) < 2:
            return
        run_db(
            self,
            lambda db: _answer(db, text),
            lambda answer: self.show_hits(text, *answer, again=True),
            group="search",
            failed=lambda _error: None,  # what was found stays; the next keystroke says more
        )

    def _refused(self, text: str, error: CirclesError) -> None:
        if text != self.text:
            return
        self.show_hits(text, [])
        self.open_on_answer = False
        said = error.problem if isinstance(error, InvalidInput) else str(error)
        self.query_one("#search-hint", Static).update(f"The search {said}.")

    def show_hits(self, text: str, hits: list[SearchHit], nothing: str = "", *, again: bool = False) -> None:
        """The answer to ``text`` (``nothing``: what to say if it is empty); ``again``: to the
        same text, after someone else's change (the highlighted hit stays highlighted, the view
        where it was)."""
        if text != self.text:
            return  # an answer to an earlier keystroke
        same = hits == self.hits
        self.hits = hits
        self.answered = text
        table = self.query_one("#search-results", DataTable)
        # A key that changes nothing found (most keys, once a word is long enough) leaves the
        # table as it is: drawing the rows again is most of the time a key takes.
        if not same and again:
            cells = [(kind_text(h), found_text(h), where_text(h)) for h in hits]
            refill(table, list(zip(hit_keys(hits), cells, strict=True)), height=2)
        elif not same:
            table.clear()
            for key, h in zip(hit_keys(hits), hits, strict=True):
                table.add_row(kind_text(h), found_text(h), where_text(h), height=2, key=key)
            table.move_cursor(row=0)  # new answers: the best one first
        if text.strip() and len(text.strip()) >= 2:
            found = f"{len(hits)} found" if len(hits) < SHOWN else f"the best {SHOWN}"
            # Quoted shortened: 500 characters pasted in were repeated whole, five lines at 120
            # columns, pushing the results down.
            self.query_one("#search-hint", Static).update(
                f"{found} for {quoted(text.strip())}; Enter opens the first, ↓ picks another."
                if hits
                else nothing or f"Nothing found for {quoted(text.strip())}."
            )
        if self.open_on_answer:
            self.open_on_answer = False
            if hits:
                self.open_hit(hits[0])

    def on_screen_resume(self) -> None:
        """Back from what a hit opened: the box has the focus with its text selected, so what
        is typed next is a new search (arrows keep the old one to change it)."""
        if self.hits or self.text:
            self.action_edit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # In the box `/` is a character (a/b tests): the footer offers it only on the results.
        if action == "edit":
            return not self.query_one("#search-input", Input).has_focus
        return super().check_action(action, parameters)

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def action_edit(self) -> None:
        """Back to the box, all of it selected: what is typed next replaces it."""
        box = self.query_one("#search-input", Input)
        box.focus()
        box.select_all()

    @on(Input.Submitted, "#search-input")
    def _submitted(self) -> None:
        """Enter in the box opens the best hit, or opens it as soon as the answer to the last
        keystroke comes. (Moving to the results instead made a quick ↓ Enter land in the box,
        before the focus moved, and open nothing.)"""
        if self.answered != self.text:
            self.open_on_answer = len(self.text.strip()) >= 2
        elif self.hits:
            self.open_hit(self.hits[0])

    @on(DataTable.RowSelected, "#search-results")
    def _open(self, event: DataTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.hits):
            self.open_hit(self.hits[event.cursor_row])

    def open_hit(self, hit: SearchHit) -> None:
        if hit.kind in ("material", "takeaway", "learned") and hit.session_id is not None:
            from screens.session import open_session

            # On its tab (and row): what was found is what shows first.
            open_session(self.app, hit.session_id, showing=(hit.kind, hit.id))
            return
        kind, target = hit.opens
        opener = {"circle": "open_circle", "person": "open_person", "session": "open_session"}[kind]
        getattr(self.app, opener)(target)
