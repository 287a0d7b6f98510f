"""The form that exports the recognition digest (Markdown or JSON) from the Recognition screen:
a file already there is replaced once the person said so, as every export asks
(screens/replace_file.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from circles.feedback_views import Ledger, LedgerPeriod
from circles.recognition_digest import as_json, markdown
from screens.form_screen import Field, FormScreen


def export_form(period: LedgerPeriod, read: Callable[[Any], Ledger]) -> FormScreen[Path]:
    """The form for the digest of ``period``, whose ledger ``read(db)`` gives whole when it is
    saved. Read before the form opened, a year of a whole organisation's store (67,000 people)
    kept x from doing anything visible for three seconds; read in the save, the form opens at
    once and its button says "Saving…" while the digest is read and written."""
    from circles.export_folder import suggested_folder

    folder = suggested_folder()  # as every export dialog offers: the last folder, else Downloads
    stem = f"recognition-{period.since or period.until:%Y-%m}"
    fields = [
        Field("format", "Format", "md", choices=[("Markdown (newsletter, chat)", "md"), ("JSON", "json")]),
        Field("file", "File", str(folder / f"{stem}.md"), required=True),
    ]

    def target(v: dict[str, Any]) -> Path:
        path = Path(v["file"]).expanduser()
        if not path.is_absolute():  # as the attendance dialog reads it: in the folder offered
            path = folder / path
        return path.with_suffix(".json") if v["format"] == "json" and path.suffix == ".md" else path

    def save(db: Any, v: dict[str, Any]) -> Path:
        import json

        from circles.export_folder import remember_folder
        from circles.exports.atomic import write_file

        ledger = read(db)
        text = (
            json.dumps(as_json(ledger), indent=2, ensure_ascii=False) + "\n"
            if v["format"] == "json"
            else markdown(ledger)
        )
        # Replacing a file there was asked about before the save (writes_file).
        written = write_file(target(v), text.encode("utf-8"), force=True, field="file")
        remember_folder(written.parent)
        return written

    return FormScreen(
        f"Export the digest ({period.period})", fields, save, writes_file=target, writes_store=False
    )
