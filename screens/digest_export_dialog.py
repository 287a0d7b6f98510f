"""The form that exports the recognition digest (Markdown or JSON) from the Recognition screen:
a file already there is replaced once the person said so, as every export asks
(screens/replace_file.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from circles.feedback_views import Ledger
from circles.recognition_digest import as_json, markdown
from screens.form_screen import Field, FormScreen


def export_form(ledger: Ledger) -> FormScreen[Path]:
    from circles.export_folder import suggested_folder

    folder = suggested_folder()  # as every export dialog offers: the last folder, else Downloads
    stem = f"recognition-{ledger.since or ledger.until:%Y-%m}"
    fields = [
        Field("format", "Format", "md", choices=[("Markdown (newsletter, chat)", "md"), ("JSON", "json")]),
        Field("file", "File", str(folder / f"{stem}.md"), required=True),
    ]

    def target(v: dict[str, Any]) -> Path:
        path = Path(v["file"]).expanduser()
        if not path.is_absolute():  # as the attendance dialog reads it: in the folder offered
            path = folder / path
        return path.with_suffix(".json") if v["format"] == "json" and path.suffix == ".md" else path

    def save(_db: Any, v: dict[str, Any]) -> Path:
        import json

        from circles.export_folder import remember_folder
        from circles.exports.atomic import write_file

        text = (
            json.dumps(as_json(ledger), indent=2, ensure_ascii=False) + "\n"
            if v["format"] == "json"
            else markdown(ledger)
        )
        # Replacing a file there was asked about before the save (writes_file).
        written = write_file(target(v), text.encode("utf-8"), force=True, field="file")
        remember_folder(written.parent)
        return written

    return FormScreen(f"Export the digest ({ledger.period})", fields, save, writes_file=target)
