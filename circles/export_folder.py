"""Where the export dialogs suggest writing: the last folder an export went to (kept in the user
config dir), else the Downloads folder."""

from __future__ import annotations

import json
from pathlib import Path

from platformdirs import user_config_dir, user_downloads_dir

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


def suggested_folder(path: Path | None = None) -> Path:
    """The folder an export dialog offers: the one used last time, else Downloads (where people
    look for a file they have just made, and attach it to a mail from: XDG's download folder on
    Linux, whatever its name in the person's language), else the home folder."""
    last = last_folder(path)
    if last is not None:
        return last
    downloads = Path(user_downloads_dir())
    return downloads if downloads.is_dir() else Path.home()


def remember_folder(folder: Path, path: Path | None = None) -> None:
    """Keep ``folder`` for next time. A settings file that cannot be written is not worth an error."""
    path = path or settings_file()
    try:
        make_private_folder(path.parent, parents=True)
        path.write_text(json.dumps({"last_folder": str(folder)}), encoding="utf-8")
    except OSError:
        pass
