"""circles config path | check | init: where the delivery settings live, and whether they work."""

from __future__ import annotations

import os
from functools import partial

import click

from circles.cli.common import done
from circles.cli.flags import Group


@click.group(cls=Group)
def config() -> None:
    """The settings for sending invites (SMTP) and the shared calendar (CalDAV)."""


@config.command("path")
def path() -> None:
    """Print where the settings file is (CIRCLES_CONFIG, else your config folder)."""
    from circles.delivery.settings import config_path

    where = config_path()
    click.echo(str(where))
    if not where.exists():
        click.echo("(not there yet: 'circles config init' writes one to fill in)", err=True)


@config.command("init")
def init() -> None:
    """Write a settings file to fill in (never over an existing one); only you can read it."""
    from circles.delivery.settings import TEMPLATE, config_path
    from circles.errors import AlreadyExists
    from models.folders import make_private_folder

    where = config_path()
    if where.exists():
        raise AlreadyExists(f"{where} is there already; edit it, or move it away first.")
    make_private_folder(where.parent, parents=True)
    fd = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(TEMPLATE)
    done(f"Wrote {where}: fill in your SMTP server, then run 'circles config check'.")


@config.command("check")
def check() -> None:
    """Connect to the SMTP server (and the CalDAV calendar, if set) with the settings in force."""
    from circles.delivery.settings import SMTP_URL_ENV, CaldavSettings, SmtpSettings, load_settings
    from circles.errors import CirclesError

    def smtp(setting: SmtpSettings) -> str:
        from circles.delivery.smtp import check_smtp

        return check_smtp(setting)

    def caldav(setting: CaldavSettings) -> str:
        from circles.delivery.caldav import check_caldav

        return check_caldav(setting)

    settings = load_settings()
    if settings.smtp is None and settings.caldav is None:
        where = (
            settings.path if settings.exists else f"{settings.path} (not there yet: 'circles config init')"
        )
        from circles.errors import NotAllowed

        # A refusal like every other command's ("circles: ..."), not click's "Error: ...".
        raise NotAllowed(f"Nothing to check: no [smtp] or [caldav] in {where}, and no {SMTP_URL_ENV}.")
    failed = False
    checks = (
        ("smtp", None if settings.smtp is None else partial(smtp, settings.smtp)),
        ("caldav", None if settings.caldav is None else partial(caldav, settings.caldav)),
    )
    for name, test in checks:
        if test is None:
            click.echo(f"{name}: not set.")
            continue
        try:
            click.echo(test())
        except CirclesError as exc:
            click.echo(f"circles: {exc}", err=True)
            failed = True
    if failed:
        raise SystemExit(1)
