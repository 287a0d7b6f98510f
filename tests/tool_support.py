"""Tests that need a tool from outside the project's Python packages (Chromium, PgBouncer,
Playwright): skipped with the reason where it is missing, but failed in CI (CI set, as .ci/run's
machine has it), where .ci/run installs every such tool, so missing there means an install broke."""

from __future__ import annotations

import os

import pytest


def require_tool(missing: str | None) -> None:
    """Skip (fail in CI) the test asking, with ``missing`` as the reason, unless it is None."""
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{missing}: .ci/run installs it, so its install step broke", pytrace=False)
    pytest.skip(missing)
