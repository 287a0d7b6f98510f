"""The pure core never imports textual; screens never talk SQL; importing touches no disk."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _python_files(*folders: str) -> list[Path]:
    return [p for f in folders for p in sorted((REPO / f).rglob("*.py"))]


@pytest.mark.parametrize(
    "path",
    [p for p in _python_files("models", "circles") if p.name != "app.py" or p.parent.name != "circles"],
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_core_does_not_import_textual(path: Path) -> None:
    assert "textual" not in _imports(path)


@pytest.mark.parametrize("path", _python_files("screens"), ids=lambda p: str(p.relative_to(REPO)))
def test_screens_do_not_talk_sql(path: Path) -> None:
    assert not {"sqlalchemy", "sqlmodel"} & _imports(path)


def test_importing_everything_touches_no_disk(tmp_path: Path) -> None:
    """Import every module with HOME and XDG dirs pointing at an empty folder: nothing appears."""
    home = tmp_path / "home"
    home.mkdir()
    modules = [
        ".".join(p.relative_to(REPO).with_suffix("").parts)
        for p in _python_files("models", "circles", "screens")
        if p.name != "__main__.py" and "versions" not in p.parts and p.name != "env.py"
    ]
    code = "import importlib\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    env = {"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, check=True)
    assert list(home.iterdir()) == []


def test_the_first_screen_and_the_first_glance_load_no_database_library() -> None:
    """What runs before the store opens must not pull in SQLAlchemy (0.4 s) or Alembic:
    the app paints, and Home lists the first glance, while they load in a worker."""
    imports = (
        "import circles.cli, circles.app, circles.glance, circles.glance_postgres\n"
        "import screens.home, screens.start\n"
    )
    assert _loaded_of(imports, {"sqlalchemy", "sqlmodel", "alembic"}) == []


def test_no_screen_loads_the_matching_libraries() -> None:
    """numpy and scipy (most of a second) are for matching people into pairs, which only runs
    when a facilitator asks for a round: the person's page loaded them through the programme
    service for the offers it shows, and its first open after a start took a second."""
    imports = (
        "import importlib, pkgutil, screens\n"
        "for found in pkgutil.iter_modules(screens.__path__):\n"
        "    importlib.import_module('screens.' + found.name)\n"
    )
    assert _loaded_of(imports, {"numpy", "scipy"}) == []


def _loaded_of(imports: str, packages: set[str]) -> list[str]:
    """Which of ``packages`` a fresh interpreter has loaded after running ``imports``."""
    top = "{m.split('.')[0] for m in sys.modules}"
    code = f"import sys\n{imports}print(' '.join(sorted({top} & {packages!r})))\n"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return out.stdout.split()


def _ways_to_the_store(path: Path) -> list[str]:
    """What in a screen module reaches the store, or starts a thread that could, by itself."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in ("store", "run_worker", "to_thread"):
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = {a.name for a in node.names} | (
                {node.module} if isinstance(node, ast.ImportFrom) else set()
            )
            if names & {"threading", "concurrent.futures"}:
                found.append(f"line {node.lineno}: import threading")
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "work"
            and any(k.arg == "thread" for k in node.keywords)
        ):
            found.append(f"line {node.lineno}: @work(thread=True)")
    return found


@pytest.mark.parametrize(
    "path",
    [p for p in _python_files("screens") if p.name != "work.py"],
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_screens_reach_the_store_only_through_run_db(path: Path) -> None:
    """One road (screens/work.py): the retrying write, and every failure told for what it is."""
    assert _ways_to_the_store(path) == [], f"{path.name} reaches the store by itself: use screens.work.run_db"


OPEN_A_CIRCLE = """
import asyncio, importlib.abc, sys, threading
from sqlalchemy.engine import make_url

importers = set()


class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "icalendar":
            importers.add(threading.current_thread().name)
        return None  # only watching: the usual finders import it


sys.meta_path.insert(0, Watch())

from circles.app import CirclesApp
from models.store import Store
from screens.circle import CircleScreen
from tests import factories
from tests.conftest import FixedClock
from tests.tui_support import settle, until


async def main():
    store = Store.open(make_url("sqlite://"), clock=FixedClock())
    rust = factories.circle(store, "Rust Lunch")
    app = CirclesApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.open_circle(rust)
        await until(pilot, lambda: isinstance(app.screen, CircleScreen))
        await settle(app, pilot)
        assert "icalendar" in sys.modules  # read for the delivery line: else the test proves nothing
    print(" ".join(sorted(importers)))


asyncio.run(main())
"""


@pytest.mark.slow
def test_opening_a_circle_imports_the_delivery_code_off_the_ui_thread() -> None:
    """The delivery line's code (icalendar with it) took 0.25 to 0.33 s of the first circle opened
    after a cold start, imported on the UI thread: it is imported in the worker that reads it."""
    out = subprocess.run(
        [sys.executable, "-c", OPEN_A_CIRCLE], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() and "MainThread" not in out.stdout.split()


HOME_THEN_IDLE = """
import asyncio, importlib.abc, sys, threading
from sqlalchemy.engine import make_url

from screens.preload import MAIN_SCREENS

importers = {}


class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in MAIN_SCREENS:
            importers[name] = threading.current_thread().name
        return None  # only watching: the usual finders import it


sys.meta_path.insert(0, Watch())

from circles.app import CirclesApp
from models.store import Store
from tests import factories
from tests.conftest import FixedClock
from tests.tui_support import settle


async def main():
    store = Store.open(make_url("sqlite://"), clock=FixedClock())
    factories.circle(store, "Rust Lunch")
    app = CirclesApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert len(app.screen_stack) == 2, app.screen_stack  # Home, nothing opened from it
        missing = [name for name in MAIN_SCREENS if name not in sys.modules]
    print("missing:", *missing)
    print("on the UI thread:", *sorted(n for n, thread in importers.items() if thread == "MainThread"))


asyncio.run(main())
"""


@pytest.mark.slow
def test_the_main_screens_load_while_home_is_read() -> None:
    """Each main screen's modules took most of its first open after a start (the first circle
    0.45 s, 0.13 after): they load in a worker once Home shows its data, none on the UI thread."""
    out = subprocess.run(
        [sys.executable, "-c", HOME_THEN_IDLE], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.splitlines() == ["missing:", "on the UI thread:"]


# Typed text and files' cells are read as numbers by circles.validate (parse_int, id_in) only:
# str.isdigit() and its kin take '²' or '٣' for digits, and int() then fails on them, which
# ended commands in "Something went wrong". The cadence parser's tokens are ASCII by their regex.
DIGIT_TESTS_ALLOWED = {"circles/validate.py", "circles/cadence.py"}


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in _python_files("circles", "screens", "models")
        if str(p.relative_to(REPO)) not in DIGIT_TESTS_ALLOWED and "migrations" not in p.parts
    ],
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_numbers_are_read_by_validate_not_by_str_isdigit(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("isdigit", "isnumeric", "isdecimal")
    ]
    assert not calls, f"{path.name} lines {calls}: use validate.parse_int or validate.id_in"
