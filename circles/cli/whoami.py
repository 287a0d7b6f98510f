"""circles whoami [--set ADDRESS | --clear]: who you are in the store, so Home lists your circles."""

from __future__ import annotations

import json

import click

from circles.cli.common import done, json_option, plain, reading
from circles.cli.flags import Command


@click.command(cls=Command)
@click.option("--set", "address", metavar="ADDRESS", help="Name yourself by your e-mail address.")
@click.option("--clear", is_flag=True, help="Name nobody: Home lists every circle again.")
@json_option
def whoami(address: str | None, clear: bool, as_json: bool) -> None:
    """Say who you are in the store and which circles are yours (Home lists those first).

    You are named by the environment variable CIRCLES_ME, else by 'me' in the settings file
    (circles config path), which --set writes."""
    from circles import validate
    from circles.errors import InvalidInput, NotFound
    from circles.me import ME_ENV, me_setting, set_me
    from circles.services.home import whoami as find_me

    if address is not None and clear:
        raise InvalidInput("--clear", "", "cannot go with --set: give one of them")
    if clear:
        where = set_me(None)
        done(f"Nobody named in {where}; Home lists every circle.")
        return
    if address is not None:
        # Checked as every address is, before the store is asked who has it (nobody has '').
        address = validate.email(address, "--set")
        with reading() as db:
            me = find_me(db, address)  # only someone the store has: a typo names nobody
        assert me.person.email is not None  # found by it
        where = set_me(me.person.email)
        done(f"You are {me.person.name} <{me.person.email}> (written to {where}).")
        if me_setting() != me.person.email:
            click.echo(f"circles: {ME_ENV} names someone else and comes first in this shell.", err=True)
        return
    named = me_setting()
    if named is None:
        raise NotFound(f"Nobody is named: 'circles whoami --set ADDRESS' names you (or {ME_ENV}).")
    with reading() as db:
        me = find_me(db, named)
    if as_json:
        click.echo(json.dumps(plain(me), indent=2, ensure_ascii=False))
        return
    click.echo(f"{me.person.name} <{me.person.email}>")
    click.echo(f"Facilitates: {', '.join(me.facilitates) or 'no circle'}")
    click.echo(f"Member of: {', '.join(me.member_of) or 'no other circle'}")
