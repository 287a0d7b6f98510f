"""The delivery settings file and `circles config path | check | init`: where it lives, what it
accepts, and that a password is never written in it by accident, nor printed, whatever fails."""

from __future__ import annotations

import base64
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from circles.cli import main
from circles.delivery.settings import (
    CONFIG_ENV,
    SMTP_URL_ENV,
    SettingsError,
    TlsMode,
    check_caldav_url,
    config_path,
    load_settings,
    smtp_from_url,
)
from circles.delivery.smtp import SmtpError, check_smtp
from circles.errors import InvalidInput
from tests.smtp_sink import Sink, smtp_sink

SECRET = "s3cret-Pa55word"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir()
    monkeypatch.setenv(CONFIG_ENV, str(path))
    monkeypatch.delenv(SMTP_URL_ENV, raising=False)
    return path


@pytest.fixture
def sink() -> Iterator[Sink]:
    with smtp_sink(auth=("ana", SECRET)) as s:
        yield s


def _write(path: Path, text: str, mode: int = 0o600) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def _printer(password: str) -> str:
    """A password_command that prints ``password`` (and a second line to ignore); it holds it
    reversed, so finding the password in a message means the answer leaked, not the command."""
    return f"{sys.executable} -c \"print('{password[::-1]}'[::-1]); print('second line')\""


def _run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _no_secret(*texts: str) -> None:
    encoded = base64.b64encode(SECRET.encode()).decode()
    for text in texts:
        assert SECRET not in text and encoded not in text, text


def test_the_file_is_in_the_user_config_folder_and_reading_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_path() == tmp_path / "xdg" / "circles" / "config.toml"
    settings = load_settings()
    assert settings.smtp is None and not settings.exists
    assert not (tmp_path / "xdg").exists()
    result = _run("config", "path")
    assert result.exit_code == 0 and result.stdout.strip() == str(
        tmp_path / "xdg" / "circles" / "config.toml"
    )


def test_init_writes_a_private_template_and_never_over_a_file(config: Path) -> None:
    assert _run("config", "init").exit_code == 0
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert "password_command" in config.read_text()
    again = _run("config", "init")
    assert again.exit_code == 1 and "is there already" in again.stderr


def test_smtp_settings_with_a_password_command(config: Path, sink: Sink) -> None:
    _write(
        config,
        f'[smtp]\nhost = "127.0.0.1"\nport = {sink.port}\ntls = "none"\nuser = "ana"\n'
        f"password_command = '''{_printer(SECRET)}'''\n",
    )
    settings = load_settings()
    assert settings.smtp is not None and settings.smtp.tls is TlsMode.NONE
    assert SECRET not in repr(settings)  # the command is kept, not its answer
    result = _run("config", "check")
    assert result.exit_code == 0, result.stderr
    assert f"SMTP 127.0.0.1:{sink.port}: connected (no TLS), logged in as ana." in result.stdout
    assert sink.logins == ["ana"]
    _no_secret(result.stdout, result.stderr)


def test_a_password_from_the_environment(config: Path, sink: Sink, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(
        config,
        f'[smtp]\nhost = "127.0.0.1"\nport = {sink.port}\ntls = "none"\nuser = "ana"\n'
        'password_env = "MY_SMTP_PASSWORD"\n',
    )
    missing = _run("config", "check")
    assert missing.exit_code == 1 and "MY_SMTP_PASSWORD is not set" in missing.stderr
    monkeypatch.setenv("MY_SMTP_PASSWORD", SECRET)
    assert _run("config", "check").exit_code == 0


@pytest.mark.parametrize(
    ("password_line", "expected"),
    [
        (f"password_command = '''{_printer('wrong-' + SECRET)}'''", "refused the login for ana"),
        (
            f"password_command = '''{sys.executable} -c "
            f"\"import sys; print('{SECRET[::-1]}'[::-1]); sys.exit(3)\"'''",
            "failed with exit status 3",
        ),
        ("password_command = 'no-such-program-here'", "no such program"),
        (f"password_command = '''{sys.executable} -c \"pass\"'''", "printed nothing"),
        (f'password = "{SECRET}"', "password_in_file = true"),
    ],
    ids=["login refused", "command fails", "no program", "no output", "in the file"],
)
def test_no_failure_prints_the_password(config: Path, sink: Sink, password_line: str, expected: str) -> None:
    _write(
        config,
        f'[smtp]\nhost = "127.0.0.1"\nport = {sink.port}\ntls = "none"\nuser = "ana"\n{password_line}\n',
    )
    result = _run("config", "check")
    assert result.exit_code == 1
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    _no_secret(result.stdout, result.stderr)
    send = _run("send", "invites", "--circle", "Nowhere")  # fails on the circle first: no leak either
    _no_secret(send.stdout, send.stderr)
    with pytest.raises(Exception) as caught:
        settings = load_settings().require_smtp()
        check_smtp(settings)
    _no_secret(str(caught.value), repr(caught.value))


def test_a_password_in_the_file_needs_the_opt_in_and_a_private_file(config: Path, sink: Sink) -> None:
    text = (
        f'[smtp]\nhost = "127.0.0.1"\nport = {sink.port}\ntls = "none"\nuser = "ana"\n'
        f'password = "{SECRET}"\npassword_in_file = true\n'
    )
    _write(config, text, mode=0o644)
    shared = _run("config", "check")
    assert shared.exit_code == 1 and "chmod 600" in shared.stderr
    _no_secret(shared.stderr)
    _write(config, text, mode=0o600)
    assert _run("config", "check").exit_code == 0
    assert sink.logins == ["ana"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[smtp]\nhost = "smtp.example.org"\ntls = "none"\n', "only allowed to 127.0.0.1 or ::1"),
        ('[smtp]\nhost = "localhost"\ntls = "none"\n', "only allowed to 127.0.0.1 or ::1"),
        ('[smtp]\nhost = "smtp.example.org"\ntls = "ssl3"\n', "must be starttls, tls or none"),
        ('[smtp]\nhost = "smtp.example.org"\nport = "587"\n', "port '587' must be a number"),
        ("[smtp]\nport = 587\n", "host: is required"),
        (
            '[smtp]\nhost = "h.example.org"\nsender = "ana at example"\n',
            "sender 'ana at example' is not an e-mail",
        ),
        ('[smtp]\nhost = "h.example.org"\npasword_command = "x"\n', "is not a setting"),
        ('[smpt]\nhost = "h"\n', "is not a section circles knows"),
        ("[smtp\nhost = 1\n", "not valid TOML"),
        ('[caldav]\nurl = "http://dav.example.org/cal/"\n', "must use https://"),
        ('[caldav]\nurl = "https://ana:pw@dav.example.org/cal/"\n', "must not hold a user or password"),
    ],
)
def test_bad_settings_are_one_line_naming_the_setting(config: Path, text: str, message: str) -> None:
    _write(config, text)
    with pytest.raises((SettingsError, InvalidInput)) as caught:
        load_settings()
    assert message in str(caught.value)
    result = _run("config", "check")
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_the_smtp_url_from_the_environment_overrides_the_file(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(config, '[smtp]\nhost = "smtp.example.org"\nsender = "circles@example.org"\n')
    monkeypatch.setenv(SMTP_URL_ENV, "smtp://127.0.0.1:1025")
    smtp = load_settings().require_smtp()
    assert (smtp.host, smtp.port, smtp.tls, smtp.sender) == (
        "127.0.0.1",
        1025,
        TlsMode.NONE,
        "circles@example.org",
    )
    assert smtp_from_url("smtps://ana%40x.org:p%40ss@mail.example.org").port == 465
    assert smtp_from_url("smtp+tls://mail.example.org").tls is TlsMode.STARTTLS
    with pytest.raises(InvalidInput, match=r"only allowed to 127\.0\.0\.1"):
        smtp_from_url("smtp://mail.example.org:25")
    with pytest.raises(InvalidInput) as caught:
        smtp_from_url(f"imap://ana:{SECRET}@mail.example.org")
    _no_secret(str(caught.value))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            f"smtp://ana:{SECRET}@mail.example.org:99999",
            "'smtp://ana:***@mail.example.org:99999' has a port that",
        ),
        (
            f"smtps://ana:{SECRET}@mail.example.org:abc",
            "'smtps://ana:***@mail.example.org:abc' has a port that",
        ),
        ("smtps://[::1", "'smtps://[::1' is not a valid URL"),
        ("mail.example.org", "'mail.example.org' must start with smtp://"),  # not '://mail.example.org'
    ],
)
def test_an_smtp_url_that_urllib_cannot_read_is_named_as_typed_without_its_password(
    config: Path, monkeypatch: pytest.MonkeyPatch, url: str, message: str
) -> None:
    """A port out of range or an unclosed [ made urllib raise ValueError when the port was
    read: 'Something went wrong' and exit 70 instead of a message about the setting."""
    monkeypatch.setenv(SMTP_URL_ENV, url)
    result = _run("config", "check")
    assert result.exit_code == 1 and f"circles: {SMTP_URL_ENV} {message}" in result.stderr
    _no_secret(result.output)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://[::1", "--url 'https://[::1' is not a valid URL."),
        ("https://dav.example.org:99999/", "--url 'https://dav.example.org:99999/' has a port that"),
        (f"ftp://ana:{SECRET}@dav.example.org/", "--url 'ftp://ana:***@dav.example.org/' must be an http://"),
        (
            f"https://ana:{SECRET}@dav.example.org/",
            "--url 'https://ana:***@dav.example.org/' must not hold a user",
        ),
    ],
)
def test_a_caldav_url_that_cannot_be_used_is_named_as_typed_without_its_password(
    url: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_caldav_url(url)
    assert str(refused.value).startswith(message)
    _no_secret(str(refused.value))


def test_a_server_that_is_not_there_is_one_line(config: Path) -> None:
    from tests.smtp_sink import free_port

    port = free_port()
    with pytest.raises(SmtpError, match=f"SMTP 127.0.0.1:{port}: cannot connect: Connection refused"):
        check_smtp(smtp_from_url(f"smtp://127.0.0.1:{port}"))


def test_starttls_is_not_skipped_when_the_server_does_not_offer_it(config: Path, sink: Sink) -> None:
    """A server without STARTTLS is refused rather than spoken to in clear (a downgrade attack)."""
    from circles.delivery.settings import SmtpSettings

    with pytest.raises(SmtpError, match="does not offer STARTTLS"):
        check_smtp(SmtpSettings("127.0.0.1", sink.port, TlsMode.STARTTLS))
    assert os.environ.get(CONFIG_ENV)
