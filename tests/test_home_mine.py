"""Home for a facilitator in an organisation store: once the settings say who they are
(circles/me.py), it lists the sessions of their circles, and a key shows every circle's. Nobody
named (a new user): every circle, as always."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from textual.widgets import Static

from circles.app import CirclesApp
from circles.cli.common import CliState
from circles.delivery.settings import load_settings
from circles.me import ME_ENV, me_setting, set_me
from circles.services import members
from circles.services.home import load_home
from models.engine import sqlite_url
from models.store import Store
from tests import factories, forked
from tests.tui_support import rows, settle, shown

REPO = Path(__file__).resolve().parent.parent


def _organisation(store: Store) -> None:
    """Ana facilitates Rust Lunch, belongs to Go Guild, has left Data Circle and never joined
    Design Crit; each circle meets once in the next days."""
    ana = factories.person(store, "Ana Lima")
    bo = factories.person(store, "Bo Chen")
    rust = factories.circle(store, "Rust Lunch", facilitator_id=ana.id)
    go = factories.circle(store, "Go Guild", facilitator_id=bo.id)
    data = factories.circle(store, "Data Circle", facilitator_id=bo.id)
    design = factories.circle(store, "Design Crit", facilitator_id=bo.id)
    factories.member(store, go, ana)
    factories.member(store, data, ana)
    with store.write() as db:
        members.remove_member(db, circle_id=data.id, person_id=ana.id)
    for n, c in enumerate((rust, go, data, design)):
        factories.session(store, c, f"2026-03-0{5 + n} 12:00", title=c.name)


def _circles(data) -> list[str]:
    return [s.circle_name for s in data.upcoming]


def test_home_lists_the_circles_of_the_person_named_and_every_circle_on_request(store):
    _organisation(store)
    with store.read() as db:
        nobody = load_home(db)
        mine = load_home(db, me=" ANA@example.org ")
        every = load_home(db, me="ana@example.org", every_circle=True)
        stranger = load_home(db, me="zoe@example.org")
    everything = ["Rust Lunch", "Go Guild", "Data Circle", "Design Crit"]
    assert _circles(nobody) == everything and nobody.me is None and not nobody.only_mine
    # Facilitated and belonged to; not the circle left, nor the one never joined.
    assert _circles(mine) == ["Rust Lunch", "Go Guild"]
    assert mine.me == "Ana Lima" and mine.only_mine
    assert _circles(every) == everything and every.me == "Ana Lima" and not every.only_mine
    # An address nobody has: every circle, and the address, so Home can say so.
    assert _circles(stranger) == everything
    assert stranger.me is None and stranger.me_unknown == "zoe@example.org"


def test_the_setting_is_written_at_the_top_of_the_settings_file_keeping_the_rest(tmp_path):
    env = {"CIRCLES_CONFIG": str(tmp_path / "config.toml")}
    assert me_setting(env) is None
    (tmp_path / "config.toml").write_text('# mine\n[smtp]\nhost = "smtp.example.org"\nuser = "a@b.example"\n')
    set_me("ana@example.org", env)
    set_me("bo@example.org", env)  # replaces, does not add a second key
    text = (tmp_path / "config.toml").read_text()
    assert text.count("me = ") == 1 and text.startswith('me = "bo@example.org"\n# mine\n[smtp]')
    assert me_setting(env) == "bo@example.org"
    # The delivery settings read the same file and take the key as known.
    assert load_settings(environ=env).smtp is not None
    # The environment comes first.
    assert me_setting({**env, ME_ENV: "zoe@example.org"}) == "zoe@example.org"
    set_me(None, env)
    assert me_setting(env) is None and "[smtp]" in (tmp_path / "config.toml").read_text()
    # A file that is not TOML names nobody: Home still opens.
    (tmp_path / "config.toml").write_text("me = \n")
    assert me_setting(env) is None


async def test_home_shows_my_circles_and_a_switches_to_every_circle(memory_store, clock, monkeypatch):
    _organisation(memory_store)
    monkeypatch.setenv(ME_ENV, "ana@example.org")
    app = CirclesApp(memory_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#upcoming")
        assert [r[1] for r in rows(table)] == ["Rust Lunch", "Go Guild"]
        title = shown(app.screen.query_one("#upcoming-title", Static))
        assert title.startswith("Circles of Ana Lima (a: every circle): Coming up")
        keys = {b.binding.action: b.binding.description for b in app.screen.active_bindings.values()}
        assert keys.get("every_circle") == "All circles" and "my_circles" not in keys

        await pilot.press("a")
        await settle(app, pilot)
        assert [r[1] for r in rows(table)] == ["Rust Lunch", "Go Guild", "Data Circle", "Design Crit"]
        assert shown(app.screen.query_one("#upcoming-title", Static)).startswith("Every circle (a: yours): ")
        keys = {b.binding.action: b.binding.description for b in app.screen.active_bindings.values()}
        assert keys.get("my_circles") == "My circles" and "every_circle" not in keys

        await pilot.press("a")
        await settle(app, pilot)
        assert [r[1] for r in rows(table)] == ["Rust Lunch", "Go Guild"]


async def test_home_for_nobody_named_is_as_it_was(memory_store, clock):
    _organisation(memory_store)
    app = CirclesApp(memory_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert len(rows(app.screen.query_one("#upcoming"))) == 4
        assert shown(app.screen.query_one("#upcoming-title", Static)) == "Coming up in the next 14 days"
        actions = {b.binding.action for b in app.screen.active_bindings.values()}
        assert not actions & {"every_circle", "my_circles"}


def test_the_first_glance_gives_way_to_the_store_for_someone_named(tmp_path, clock, monkeypatch):
    """The glance reads every circle's sessions: for someone named it would show the wrong list
    until the store answered."""
    path = tmp_path / "store.db"
    store = Store.open(sqlite_url(path), clock=clock)
    _organisation(store)
    store.close()
    glance = CliState(str(path)).first_glance()
    assert glance is not None
    assert glance() is not None
    monkeypatch.setenv(ME_ENV, "ana@example.org")
    assert glance() is None


def _cli(db: str, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    for name in ("CIRCLES_DATABASE_URL", ME_ENV, "CIRCLES_CONFIG", "XDG_CONFIG_HOME"):
        env.pop(name, None)
    result = forked.run_circles(
        ["--db", db, *args],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.mark.slow
def test_whoami_names_you_lists_your_circles_and_refuses_an_address_nobody_has(store, store_url, tmp_path):
    _organisation(store)
    db = store_url.render_as_string(hide_password=False)
    home = tmp_path / "home"
    nobody = _cli(db, home, "whoami")
    assert nobody.returncode == 1 and nobody.stderr.startswith("circles: Nobody is named")
    typo = _cli(db, home, "whoami", "--set", "ana@exmaple.org")
    assert typo.returncode == 1 and "ana@exmaple.org" in typo.stderr and len(typo.stderr.splitlines()) == 1
    named = _cli(db, home, "whoami", "--set", "Ana@Example.org")
    assert named.returncode == 0 and named.stdout.startswith("You are Ana Lima <ana@example.org>")
    shown_ = _cli(db, home, "whoami")
    assert shown_.stdout.splitlines() == [
        "Ana Lima <ana@example.org>",
        "Facilitates: Rust Lunch",
        "Member of: Go Guild",
    ]
    assert _cli(db, home, "whoami", "--clear").returncode == 0
    assert _cli(db, home, "whoami").returncode == 1


def test_whoami_set_to_an_empty_address_says_it_is_empty_and_keeps_who_you_were(store, store_url, tmp_path):
    """`--set "   "` asked the store who has the address '' and said "Nobody has the e-mail
    address ''": the value was never looked at. It is refused naming the flag and the value."""
    factories.person(store, "Ana Lima")
    db, home = store_url.render_as_string(hide_password=False), tmp_path / "home"
    assert _cli(db, home, "whoami", "--set", "ana@example.org").returncode == 0
    for blank in ("", "   "):
        empty = _cli(db, home, "whoami", "--set", blank)
        assert empty.returncode == 1 and empty.stdout == ""
        assert empty.stderr.splitlines() == ["circles: --set is required."]
    # Checked as every address is: not asked of the store.
    not_one = _cli(db, home, "whoami", "--set", "ana")
    assert not_one.stderr == "circles: --set 'ana' is not an e-mail address like ana@example.org.\n"
    assert _cli(db, home, "whoami").stdout.startswith("Ana Lima <ana@example.org>")
