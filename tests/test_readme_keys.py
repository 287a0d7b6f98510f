"""The keys the README names are the keys the app binds: the README is where people learn them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.binding import Binding

from screens.feedback_panel import FeedbackPanel
from screens.home import HomeScreen
from screens.knowledge_panel import KnowledgePanel
from screens.recognition import RecognitionScreen
from screens.session import SessionScreen

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _keys(owner: type, action: str) -> set[str]:
    """The keys bound to an action, as the README writes them ('slash' is '/')."""
    names = {"slash": "/"}
    return {
        names.get(key.strip(), key.strip())
        for b in owner.BINDINGS
        if isinstance(b, Binding) and b.action == action
        for key in b.key.split(",")
    }


@pytest.mark.parametrize(
    ("said", "owner", "action"),
    [
        (r"Feedback tab \(`(.)`\) shows", SessionScreen, "tab('feedback-tab')"),
        (r"\*\*Materials & takeaways\*\* tab \(`(.)`\)", SessionScreen, "tab('knowledge-tab')"),
        (r"`(.)` on a session opens check-out", SessionScreen, "check_out"),
        (r"`(.)` on the Feedback tab, or", FeedbackPanel, "toggle_anonymous"),
        (r"`(.)` on the Feedback tab\)", FeedbackPanel, "toggle_share"),
        (r"sets the topics \(`(.)`\)", KnowledgePanel, "topics"),
        (r"system's opener \(`(.)`\)", KnowledgePanel, "open"),
        (r"`(.)` on Home \(or \"Search", HomeScreen, "search"),
        (r"`(.)` on Home \(or \"Programmes", HomeScreen, "programmes"),
        (r"`(.)` on Home \(or \"Recognition", HomeScreen, "recognition"),
        (r"`(.)` on Home \(or \"Organisation", HomeScreen, "organisation"),
        (r"`(.)`\s+thanks someone", RecognitionScreen, "thank"),
        (r"`(.)` exports\s+the digest", RecognitionScreen, "export"),
    ],
)
def test_a_key_the_readme_names_does_what_it_says(said: str, owner: type, action: str) -> None:
    found = re.search(said, README)
    assert found is not None, f"the README no longer says {said!r}"
    assert found.group(1) in _keys(owner, action)
