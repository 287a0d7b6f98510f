"""Who you are in the store: the e-mail address that names you, so Home lists your circles.

A shared organisation store has thousands of circles; a facilitator wants theirs. Who they are
belongs to the person at the keyboard, not to the store others share, so it is a setting of
theirs: the environment variable CIRCLES_ME, else ``me = "address"`` at the top of the settings
file (``circles config path``; ``circles whoami --set ADDRESS`` writes it). Nobody named (a new
user): Home lists every circle, as it always did.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

ME_ENV = "CIRCLES_ME"
# A top-level key of the settings file: before its first [section].
_ME_LINE = re.compile(r"^\s*me\s*=.*$")
_SECTION = re.compile(r"^\s*\[")


def me_setting(environ: Mapping[str, str] | None = None) -> str | None:
    """The address that names you, or None. A settings file that cannot be read names nobody
    here: Home still opens (``circles config check`` says what is wrong with the file)."""
    environ = os.environ if environ is None else environ
    given = environ.get(ME_ENV, "").strip()
    if given:
        return given
    path = _settings_path(environ)
    try:
        value = tomllib.loads(path.read_text(encoding="utf-8")).get("me")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return value.strip() or None if isinstance(value, str) else None


def set_me(address: str | None, environ: Mapping[str, str] | None = None) -> Path:
    """Write ``me = "address"`` at the top of the settings file (None takes it out), keeping
    everything else in the file as it was; returns the file's path."""
    from models.folders import make_private_folder

    path = _settings_path(os.environ if environ is None else environ)
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    head = next((n for n, line in enumerate(lines) if _SECTION.match(line)), len(lines))
    kept = [line for n, line in enumerate(lines) if n >= head or not _ME_LINE.match(line)]
    if address is not None:
        # A TOML basic string: JSON's escaping is TOML's for the characters an address has.
        import json

        kept.insert(0, f"me = {json.dumps(address, ensure_ascii=False)}")
    make_private_folder(path.parent, parents=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(kept) + ("\n" if kept else ""))
    return path


def _settings_path(environ: Mapping[str, str]) -> Path:
    from circles.delivery.settings import config_path

    return config_path(environ)
