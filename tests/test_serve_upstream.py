"""The canary for circles/serve/upstream.py: each textual-serve internal `circles serve` relies on
is still there and shaped as read. A failure names the internal: re-read it before raising
textual-serve's bound in pyproject.toml."""

from __future__ import annotations

import inspect
import re
from importlib.metadata import version

import pytest
from textual_serve.app_service import AppService
from textual_serve.server import Server

from circles.serve import upstream

READ_AGAINST = "1.1"


def test_textual_serve_is_the_minor_these_were_read_against() -> None:
    assert version("textual-serve").startswith(READ_AGAINST + "."), (
        f"textual-serve {version('textual-serve')} is installed; circles/serve/upstream.py was read "
        f"against {READ_AGAINST}: re-read its internals, then move READ_AGAINST and the bound"
    )


@pytest.mark.parametrize(
    ("owner", "name", "parameters"),
    [
        (Server, "_make_app", ["self"]),
        (Server, "_process_messages", ["self", "websocket", "app_service"]),
        (Server, "handle_websocket", ["self", "request"]),
        (Server, "on_startup", ["self", "app"]),
        (Server, "on_shutdown", ["self", "app"]),
        (AppService, "_open_app_process", ["self", "width", "height"]),
        (AppService, "_build_environment", ["self", "width", "height"]),
        (AppService, "stop", ["self"]),
        (AppService, "start", ["self", "width", "height"]),
    ],
)
def test_each_method_relied_on_is_there(owner: type, name: str, parameters: list[str]) -> None:
    method = getattr(owner, name, None)
    assert method is not None, f"textual-serve's {owner.__name__}.{name} is gone (circles/serve/upstream.py)"
    assert list(inspect.signature(method).parameters) == parameters, (
        f"textual-serve's {owner.__name__}.{name} takes other arguments now (circles/serve/upstream.py)"
    )


def test_the_app_service_keeps_its_process_where_we_put_it() -> None:
    source = inspect.getsource(AppService)
    for attribute in ("self._process", "self._stdin", "self._task"):
        assert attribute in source, f"AppService no longer uses {attribute} (upstream.adopt_process)"
    # stop() asks the app to quit, then waits for its output to end: ours escalates from there.
    assert re.search(r'send_meta\(\{"type": "quit"\}\)', inspect.getsource(AppService.stop))


def test_the_page_we_replace_is_rendered_with_the_keys_our_template_uses() -> None:
    source = inspect.getsource(Server.handle_index)
    assert f'"{upstream.TEMPLATE_NAME}"' in inspect.getsource(Server) or upstream.TEMPLATE_NAME in source
    for key in upstream.TEMPLATE_CONTEXT:
        assert f'"{key}"' in source or f"context[{key!r}]" in source, f"handle_index no longer sets {key!r}"
    assert "self.public_url" in source  # the websocket's address, which the Origin check matches


def test_the_files_the_page_loads_ship_with_textual_serve() -> None:
    for name in (*upstream.FONT_FILES, *upstream.SCRIPT_FILES):
        assert (upstream.STATIC_FOLDER / name).is_file(), f"textual-serve no longer ships static/{name}"
