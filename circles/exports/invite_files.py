"""Calendar invite files written in one unit with the store changes they announce.

A cancel export cancels the session in the store and writes a file saying so; the two go
together. The files are written whole (and flushed to disk) inside the store's unit of work,
under temporary names; the unit commits only if they were; and they take their real names only
once it has committed. So a full disk or a folder that cannot be written leaves the session as
it was, and no file announces a cancel the store does not hold. (Should the last step, the
rename, fail after the commit, the message says the session is cancelled and how to get its
file again: a cancel export of a session already cancelled changes nothing in the store.)
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from circles.errors import CirclesError
from circles.exports.atomic import Staging
from circles.file_errors import FileError
from circles.services.invites import IcsExport

UnitOfWork = Callable[[], AbstractContextManager[Session]]
"""``store.write``: a unit of work that commits when its block ends."""

InUnitOfWork = Callable[[Callable[[Session], IcsExport]], IcsExport]
"""Runs its argument in one write unit of work, committed when it returns; it may run it again
after the store cancelled an attempt (the command line's ``writing``)."""


def once(write: UnitOfWork) -> InUnitOfWork:
    """``store.write`` as an :data:`InUnitOfWork` that tries once."""

    def run(work: Callable[[Session], IcsExport]) -> IcsExport:
        with write() as db:
            return work(db)

    return run


@dataclass(frozen=True, slots=True)
class WrittenInvites:
    export: IcsExport
    paths: tuple[Path, ...]  # where each of export.files went, in the same order


@dataclass(frozen=True, slots=True)
class ToFile:
    """Every file of the export to one path (an export with one file)."""

    path: Path
    field: str = "--output"


@dataclass(frozen=True, slots=True)
class ToFolder:
    """Each file of the export into a folder under its own name (one per member); the folder
    is made if it is not there, its own folder must exist."""

    folder: Path
    field: str = "--per-member"


def write_invites(
    run: InUnitOfWork,
    build: Callable[[Session], IcsExport],
    where: ToFile | ToFolder,
    *,
    force: bool = False,
) -> WrittenInvites:
    """Build the export in a unit of work and write its files; all of it, or none of it."""
    with Staging() as staging:

        def stage(db: Session) -> IcsExport:
            staging.discard()  # what an attempt the store cancelled (and rolled back) wrote
            export = build(db)
            if isinstance(where, ToFolder):
                folder = staging.folder(where.folder, field=where.field)
                for f in export.files:  # a file in the way stops them all, before the commit
                    staging.write(folder / f.name, f.content, force=force, field=where.field)
            else:
                (only,) = export.files
                staging.write(where.path, only.content, force=force, field=where.field)
            return export

        export = run(stage)
        try:
            paths = staging.put_in_place()
        except FileError as exc:
            if not export.cancelled:
                raise
            labels = ", ".join(f"{s.id} ({s.label})" for s in export.cancelled)
            raise CirclesError(
                f"{exc}. The store has cancelled session {labels} all the same: export it again "
                "with --method cancel once the file can be written."
            ) from None
    return WrittenInvites(export, tuple(paths))
