"""The Textual app: built from a Store (which carries the clock), so tests build it on an
in-memory store; or from a way to open one, so the first screen paints before the store's
modules load and its migrations run, and (given a first glance, circles/glance.py) Home lists
the coming sessions before the store has finished opening. While it runs, what others change
on the store shows on the screens on view (circles/live.py, screens/live.py)."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App
from textual.await_complete import AwaitComplete
from textual.binding import ActiveBinding, Binding
from textual.dom import DOMNode

from circles.errors import CirclesError
from circles.zones import day_here
from screens.heap import (
    CollectorHold,
    forget_closed_watchers,
    release_startup_objects,
    set_aside_startup_objects,
)
from screens.late_keys import KeysFollowTheFocus
from screens.live import ChangesSeen, tell_screens
from screens.palette import ActionProvider, FindProvider, Palette
from screens.programmes import ProgrammesProvider

if TYPE_CHECKING:
    from circles.live import Change, ChangeWatcher
    from circles.views import HomeData
    from models.store import Store
    from screens.home import HomeScreen

# How long a key pressed on the first glance waits for the store before saying it is not there.
STORE_WAIT_SECONDS = 30
# The keys every Textual screen has, as the help names them (Textual's own "Focus Next", "palette:
# Open the command palette").
EVERY_SCREENS_KEYS = {
    "app.focus_next": "Next field, list or button",
    "app.focus_previous": "Previous field, list or button",
    "screen.copy_text": "Copy the selected text",
    "quit": "Quit circles, from any screen",
    "command_palette": "Find any circle, person or session by name; export invites or attendance, "
    "plan, check in; change the theme",
}


class CirclesApp(KeysFollowTheFocus):
    TITLE = "circles"
    CSS_PATH = Path(__file__).resolve().parent.parent / "screens" / "app.tcss"
    COMMANDS = App.COMMANDS | {ActionProvider, FindProvider, ProgrammesProvider}
    BINDINGS = [
        Binding("question_mark", "help", "Help", tooltip="Every key on this screen"),
        Binding("escape", "back", "Back", tooltip="Back to the previous screen"),
    ]

    def __init__(
        self,
        store: Store | None = None,
        *,
        open_store: Callable[[], Store] | None = None,
        first_glance: Callable[[], HomeData | None] | None = None,
    ) -> None:
        if (store is None) == (open_store is None):
            raise ValueError("give the app a store or a way to open one")
        super().__init__()
        self._store = store
        self._open_store = open_store
        self._first_glance = first_glance
        self._store_settled = threading.Event()  # opened, or failed to open
        if store is not None:
            self._store_settled.set()
        self._open_failure: str | None = None
        self._open_reason: str | None = None
        self.collector = CollectorHold()
        self._watcher: ChangeWatcher | None = None
        self._screens_loading = False
        self._keys_wait_for_home = False  # typed on the start screen: Home's, held until it is up

    @property
    def store(self) -> Store:
        """The open store. Home can be up from the first glance before the store is: work asked
        of it in that moment (a key pressed at once) waits here, in its worker, until it opens."""
        if self._store is None:
            self._store_settled.wait(STORE_WAIT_SECONDS)
        if self._store is None:
            raise CirclesError(self._open_failure or "The store is still opening; try again in a moment.")
        return self._store

    def on_mount(self) -> None:
        if self._store is not None:
            from screens.home import HomeScreen

            self.push_screen(HomeScreen())
            self.call_after_refresh(set_aside_startup_objects)
            self._watch(self._store)
            return
        from screens.start import StartScreen

        self.push_screen(StartScreen())
        # Keys typed while the store opens are for Home: they wait for it, as for any screen
        # being opened (screens/late_keys.py), and reach it in the order typed once it is up.
        self.hold_keys()
        self._keys_wait_for_home = True
        # After the first frame is out: the import-heavy worker would otherwise compete with
        # the painting for the interpreter and delay the very screen it hides.
        self.call_after_refresh(self._open)

    @work(thread=True, exit_on_error=False, group="open-store")
    def _open(self) -> None:
        if self._first_glance is not None and (first := self._first_glance()) is not None:
            painted = threading.Event()
            self.call_from_thread(self._glanced, first, painted)
            # The imports below hold the interpreter for a good while: let Home paint first.
            painted.wait(2)
        assert self._open_store is not None
        try:
            store = self._open_store()
            import circles.services.home  # noqa: F401  (loaded here, off the UI thread)
        except Exception as exc:  # whatever it was, the start screen says so instead of waiting
            self.call_from_thread(self._not_opened, _one_line(exc))
            return
        try:
            self.call_from_thread(self._opened, store)
        except RuntimeError:
            if self._store is not store:  # the app quit while the store opened: nobody will use it
                store.close()

    def _glanced(self, first: HomeData, painted: threading.Event) -> None:
        from screens.home import HomeScreen

        home = HomeScreen(first)
        self.switch_screen(home)
        self._home_up(home)
        self.call_after_refresh(painted.set)

    def _opened(self, store: Store) -> None:
        from screens.home import HomeScreen

        self._store = store
        self._store_settled.set()
        self._watch(store)
        # After a first glance, Home has already asked the store for its data (the request
        # waited in a worker until now); otherwise it comes up now, from the store.
        if not any(isinstance(s, HomeScreen) for s in self.screen_stack):
            home = HomeScreen()
            self.switch_screen(home)
            self._home_up(home)
        self.call_after_refresh(set_aside_startup_objects)
        if store.upgraded is not None and store.upgraded.backup is not None:
            self.notify(
                f"Upgraded the store; the previous version is kept as {store.upgraded.backup}",
                markup=False,
                timeout=10,
            )
        for note in store.upgraded.notes if store.upgraded is not None else ():
            # What the upgrade changed in the data (models/migrate.py): read at leisure.
            self.notify(note, title="Upgrading the store", markup=False, timeout=60)

    def _home_up(self, home: HomeScreen) -> None:
        """Home replaces the start screen: the keys typed meanwhile reach it once it is mounted
        and shows its rows with the focus on them (before then they would go by it, as in
        screens/opening.py, or find nothing to move or open)."""
        if self._keys_wait_for_home:
            self._keys_wait_for_home = False
            home.call_after_refresh(home.when_shown, self.release_keys)

    def goes_at_once(self, key: events.Key, first: bool) -> bool:
        # While the store opens, q quits as the start screen's footer says, if it is the first
        # key typed; after others it is theirs, for Home ("/q" searches for q).
        if super().goes_at_once(key, first):
            return True
        active = self.screen.active_bindings.get(key.key) if first and self._keys_wait_for_home else None
        return active is not None and active.binding.action == "app.quit"

    def home_read(self) -> None:
        """Home shows what it read from the store: the main screens' code loads now, in a
        worker, while the facilitator reads it, rather than on the first circle, session or
        person they open (screens/preload.py). Once a run."""
        if not self._screens_loading:
            self._screens_loading = True
            # The reports' statements too, on a store the app opened itself (a facilitator's
            # start): a store handed in (a test's) would compile them again in every app.
            warm = self._open_store is not None
            self.call_after_refresh(self._load_screens, warm)  # after the frame that shows Home's rows

    @work(thread=True, exit_on_error=False, group="load-screens")
    def _load_screens(self, warm: bool) -> None:
        from screens.preload import (
            keep_styles,
            load_main_screens,
            parse_styles,
            warm_circle_and_session,
            warm_reports,
        )
        from screens.work import in_store

        load_main_screens()
        if warm:
            # Their widgets' CSS too (parsed here, kept by the UI thread), only here for the
            # same reason: every test's app would parse it again.
            self.call_from_thread(keep_styles, self.stylesheet, parse_styles(self.stylesheet))
            # Nobody asked for it, so nobody is told if it fails: the screens read for themselves.
            # A circle or session first (the screens opened most from Home), and the reports
            # even if it failed (one removed meanwhile by another facilitator: NotFound).
            with contextlib.suppress(CirclesError):
                in_store(self, warm_circle_and_session)
            in_store(self, warm_reports)

    @property
    def open_failure(self) -> str | None:
        """Why the store did not open, once it is known that it did not."""
        return self._open_reason

    def explain(self, exc: BaseException) -> str:
        """A failure met while working on the store, as one line without a password."""
        return self._store.explain(exc) if self._store is not None else _one_line(exc)

    def _not_opened(self, reason: str) -> None:
        from screens.start import StartScreen

        self._open_reason = reason
        self._open_failure = f"The store could not be opened: {reason}"
        self._store_settled.set()
        if self._keys_wait_for_home:  # Home will not come: what was typed for it goes
            self._keys_wait_for_home = False
            self.release_keys(forget=True)
        if isinstance(self.screen, StartScreen):
            self.screen.failed(reason)
        else:  # Home from the first glance: it stays readable, but nothing can be changed
            self.notify(self._open_failure, severity="error", timeout=30, markup=False)

    def on_unmount(self) -> None:
        if not self._store_settled.is_set():
            # Quit while the store was still opening (a tab closed at once, a far server): a
            # worker waiting for it would keep the process alive, SIGTERM or not, for up to
            # STORE_WAIT_SECONDS after the app has gone. It learns the app is closing instead.
            self._open_failure = "The app is closing."
            self._store_settled.set()
        if self._watcher is not None:
            self._watcher.stop()  # its connection closes with the app, not at the process's end
        self.collector.close()
        release_startup_objects()

    def _watch(self, store: Store) -> None:
        """Watch the store for other writers' changes (circles/live.py), on a thread of its own."""
        from circles.live import ChangeWatcher

        self._watcher = ChangeWatcher.for_store(store, self._changes_seen, os.environ)
        if self._watcher is not None:
            self._watcher.start()

    def _changes_seen(self, changes: list[Change]) -> None:
        self.post_message(ChangesSeen(changes))  # from the watcher's thread: post_message is safe

    def on_changes_seen(self, message: ChangesSeen) -> None:
        tell_screens(self, message.changes)

    @property
    def change_watcher(self) -> ChangeWatcher | None:
        """What watches the store for others' changes (None: an in-memory store, or not open yet)."""
        return self._watcher

    def own_write_committed(self) -> None:
        """This app has just committed a write (screens/work.py run_db, in the worker)."""
        if self._watcher is not None:
            self._watcher.own_write_committed()

    def push_screen(self, *args: Any, **kwargs: Any) -> Any:
        self.collector.hold()  # no collector pass while the new screen is built and drawn
        return super().push_screen(*args, **kwargs)

    def pop_screen(self) -> AwaitComplete:
        self.collector.hold()
        leaving = self.screen
        popped = super().pop_screen()
        # Its reads are nobody's now. Textual cancels them only as each widget unmounts, some
        # frames on: a read that came back meanwhile showed itself on a screen whose widgets
        # were going (Escape twice on a session reloading: NoMatches, "Something went wrong").
        # A write is not stopped by its worker's end (screens/work.py, WriteLane).
        for worker in list(self.workers):
            node = worker.node
            if isinstance(node, DOMNode) and leaving in node.ancestors_with_self:
                worker.cancel()
        # Every screen leaves through here (dismiss() too): let go of what it kept alive.
        self.call_after_refresh(forget_closed_watchers, self)
        return popped

    def now(self) -> datetime:
        """The Store's clock, so tests and snapshots see a fixed time (until it opens, the system's)."""
        return self._store.clock() if self._store is not None else datetime.now(UTC)

    def today(self, zone: tzinfo | None = None) -> date:
        """Today on the Store's clock where the facilitator is: in ``zone`` (a circle's), else in
        this machine's zone. UTC's date is yesterday in a Sydney morning and tomorrow in a
        Californian evening, and a default date, "this month" or a file's date taken from it
        was a day out there."""
        return day_here(self.now(), zone)

    async def action_quit(self) -> None:
        # A screen with work not yet saved says so (unsaved()); quitting then asks first.
        unsaved = [said for s in self.screen_stack if (said := getattr(s, "unsaved", lambda: None)())]
        if not unsaved:
            self.exit()
            return
        from screens.dialogs import ConfirmScreen

        def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.exit()

        self.push_screen(ConfirmScreen(f"{unsaved[0]} Quit without saving?", "Quit"), answered)

    async def action_back(self) -> None:
        # The default screen and Home stay: Escape on Home does nothing rather than leave a blank app.
        if len(self.screen_stack) > 2:
            self.pop_screen()

    def action_command_palette(self) -> None:
        # Textual's own, with Enter waiting for the search of what was typed (screens/palette.py).
        if self.use_command_palette and not isinstance(self.screen, Palette):
            self.push_screen(Palette(id="--command-palette"))

    def action_help(self) -> None:
        from screens.dialogs import HelpScreen

        seen: set[str] = set()
        keys: list[tuple[str, str]] = []
        # The screen's own keys first, then the app's, then the focused widget's (cursor keys...),
        # then the ones every Textual screen has (they came first, in Textual's Title Case).
        order = {self.screen: 0, self: 1}

        def place(active: ActiveBinding) -> int:
            return 3 if active.binding.action in EVERY_SCREENS_KEYS else order.get(active.node, 2)

        for key, active in sorted(self.screen.active_bindings.items(), key=lambda kv: place(kv[1])):
            binding = active.binding
            # One line an action: Home's q ("app.quit") says what ctrl+q ("quit") would again.
            action = binding.action.removeprefix("app.")
            if not binding.description or action in seen:
                continue
            seen.add(action)
            what = EVERY_SCREENS_KEYS.get(binding.action) or (
                binding.description + (f": {active.tooltip}" if active.tooltip else "")
            )
            keys.append((self.get_key_display(binding) or key, what))
        about = getattr(self.screen, "HELP", "") or ""
        self.push_screen(HelpScreen(self.screen.title or self.screen.__class__.__name__, keys, about))

    def open_circle(self, circle_id: int, *, then: str | None = None) -> None:
        """Open a circle; ``then`` names one of its screen's actions to run once it has loaded
        (the palette's "Plan sessions…" on a circle picked from a list)."""
        from screens.circle import open_circle

        open_circle(self, circle_id, then=then)

    def open_person(self, person_id: int) -> None:
        from screens.person import open_person

        open_person(self, person_id)

    def open_session(self, session_id: int) -> None:
        from screens.session import open_session

        open_session(self, session_id)


def _one_line(exc: BaseException) -> str:
    """An error from opening the store, as one line. Ours already name the store and hide its
    password; anything else is cleaned of the secrets of the URLs this process was given."""
    from models.engine import StoreLocationError, StoreOpenError
    from models.migrate import MigrationError
    from models.url_text import redact

    text = str(exc).strip()
    first = text.splitlines()[0] if text else exc.__class__.__name__
    if isinstance(exc, CirclesError | StoreOpenError | StoreLocationError | MigrationError):
        return first
    return redact(first)


def run(
    open_store: Callable[[], Store], first_glance: Callable[[], HomeData | None] | None = None
) -> str | None:
    """Run the app; the reason the store could not be opened, if it could not."""
    app = CirclesApp(open_store=open_store, first_glance=first_glance)
    app.run()
    return app.open_failure
