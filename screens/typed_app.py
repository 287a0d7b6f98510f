"""The running app as screens use it: Textual types ``node.app`` as any App; screens also use
CirclesApp's clock (``now()``), the screens it opens (``open_circle``...) and, in
screens/work.py alone, its store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.app import App
from textual.dom import DOMNode

if TYPE_CHECKING:
    from circles.app import CirclesApp  # circles.app imports screens: named for the checker only


def circles_app(node: DOMNode | App[Any]) -> CirclesApp:
    """``node``'s app (or ``node`` itself, an app) as the CirclesApp it is when circles runs.
    Tests that host one screen in an App of their own give it what that screen uses."""
    return cast("CirclesApp", node if isinstance(node, App) else node.app)
