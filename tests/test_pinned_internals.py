"""The canary for what we patch: each private internal of Textual (screens/textual_internals.py)
and of the other libraries we reach into is still there and still shaped as we use it. A failure
names the internal and who relies on it; fix that before raising a bound in pyproject.toml."""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import pkgutil
import textwrap
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from rich.style import Style
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, TextArea

import screens
from circles import app as circles_app

REPO = Path(__file__).resolve().parent.parent
WHY = "screens/textual_internals.py says why"


def moved(what: str, used_by: str) -> str:
    return (
        f"Textual {version('textual')} moved or changed {what}, which {used_by} relies on ({WHY}). "
        "Re-read the workaround against this Textual before raising its bound in pyproject.toml."
    )


def parameters(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


def test_textual_is_the_minor_the_workarounds_were_read_against():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    (bound,) = [Requirement(d) for d in project["dependencies"] if Requirement(d).name == "textual"]
    assert bound.specifier.contains(version("textual")), (
        f"Textual {version('textual')} is installed but pyproject.toml says {bound.specifier}: uv sync"
    )
    assert any(s.operator == "<" for s in bound.specifier), "Textual must stay bounded to one minor"


def test_datatable_sizes_its_columns_in_the_two_methods_table_overrides():
    expected = {
        "_update_dimensions": ["self", "new_rows"],
        "_update_column_widths": ["self", "updated_cells"],
    }
    for name, params in expected.items():
        method = getattr(DataTable, name, None)
        assert method is not None, moved(f"DataTable.{name}", "screens/table.py (Table)")
        assert parameters(method) == params, moved(f"DataTable.{name}'s arguments", "screens/table.py")


def test_datatable_draws_rows_and_cells_in_the_two_methods_a_fitting_table_overrides():
    expected = {
        "_compute_row_renderables": ["self", "row_index"],
        "_render_cell": ["self", "row_index", "column_index", "base_style", "width", "cursor", "hover"],
        "_clear_caches": ["self"],
    }
    for name, params in expected.items():
        method = getattr(DataTable, name, None)
        assert method is not None, moved(f"DataTable.{name}", "screens/table.py (fitting columns)")
        assert parameters(method) == params, moved(f"DataTable.{name}'s arguments", "screens/table.py")
    try:
        from textual.widgets._data_table import RowRenderables
    except ImportError:
        pytest.fail(moved("textual.widgets._data_table.RowRenderables", "screens/table.py (ellipses)"))
    assert RowRenderables._fields == ("label", "cells"), moved("RowRenderables' fields", "screens/table.py")


def test_a_layout_gives_each_widget_its_size_through_the_method_a_fitting_table_overrides():
    """screens/textual_internals.py fits a table's columns in ``_size_updated``, which the screen's
    layout calls on each widget before drawing (tests/test_table.py sees the first frame fitted)."""
    from textual.screen import Screen
    from textual.scroll_view import ScrollView
    from textual.widget import Widget

    for cls in (Widget, ScrollView):
        method = vars(cls).get("_size_updated")
        assert method is not None, moved(f"{cls.__name__}._size_updated", "screens/table.py (fitting)")
        assert parameters(method) == ["self", "size", "virtual_size", "container_size", "layout"], moved(
            f"{cls.__name__}._size_updated's arguments", "screens/table.py (fitting)"
        )
    assert "_size_updated" in inspect.getsource(Screen._refresh_layout), moved(
        "where Screen._refresh_layout sizes its widgets", "screens/table.py (fitting)"
    )


class OneTable(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()


async def test_datatable_keys_its_caches_and_its_pending_sizing_on_private_attributes():
    app = OneTable()
    async with app.run_test() as pilot:
        table = app.query_one(DataTable)
        count = getattr(table, "_update_count", None)
        assert isinstance(count, int), moved("DataTable._update_count (its caches' key)", "screens/table.py")
        table.add_column("Name")
        table.add_row("Ana")
        assert getattr(table, "_require_update_dimensions", None) is True, moved(
            "DataTable._require_update_dimensions", "tests/test_snapshots.py (waiting for column sizes)"
        )
        await pilot.pause()
        assert table._require_update_dimensions is False, moved(
            "DataTable._require_update_dimensions", "tests/test_snapshots.py"
        )
        for name, kind in [
            ("_row_label_column_width", int),
            ("_total_row_height", int),
            ("_column_locations", object),
            ("_row_locations", object),
        ]:
            assert isinstance(getattr(table, name, None), kind), moved(
                f"DataTable.{name}", "screens/table.py (fitting columns)"
            )
        assert callable(getattr(table._column_locations, "get_key", None)), moved(
            "DataTable._column_locations.get_key", "screens/table.py"
        )


class PlainCells(App[None]):
    def compose(self) -> ComposeResult:
        from screens.table import Table

        yield Table(cursor_type="row", zebra_stripes=True)


async def test_a_plain_cell_drawn_without_rich_is_drawn_as_datatable_draws_it():
    """screens/textual_internals.py draws a one-line plain cell itself, under DataTable's cache
    key: every cell, drawn both ways in each state a cell can be in, gives the same segments."""
    from rich.text import Text

    app = PlainCells()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(DataTable)
        table.add_column("Name", key="name")
        table.add_column("Count", key="count", width=6)
        table.add_column("Note", key="note")
        table.add_row("Ana Lopes", "12", "plain", key="a")
        table.add_row("", "", "", key="b")
        table.add_row("日本語の名前", "1234567", "[b]markup[/b]", key="c")  # wider than its column
        table.add_row(Text("styled", style="bold"), Text("9", justify="right"), "tab\there", key="d")
        table.add_row("two\nlines", "x", "y", key="e", height=2)
        table.add_row("Zoë Ünal", "0", "café ☕", key="f")
        table.add_row(Text("[ops] Ana"), Text(""), Text("as screens/format.safe makes them"), key="g")
        table.fixed_columns = 1
        await pilot.pause()
        base = Style(color="red", bgcolor="black")
        fast = 0
        for row in range(table.row_count):
            for column in range(len(table.columns)):
                width = table.ordered_columns[column].get_render_width(table)
                for cursor, hover in ((False, False), (True, False), (False, True)):
                    table._cell_render_cache.clear()
                    ours = table._plain_cell(row, column, base, width, cursor, hover)
                    table._cell_render_cache.clear()
                    theirs = DataTable._render_cell(table, row, column, base, width, cursor, hover)
                    if ours is not None:
                        fast += 1
                        assert ours == theirs, moved(
                            "how DataTable._render_cell draws a cell", "ColumnFittingDataTable._plain_cell"
                        )
        assert fast == 3 * 13  # the thirteen plain cells took the short way (the rest, Rich's)


@pytest.mark.parametrize("cut_middle", [False, True], ids=["at-the-end", "in-the-middle"])
async def test_a_shortened_plain_cell_drawn_without_rich_is_cut_as_rich_cuts_it(cut_middle: bool):
    """A shortened column's cells end in an ellipsis, or lose their middle to one (a column of
    circle names; screens/table.py): drawn the short way, at every width, they give the segments
    Rich gives, wide and combining characters included."""
    app = PlainCells()
    texts = [
        "Accessibility, Leadership",
        "日本語の名前日本語の名前",
        "a日本語の名前",
        "Zoë Ünal café ☕",
        "日本語 の名前 日本語の 名前 ab",
        "e\u0301" * 9,
        "ab",
    ]
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(DataTable)
        table.add_column("Offers", key="offers")
        for i, text in enumerate(texts):
            table.add_row(text, key=str(i))
        await pilot.pause()
        column = table.ordered_columns[0]
        base = Style(color="red", bgcolor="black")
        shortened = 0
        for width in range(1, 30):
            column.truncated, column.auto_width, column.width = True, False, width
            column.cut_middle = cut_middle
            table._clear_caches()
            for row in range(len(texts)):
                for cursor, hover in ((False, False), (True, False), (False, True)):
                    table._cell_render_cache.clear()
                    ours = table._plain_cell(row, 0, base, width + 2, cursor, hover)
                    table._cell_render_cache.clear()
                    theirs = DataTable._render_cell(table, row, 0, base, width + 2, cursor, hover)
                    if ours is not None:
                        shortened += "…" in ours[0][1].text
                        assert ours == theirs, moved(
                            "how Rich cuts a cell short with an ellipsis",
                            "ColumnFittingDataTable._plain_cell",
                        )
        assert shortened > 200  # the short way was taken (a column of width 1 is left to Rich)


async def test_plain_rows_measured_without_rich_widen_the_columns_as_datatable_measures_them():
    """screens/textual_internals.py measures a row of plain Text cells itself: every column comes
    out as wide as Rich's measure makes its label and widest cell, wide, combining and
    multi-line cells and rows left to DataTable (a renderable other than Text) included."""
    from rich.padding import Padding
    from rich.text import Text
    from textual.render import measure

    app = PlainCells()
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.query_one(DataTable)
        table.add_column("Name", key="name")
        table.add_column("Count", key="count")
        table.add_column("Note", key="note")
        table.add_row("Ana Lopes", 12, "plain", key="a")
        table.add_row("", None, "", key="b")
        table.add_row("日本語の名前", "1234567", "[b]markup[/b]", key="c")
        table.add_row(Text("styled", style="bold"), Text("9", justify="right"), "tab\there", key="d")
        table.add_row("two\nlines, the second longer", "x", "y", key="e", height=2)
        table.add_row("Zoë Ünal", 0.5, "e\u0301" * 9 + " café ☕", key="f")
        table.add_row(Padding("padded", (0, 3)), "", "", key="g")
        await pilot.pause()
        console = app.console
        for index, column in enumerate(table.ordered_columns):
            cells = [table._get_row_renderables(row).cells[index] for row in range(table.row_count)]
            widest = max(measure(console, cell, 1) for cell in [column.label, *cells])
            assert column.content_width == widest, moved(
                "how DataTable measures a cell", "ColumnSizingDataTable._measure_plain_rows"
            )


class WithHeader(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Footer()


class WithNotes(App[None]):
    """As the session screen's notes: a TextArea watches the app's theme (screens/heap.py)."""

    def compose(self) -> ComposeResult:
        yield TextArea()


async def test_watchers_are_kept_where_heap_prunes_them():
    from screens.textual_internals import WATCHERS_ATTRIBUTE, watcher_lists

    app = WithNotes()
    async with app.run_test() as pilot:
        await pilot.pause()
        notes = app.query_one(TextArea)
        assert isinstance(getattr(app, WATCHERS_ATTRIBUTE, None), dict), moved(
            f"where watchers are kept (App.{WATCHERS_ATTRIBUTE})", "screens/heap.py (forget_closed_watchers)"
        )
        watchers = [entry for entries in watcher_lists(app) for entry in entries]
        assert all(isinstance(e, tuple) and len(e) == 2 for e in watchers), moved(
            "the shape of a watcher entry, (node, callback)", "screens/heap.py"
        )
        assert any(node is notes for node, _ in watchers), moved(
            "which node a TextArea's watcher on the app's theme belongs to", "screens/heap.py"
        )


def test_notifications_and_frames_are_where_the_tests_and_bench_reach():
    assert parameters(App._display) == ["self", "screen", "renderable"], moved(
        "App._display(screen, renderable)", "bench/screens.py (on_each_frame)"
    )
    assert "_notifications" in inspect.getsource(App.__init__), moved(
        "App._notifications", "the tests that read what the app told (textual_internals.notifications)"
    )


async def test_the_screen_text_the_tests_read_is_what_the_terminal_shows():
    from screens.textual_internals import screen_lines, screen_text

    app = WithHeader()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        assert hasattr(app, "_background_screens") and hasattr(app.screen, "_compositor"), moved(
            "App._background_screens / Screen._compositor", "tests (textual_internals.screen_text)"
        )
        lines = screen_text(app).splitlines()
        assert len(lines) == 6 and app.title in lines[0], moved(
            "Compositor.render_update(full=, screen_stack=)", "tests (textual_internals.screen_text)"
        )
        runs = screen_lines(app)
        assert ["".join(segment.text for segment in line) for line in runs] == lines, moved(
            "LayoutUpdate.strips, a line's strips", "tests (textual_internals.screen_lines)"
        )


async def test_the_notifications_the_tests_read_are_the_ones_shown():
    from screens.textual_internals import notifications

    app = WithHeader()
    async with app.run_test() as pilot:
        app.notify("Saved.")
        await pilot.pause()
        assert [n.message for n in notifications(app)] == ["Saved."], moved("App._notifications", "the tests")


def _textual_subclasses() -> list[type]:
    modules = [importlib.import_module(f"screens.{m.name}") for m in pkgutil.iter_modules(screens.__path__)]
    found = []
    for module in [*modules, circles_app]:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and any(
                b.__module__.startswith("textual.") for b in cls.__mro__[1:]
            ):
                found.append(cls)
    return found


@functools.cache  # reading a class's source parses its whole module: once per class is plenty
def _private_names_assigned(cls: type) -> frozenset[str]:
    """Private methods a class defines, and private attributes its methods set on ``self``."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    names = {
        n.name
        for n in ast.iter_child_nodes(tree.body[0])
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id == "self":
                names.add(node.attr)
        elif isinstance(node, ast.AnnAssign | ast.Assign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return frozenset(n for n in names if n.startswith("_") and not n.startswith("__"))


def test_no_subclass_of_ours_reuses_a_private_name_of_textual_by_accident():
    """A Textual upgrade that adds, say, ``App._store`` would silently break CirclesApp; the only
    private names shared on purpose are the ones screens/textual_internals.py overrides."""
    from screens.textual_internals import FITTING_METHODS, LAYOUT_METHODS, SIZING_METHODS

    clashes = []
    for cls in _textual_subclasses():
        ours = _private_names_assigned(cls)
        for base in (b for b in cls.__mro__[1:] if b.__module__.startswith("textual.")):
            theirs = set(vars(base)) | _private_names_assigned(base)
            clashes += [f"{cls.__qualname__}.{n} (also {base.__qualname__}.{n})" for n in ours & theirs]
    allowed = (
        {f"ColumnSizingDataTable.{n} (also DataTable.{n})" for n in SIZING_METHODS}
        | {f"ColumnFittingDataTable.{n} (also DataTable.{n})" for n in FITTING_METHODS}
        | {
            f"ColumnFittingDataTable.{n} (also {base}.{n})"
            for n in LAYOUT_METHODS
            for base in ("ScrollView", "Widget")
        }
    )
    assert set(clashes) <= allowed, (
        f"Textual {version('textual')} uses these private names too: {sorted(set(clashes) - allowed)}; "
        "rename ours"
    )


def test_openpyxl_keeps_a_write_only_sheets_temporary_file_where_the_export_closes_it(tmp_path):
    """circles/exports/writers.py (_discard) closes and deletes the temporary file openpyxl keeps
    per write-only sheet, through WriteOnlyWorksheet._writer and ._rows, when an export fails."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("rows")
    sheet.append(["Ana", "present"])
    writer, rows = getattr(sheet, "_writer", None), getattr(sheet, "_rows", None)
    used_by = "circles/exports/writers.py (_discard, cleaning up after a failed export)"
    what = f"openpyxl {version('openpyxl')} moved or changed WriteOnlyWorksheet.{{}}, which {used_by} uses"
    assert writer is not None and callable(getattr(writer, "close", None)), what.format("_writer")
    assert callable(getattr(writer, "cleanup", None)), what.format("_writer.cleanup")
    assert rows is not None and inspect.isgenerator(rows), what.format("_rows")
    rows.close()
    writer.close()
    writer.cleanup()


def test_a_thread_worker_is_named_in_a_context_variable_we_can_clear():
    """screens/work.py clears it after each thread worker (textual_internals.forget_worker_in_this_thread):
    an idle pool thread would otherwise keep its last worker, and that worker's screen, alive."""
    from contextvars import ContextVar

    from textual.worker import active_worker

    assert isinstance(active_worker, ContextVar), moved("textual.worker.active_worker", "screens/work.py")


def test_a_message_pump_keeps_its_waiting_messages_in_a_queue_we_can_look_at():
    """screens/late_keys.py holds keys typed behind a list's Enter until the selection it posted
    has climbed to the screen (textual_internals.message_on_its_way_up)."""
    from textual.message_pump import MessagePump

    names = vars(MessagePump)
    assert "_message_queue" in names and "cached_property" in type(names["_message_queue"]).__name__, moved(
        "MessagePump._message_queue", "screens/late_keys.py"
    )
    assert callable(getattr(MessagePump()._message_queue, "empty", None)), moved(
        "MessagePump._message_queue.empty()", "screens/late_keys.py"
    )
    # What waits in it, to tell a message a key posted from the keys typed after it.
    pump = MessagePump()
    pump._message_queue.put_nowait(None)
    assert list(getattr(pump._message_queue, "values", ())) == [None], moved(
        "MessagePump._message_queue.values (the waiting messages)", "screens/textual_internals.py"
    )
    # tests/tui_support.settle (textual_internals.messages_unhandled): the message taken out of
    # the queue to see whether it replaces the one being handled waits here, not in the queue.
    assert MessagePump()._pending_message is None, moved("MessagePump._pending_message", "tests/tui_support")
    assert "self._pending_message = message" in inspect.getsource(MessagePump._peek_message), moved(
        "where MessagePump._peek_message keeps the message it took out", "tests/tui_support.py"
    )


def test_a_widget_types_css_is_parsed_and_cached_as_parse_default_css_has_it():
    """screens/preload.py parses the main screens' widgets' CSS in a worker and puts it in the
    stylesheet's parse cache (textual_internals.parse_default_css, keep_parsed_css): the keys
    must be those Textual's own parse looks for, or each first open parses it again."""
    from textual.css.stylesheet import Stylesheet

    from screens.paged import PagedTable
    from screens.textual_internals import keep_parsed_css, parse_default_css

    variables = App().get_css_variables()
    ahead = parse_default_css(Stylesheet(variables=variables), [PagedTable])
    stylesheet = Stylesheet(variables=variables)
    for read_from, css, tie_breaker, scope in PagedTable()._get_default_css():
        stylesheet.add_source(
            css, read_from=read_from, is_default_css=True, tie_breaker=tie_breaker, scope=scope
        )
    stylesheet.parse()
    assert set(stylesheet._parse_cache.keys()) == set(ahead.rules), moved(
        "the sources DOMNode._get_default_css gives, or the keys of Stylesheet._parse_cache",
        "screens/preload.py",
    )
    # Kept in a stylesheet with the same variables, what it parses then is all found there.
    fresh = Stylesheet(variables=variables)
    kept = parse_default_css(fresh, [PagedTable])
    keep_parsed_css(fresh, kept)
    for read_from, css, tie_breaker, scope in PagedTable()._get_default_css():
        fresh.add_source(css, read_from=read_from, is_default_css=True, tie_breaker=tie_breaker, scope=scope)
    misses = fresh._parse_cache.misses
    fresh.parse()
    assert fresh._parse_cache.misses == misses, moved(
        "Stylesheet._parse_cache (an LRUCache)", "screens/preload.py"
    )


def test_a_screen_is_built_off_the_stack_as_push_screen_builds_it():
    assert parameters(App._register)[:3] == ["self", "parent", "widgets"], moved(
        "App._register(parent, *widgets)", "screens/opening.py (build_off_the_stack)"
    )
    assert "self._register(self, _screen)" in inspect.getsource(App._get_screen), moved(
        "how push_screen starts a screen not yet running (App._get_screen)",
        "screens/opening.py (build_off_the_stack)",
    )
