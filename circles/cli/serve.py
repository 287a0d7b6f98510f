"""circles serve: the app in a browser, for this machine by default."""

from __future__ import annotations

import click

from circles.cli.common import state
from circles.cli.flags import Command


def _check_public_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from circles.errors import InvalidInput
    from circles.validate import url_parts
    from models.url_text import url_without_secrets

    try:
        parts = url_parts(value.strip(), "--public-url")
    except InvalidInput as exc:
        raise click.BadParameter(exc.detail, ctx, param) from None
    shown_url = url_without_secrets(value.strip())[:60]  # quoted back with no password in it
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise click.BadParameter(
            f"{shown_url!r} is not an address like https://circles.example.org (no path)", ctx, param
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise click.BadParameter(f"{shown_url!r} should be just scheme://host[:port]", ctx, param)
    return value.strip().rstrip("/")


def _check_host(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """An address or a name this machine can look up, refused here in words that name it: the
    remote check would otherwise offer --allow-remote for a typo, and the bind say only
    "name or service not known"."""
    import ipaddress
    import re
    import socket

    host = value.strip()
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    # A dotted number that is no address (999.1.1.1) is a typo, not a name to ask the network.
    looked_up = bool(host) and not re.fullmatch(r"[0-9.]+", host)
    if looked_up:
        try:
            socket.getaddrinfo(host, None)
            return host
        except (OSError, UnicodeError):
            pass
    raise click.BadParameter(
        f"{value[:60]!r} is neither an address like 127.0.0.1 nor a name this machine can look up",
        ctx,
        param,
    )


@click.command(cls=Command)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    callback=_check_host,
    help="The address to listen on.",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0 picks a free one."
)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Listen on an address other machines can reach (plain HTTP: put a reverse proxy with TLS in front).",
)
@click.option(
    "--public-url",
    callback=_check_public_url,
    help="The address people open, if not http://HOST:PORT (e.g. the reverse proxy's https://...).",
)
@click.option(
    "--max-apps",
    type=click.IntRange(1, 200),
    default=None,
    help="How many tabs may run the app at once (default 8); each is a process of its own.",
)
def serve(host: str, port: int, allow_remote: bool, public_url: str | None, max_apps: int | None) -> None:
    """Serve the app to a browser: open the address it prints (it carries a one-run token).

    Each tab runs its own app on this store; closing the tab ends it, and stopping the server
    (Ctrl+C) ends them all.
    """
    from circles.serve.access import is_local_host, is_wildcard_host
    from circles.serve.server import DEFAULT_MAX_APPS, CirclesServer

    if not is_local_host(host) and not allow_remote:
        raise click.UsageError(
            f"--host {host[:60]} lets other machines reach the app: add --allow-remote if that is "
            "what you want (and put a reverse proxy with TLS in front)."
        )
    if is_wildcard_host(host) and public_url is None:
        raise click.UsageError(
            f"--host {host} names no address a browser can open: give the one people will use "
            "with --public-url (e.g. https://circles.example.org)."
        )
    cli = state()
    store = cli.store(adds=True)  # opened (and upgraded) once here: a store that is not one fails now
    where = store.display_url
    store.close()
    if not is_local_host(host):
        click.echo(
            "circles serve speaks plain HTTP: on a network, anyone on the way can read the token "
            "and every screen. TLS belongs in a reverse proxy in front of it (nginx, Caddy...), "
            "whose https:// address you give with --public-url.",
            err=True,
        )
    click.echo(f"Serving the store {where}")
    server = CirclesServer(
        # The app processes open the same store; a URL with a password goes through the
        # environment, never onto a command line that ps shows.
        environment={"CIRCLES_DATABASE_URL": store_setting_for_apps(cli.store_url)},
        host=host,
        port=port,
        public_url=public_url,
        max_apps=max_apps or DEFAULT_MAX_APPS,
        say=lambda line: click.echo(line),
    )
    server.serve()


def store_setting_for_apps(store_url: str | None) -> str:
    """The store as each app process should find it: a file by its absolute path (the app may
    not start in this folder), a URL as given."""
    from models.location import sqlite_file_setting, store_setting

    path = sqlite_file_setting(store_url)
    return str(path) if path is not None else store_setting(store_url)
