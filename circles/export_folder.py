"""The export dialogs' memory: the last folder an export went to, in the user config dir."""

from __future__ import annotations

import json
from pathlib import Path

from platformdirs import user_config_dir

from models.folders import make_private_folder


def settings_file() -> Path:
    return Path(user_config_dir("circles", appauthor=False)) / "last-export-folder.json"


def last_folder(path: Path | None = None) -> Path | None:
    """The folder used last time, if it is still there; reading never creates anything."""
    path = path or settings_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    folder = data.get("last_folder") if isinstance(data, dict) else None
    if isinstance(folder, str) and Path(folder).is_dir():
        return Path(folder)
    return None


def remember_folder(folder: Path, path: Path | None = None) -> None:
    """Keep ``folder`` for next time. A settings file that cannot be written is not worth an error."""
    path = path or settings_file()
    try:
        make_private_folder(path.parent, parents=True)
        path.write_text(json.dumps({"last_folder": str(folder)}), encoding="utf-8")
    except OSError:
        pass
