"""Putting a backup back over a SQLite store. Everything that can refuse it is checked before
anything is touched (an intact circles backup, at a schema this version knows, that is not the
store itself, over a file that is a circles store or nothing yet); the store's contents are then
saved aside, and every copy made on the way is named, whether the restore succeeds or not."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from models.backup import BackupError, check_backup, copy_sqlite, restore_sqlite
from models.engine import StoreOpenError
from models.migrate import MigrationError, UpgradeResult, is_known_revision
from models.store_file import Holds, claim_sqlite_file, sqlite_contents
from models.temp_files import disk_error_text, removed_unless_kept


class RestoreError(RuntimeError):
    """The backup was not put back; the message says why, and names any copy that was made."""


@dataclass(frozen=True, slots=True)
class RestorePlan:
    backup: Path
    target: Path
    revision: str  # the backup's schema
    target_holds: Holds | None  # None: there is no store file yet


@dataclass(frozen=True, slots=True)
class Restored:
    saved: Path | None  # the store's contents before the restore
    upgraded: UpgradeResult | None  # the backup's schema brought up to date, if it was older


def plan_restore(backup: Path, target: Path) -> RestorePlan:
    """Check that ``backup`` may be put back over the store file ``target``; RestoreError if not."""
    backup = backup.expanduser().absolute()
    try:
        revision = check_backup(backup)
    except ValueError as exc:
        raise RestoreError(f"Nothing restored: {exc}.") from None
    if not is_known_revision(revision):
        raise RestoreError(
            f"Nothing restored: {backup} was written by a newer version of circles (schema {revision!r}); "
            "upgrade circles to restore it."
        )
    if not target.exists():
        return RestorePlan(backup, target, revision, None)
    if os.path.samefile(backup, target):
        # The backup API would wait for ever on a lock it holds itself.
        raise RestoreError(f"Nothing restored: {backup} is the store itself; give a backup of it.")
    holds = sqlite_contents(target).holds
    if holds is Holds.OTHER_TABLES:
        raise RestoreError(
            f"Nothing restored: {target} is not a circles store (another program's database); "
            "give the store's --db."
        )
    return RestorePlan(backup, target, revision, holds)


def restore_store(
    plan: RestorePlan,
    *,
    now: datetime,
    create_folder: bool,
    reopen: Callable[[], UpgradeResult | None],
) -> Restored:
    """Save the store's contents aside, put the backup back, and ``reopen`` the store (which
    brings an older backup's schema up to date). A failure names the copy saved first."""
    target = plan.target
    saved = None
    if plan.target_holds is None:
        try:
            claim_sqlite_file(target, create_folder=create_folder)  # private (0600), like any store
        except StoreOpenError as exc:
            raise RestoreError(f"Nothing restored: {exc}") from None
    elif target.stat().st_size > 0:
        saved = target.with_name(f"{target.name}.before-restore-{now.strftime('%Y%m%d-%H%M%S')}.bak")
        try:
            _save(target, saved, damaged=plan.target_holds is Holds.UNREADABLE)
        except BackupError as exc:
            raise RestoreError(f"Nothing restored: the store could not be saved aside first: {exc}") from None
    kept = f"; its previous contents are in {saved}" if saved else ""
    try:
        if plan.target_holds is Holds.UNREADABLE:
            _replace_damaged(plan.backup, target)
        else:
            restore_sqlite(plan.backup, target)
        upgraded = reopen()
    except (BackupError, StoreOpenError, MigrationError, OSError, sqlite3.Error) as exc:
        raise RestoreError(
            f"Restoring {target} from {plan.backup} failed: {str(exc).rstrip('.')}{kept}."
        ) from None
    return Restored(saved, upgraded)


def _save(target: Path, saved: Path, *, damaged: bool) -> None:
    if not damaged:
        copy_sqlite(target, saved)
        return
    # SQLite cannot read a damaged file to copy it: keep its bytes, whatever they are.
    partial = saved.with_name(saved.name + ".partial")
    try:
        with removed_unless_kept(partial):
            fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            with target.open("rb") as src, open(fd, "wb") as dst:
                shutil.copyfileobj(src, dst)
            os.replace(partial, saved)
    except OSError as exc:
        raise BackupError(
            f"Cannot write the copy {saved}: {disk_error_text(exc)}; nothing was written."
        ) from None


def _replace_damaged(backup: Path, target: Path) -> None:
    # A damaged file cannot take the backup page by page: it is replaced whole. Its journal
    # files go first, so SQLite never replays them onto the backup's pages.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    copy_sqlite(backup, target)
