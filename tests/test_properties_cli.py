"""What an operator can type, fuzzed: every setting and .env file, and every CLI command's
arguments and input files. The contract: a valid Settings or one ConfigError line that names the
setting and never repeats the bot token or the webhook secret; a command exits 0 with output, or
1/2 with one `Error:` line on stderr (click's usage lines above it for 2), never a traceback.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from click.testing import CliRunner, Result
from dotenv import dotenv_values
from hypothesis import example, given, settings
from hypothesis import strategies as st

from summaries.cli import cli
from summaries.config import Settings
from summaries.errors import ConfigError
from summaries.store import open_database
from tests.servers import LocalServer, Reply
from tests.stories import rss
from tests.test_search import store

SETTINGS = (
    "NEWSBRIEF_DB",
    "NEWSBRIEF_POLL_INTERVAL",
    "NEWSBRIEF_SUMMARY_SENTENCES",
    "NEWSBRIEF_SUMMARY_METHOD",
    "NEWSBRIEF_ALLOW_PRIVATE_URLS",
    "NEWSBRIEF_DEFAULT_SOURCES",
    "NEWSBRIEF_LOG_LEVEL",
    "NEWSBRIEF_FETCH_TIMEOUT",
    "NEWSBRIEF_MAX_BODY_BYTES",
    "NEWSBRIEF_PER_HOST_CONCURRENCY",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_BASE_URL",
    "NEWSBRIEF_ADMIN_IDS",
    "NEWSBRIEF_WEBHOOK_URL",
    "NEWSBRIEF_WEBHOOK_LISTEN",
    "NEWSBRIEF_WEBHOOK_SECRET",
    "NEWSBRIEF_MAX_TOPICS_PER_CHAT",
    "NEWSBRIEF_ALERTS_PER_HOUR",
    "NEWSBRIEF_DIGEST_GRACE_HOURS",
    "NEWSBRIEF_SUMMARIES_PER_MINUTE",
    "NEWSBRIEF_KEEP_ARTICLES_DAYS",
)
TOKEN_SECRET = "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
TOKEN = f"110201543:{TOKEN_SECRET}"
HOOK_SECRET = "s3cr3t-Hook_value"
ODD = [
    "", " ", "0", "-1", "²", "a:²", "٣٠", "1e400", "nan", "-inf", "1_000", "0x10", "9" * 30,
    "\x00", "\udcff", "\u2028", "\r\n", "~", "~nosuchuser/x.db", "x" * 300, "${HOME}", "'\"",
    "true", "OFF", "lexrank", "debug", "https://", "http://h/bot", "[::1]:8443", ":8443",
    "@alice, 12", TOKEN, f"bot{TOKEN}", f"api.telegram.org/bot{TOKEN}", f"https://h/{TOKEN}",
    f"h/{TOKEN}", HOOK_SECRET, f"h:{HOOK_SECRET}", f"https://h/?{HOOK_SECRET}",
]  # fmt: skip
values = st.one_of(
    st.sampled_from(ODD),
    st.text(max_size=40),
    st.integers().map(str),
    st.floats().map(str),
    st.sampled_from(ODD).flatmap(lambda odd: st.text(max_size=5).map(lambda t: odd + t)),
)


def names_a_setting(message: str, env_file: Path | None) -> bool:
    return any(name in message for name in SETTINGS) or (
        env_file is not None and str(env_file) in message
    )


def configured_secrets(environ: dict[str, str], env_file: Path | None) -> list[str]:
    """The token (and its part after the colon) and webhook secret this run configures."""
    merged: dict[str, str | None] = {}
    with contextlib.suppress(UnicodeDecodeError):
        merged |= dotenv_values(env_file) if env_file is not None else {}
    merged |= environ
    token = (merged.get("TELEGRAM_BOT_TOKEN") or "").strip()
    hook = (merged.get("NEWSBRIEF_WEBHOOK_SECRET") or "").strip()
    return [s for s in (token, token.partition(":")[2], hook) if len(s) >= 8]


def assert_valid_or_one_line(environ: dict[str, str], env_file: Path | None) -> None:
    try:
        Settings.from_env(environ, env_file=env_file)
    except ConfigError as error:
        message = str(error)
        assert len(message.splitlines()) == 1, message
        assert names_a_setting(message, env_file), message
        for secret in configured_secrets(environ, env_file):
            assert secret not in message, message


@given(
    st.dictionaries(st.sampled_from(SETTINGS), values, max_size=8),
    st.sampled_from([{}, {"TELEGRAM_BOT_TOKEN": TOKEN}, {"NEWSBRIEF_WEBHOOK_SECRET": HOOK_SECRET}]),
)
@example({"NEWSBRIEF_WEBHOOK_LISTEN": "a:²"}, {})
@example({"NEWSBRIEF_DB": "~nosuchuser/x.db"}, {})
@example({"TELEGRAM_API_BASE_URL": f"h/bot{TOKEN}"}, {"TELEGRAM_BOT_TOKEN": TOKEN})
def test_any_environment_is_settings_or_one_line_naming_the_setting(
    environ: dict[str, str], secrets: dict[str, str]
) -> None:
    assert_valid_or_one_line(secrets | environ, None)


def env_line(name: str, value: str, style: int) -> str:
    return [
        f"{name}={value}",
        f"export {name}={value}",
        f"{name}='{value}'",
        f'{name}="{value}"',
        f"# {name}={value}",
        f"  {name} = {value}  # note",
        f"{name}={value}" * 50,
    ][style]


env_lines = st.lists(
    st.builds(
        env_line,
        st.sampled_from([*SETTINGS, "newsbrief_db", "NEWSBRIEF_DBB", "=", " "]),
        values,
        st.integers(0, 6),
    ),
    max_size=6,
).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogateescape"))


@given(
    st.one_of(env_lines, st.binary(max_size=200), env_lines.map(lambda b: b + b"\xff\x00\r")),
    st.dictionaries(st.sampled_from(SETTINGS), values, max_size=3),
)
@example(b"NEWSBRIEF_DB=/tmp/a\x00b.db\n", {})
def test_any_env_file_is_settings_or_one_line_naming_the_setting(
    tmp_path_factory: pytest.TempPathFactory, content: bytes, environ: dict[str, str]
) -> None:
    env_file = tmp_path_factory.mktemp("envfile") / ".env"
    env_file.write_bytes(content)
    assert_valid_or_one_line(environ, env_file)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"NEWSBRIEF_WEBHOOK_LISTEN": "0.0.0.0:⁸⁴⁴³"}, "NEWSBRIEF_WEBHOOK_LISTEN must be HOST"),
        ({"NEWSBRIEF_DB": "~nosuchuser/news.db"}, "NEWSBRIEF_DB starts with '~nosuchuser'"),
        ({"NEWSBRIEF_DB": "n" * 256 + ".db"}, "NEWSBRIEF_DB is too long"),
        ({"NEWSBRIEF_DB": "/srv/news\x00.db"}, "NEWSBRIEF_DB must not contain a NUL"),
        (
            {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": f"api.telegram.org/bot{TOKEN}"},
            "TELEGRAM_API_BASE_URL must start with http",
        ),
        (
            {"TELEGRAM_BOT_TOKEN": TOKEN, "NEWSBRIEF_WEBHOOK_URL": f"bot.example/{TOKEN}"},
            "NEWSBRIEF_WEBHOOK_URL must start with http",
        ),
        (
            {"NEWSBRIEF_WEBHOOK_SECRET": HOOK_SECRET, "NEWSBRIEF_WEBHOOK_LISTEN": HOOK_SECRET},
            "NEWSBRIEF_WEBHOOK_LISTEN must be HOST:PORT, got '<hidden>'",
        ),
    ],
)
def test_values_that_raised_a_traceback_or_showed_a_secret_are_one_safe_line(
    environ: dict[str, str], message: str
) -> None:
    """Found by the properties above: a ValueError (superscript port digits), a RuntimeError
    (~user without a home), a NUL or over-long name only failing later as a traceback, and the
    token or secret printed in full when pasted into another setting."""
    with pytest.raises(ConfigError, match=message) as caught:
        Settings.from_env(environ, env_file=None)
    assert TOKEN_SECRET not in str(caught.value) and HOOK_SECRET not in str(caught.value)


# --- the command line ---------------------------------------------------------------------


@contextlib.contextmanager
def workdir(path: Path) -> Iterator[Path]:
    """Run in `path`, where `newsbrief` looks for its .env file."""
    with contextlib.chdir(path):
        yield path


def invoke(home: Path, *args: str, stdin: str | bytes | None = None, **env: str | None) -> Result:
    environ: dict[str, str | None] = dict.fromkeys(SETTINGS)
    environ |= {
        "NEWSBRIEF_DB": str(home / "newsbrief.db"),
        "NEWSBRIEF_DEFAULT_SOURCES": "false",
        "NEWSBRIEF_LOG_LEVEL": "WARNING",
        **env,
    }
    with workdir(home):
        return CliRunner().invoke(cli, list(args), env=environ, input=stdin)


def assert_clean(result: Result, *, json_lines: bool = False) -> None:
    """Exit 0 with output (none is fine for JSON Lines of nothing), or 1/2 with one `Error:`
    line (for 2, click's usage lines come first)."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{result.exception!r} escaped") from result.exception
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    if result.exit_code == 0:
        assert result.stdout or result.stderr or json_lines
    elif result.exit_code == 1:
        assert len(result.stderr.splitlines()) == 1 and errors, result.stderr
    else:
        assert result.exit_code == 2, (result.exit_code, result.stderr)
        assert len(errors) == 1 and result.stderr.splitlines()[-1] == errors[0], result.stderr


words = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["-", "--", "-n", "--limit", "-n0", "--json", "-h", "OR", '"', "*", "-x*"]),
    st.sampled_from(["storm", "-storm", "coast*", "Ölpreis", '"storm surge"', "source:DW"]),
    st.sampled_from(["source:", "since:", "since:99999999999d", "since:0h", "x\udcff", "\x00"]),
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("archive")
    db = open_database(home / "newsbrief.db")
    store(db, "Storm hits coast", "A storm hit the coast. Homes were damaged by the storm surge.")
    store(db, "Ü-Boot «Ölpreis»", "Ölpreis steigt. Ein Ü-Boot im Hafen.", source="DW")
    db.close()
    return home


@given(st.lists(words, max_size=5))
@settings(max_examples=120)
@example(["x\udcff"])
def test_search_with_any_words(archive: Path, query: list[str]) -> None:
    assert_clean(invoke(archive, "search", *query), json_lines="--json" in query)


def test_a_query_with_bytes_that_are_not_utf8_says_no_results(archive: Path) -> None:
    """Echoing the surrogate in "No results for ..." raised UnicodeEncodeError on stdout."""
    result = invoke(archive, "search", "caf\udce9")
    assert (result.exit_code, result.stdout) == (0, "No results for 'caf\ufffd'.\n")


def opml(feeds: list[tuple[str, str]]) -> bytes:
    """An OPML file listing `feeds` (url, name), the values escaped as XML attributes."""
    outlines = "".join(
        f"<outline xmlUrl={quoteattr(url)} text={quoteattr(name)}/>" for url, name in feeds
    )
    return f"<opml><body>{outlines}</body></opml>".encode("utf-8", "surrogatepass")


xml_text = st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=20)
opml_bytes = st.one_of(
    st.binary(max_size=300),
    st.lists(st.tuples(st.text(max_size=30), st.text(max_size=20)), max_size=4).map(opml),
    st.lists(
        st.tuples(st.builds("https://{}.example/{}".format, xml_text, xml_text), xml_text),
        max_size=4,
    ).map(opml),
    st.just(
        b'<opml><body><outline xmlUrl="https://a.example/f" text="a&#10;b&#13;c"/></body></opml>'
    ),
)


@given(opml_bytes, st.sampled_from(["list", "list --json", "export", "remove 1", "remove x"]))
@settings(max_examples=80)
def test_sources_import_then_any_command(
    tmp_path_factory: pytest.TempPathFactory, opml: bytes, then: str
) -> None:
    home = tmp_path_factory.mktemp("sources")
    (home / "feeds.opml").write_bytes(opml)
    assert_clean(invoke(home, "sources", "import", "feeds.opml"))
    assert_clean(invoke(home, "sources", *then.split()), json_lines="--json" in then)


@given(st.lists(words, max_size=3))
@settings(max_examples=60)
@example(["", "\r"])
def test_sources_remove_with_any_key(archive: Path, keys: list[str]) -> None:
    assert_clean(invoke(archive, "sources", "remove", *keys))


refused_urls = st.one_of(
    st.builds("http://127.0.0.1:9/{}".format, st.text(max_size=20)),
    st.builds("https://[::1]/{}?q={}".format, st.text(max_size=10), st.text(max_size=10)),
    st.builds(
        "{}://example.com/{}".format,
        st.sampled_from(["ftp", "file", "gopher", "x"]),
        st.text(max_size=10),
    ),
    st.sampled_from(["http://[::1", "http://\udcff", "http://", "", "-", "http://10.0.0.1:99999/"]),
)


@given(refused_urls, st.one_of(st.none(), st.text(max_size=10)))
@settings(max_examples=60)
def test_sources_add_refused_addresses(archive: Path, url: str, name: str | None) -> None:
    """Only addresses refused before any connection (private, other schemes, malformed)."""
    args = ["sources", "add", url, *([] if name is None else ["--name", name])]
    assert_clean(invoke(archive, *args, NEWSBRIEF_ALLOW_PRIVATE_URLS="false"))


def test_sources_add_with_a_name_that_is_not_utf8(tmp_path: Path, server: LocalServer) -> None:
    feed = server.add("/feed.xml", Reply(rss("Local", []), content_type="application/rss+xml"))
    assert_clean(
        invoke(
            tmp_path,
            "sources",
            "add",
            feed,
            "--name",
            "caf\udce9",
            NEWSBRIEF_ALLOW_PRIVATE_URLS="true",
        )
    )


def encoded(text: str) -> bytes:
    """`text` as UTF-8, a lone surrogate kept as its (invalid) bytes."""
    return text.encode("utf-8", "surrogatepass")


article_text = st.one_of(
    st.text(max_size=400),
    st.lists(st.text(min_size=1, max_size=40), max_size=8).map(". ".join),
    st.sampled_from(["<html><body><p>Hi.</p></body></html>", "%PDF-1.4", "\x00" * 10]),
)


@given(
    st.sampled_from(["extract", "summarize"]),
    article_text,
    st.lists(st.sampled_from(["--json", "-n", "0", "3", "21", "-m", "lead", "magic"]), max_size=4),
)
@settings(max_examples=60)
def test_extract_and_summarize_any_input(
    archive: Path, command: str, text: str, options: list[str]
) -> None:
    assert_clean(invoke(archive, command, *options, "-", stdin=encoded(text)))


@given(
    st.sampled_from(["extract", "summarize"]),
    st.one_of(st.binary(max_size=300), article_text.map(encoded)),
    st.text(max_size=20).filter(lambda name: "://" not in name),
)
@settings(max_examples=60)
def test_extract_and_summarize_any_file_or_argument(
    tmp_path_factory: pytest.TempPathFactory, command: str, content: bytes, argument: str
) -> None:
    """A saved page of any bytes, and any argument (a missing file, text, a directory...)."""
    home = tmp_path_factory.mktemp("reader")
    (home / "page.html").write_bytes(content)
    assert_clean(invoke(home, command, "page.html"))
    assert_clean(invoke(home, command, argument or "."))


scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=60),
    st.sampled_from(["\ud800", "A sentence here. And another one.", "\u2028x\x00"]),
)
json_value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3), max_leaves=5)
good_row = st.fixed_dictionaries(
    {"id": json_value, "text": json_value, "reference": json_value},
    optional={"title": json_value, "extra": json_value},
).map(json.dumps)
row = st.one_of(
    good_row,
    good_row,
    st.fixed_dictionaries(
        {},
        optional={
            "id": json_value,
            "text": json_value,
            "reference": json_value,
            "title": json_value,
        },
    ).map(json.dumps),
    json_value.map(json.dumps),
    st.sampled_from(['{"id": 1e999, "text": "x.", "reference": "y"}', "{", "\ufeff{}"]),
    st.builds('{{"id": {}, "text": "A b. C d.", "reference": "A"}}'.format, st.just("9" * 5000)),
)


@given(
    st.lists(row, min_size=1, max_size=4),
    st.lists(st.sampled_from(["--json", "--half", "dev", "--limit", "1", "-s", "1"]), max_size=3),
    st.sampled_from(["out.jsonl", ".", "set.jsonl", "no/such/dir.jsonl", "n" * 300, "o\udce9"]),
)
@settings(max_examples=60)
def test_eval_any_jsonl(
    tmp_path_factory: pytest.TempPathFactory, rows: list[str], options: list[str], out: str
) -> None:
    home = tmp_path_factory.mktemp("eval")
    (home / "set.jsonl").write_text("\n".join(rows), encoding="utf-8", errors="surrogatepass")
    args = ["eval", "set.jsonl", "-m", "lead", "--predictions", out, *options]
    assert_clean(invoke(home, *args))


bad_db_paths = st.sampled_from(
    [
        ".",
        "dir",
        "file/news.db",
        "n" * 300,
        "a/" * 2100,
        "~nosuchuser/n.db",
        "\udcff.db",
        "dir/\udcff/n.db",
        "/proc/n.db",
        "notdb",
        "gone.db",
        "-wal",
    ]
)


@given(bad_db_paths, st.sampled_from(["ingest", "ingest --json", "sources list", "search x"]))
@settings(max_examples=60)
def test_commands_with_a_bad_database_path(
    tmp_path_factory: pytest.TempPathFactory, db_path: str, command: str
) -> None:
    home = tmp_path_factory.mktemp("baddb")
    (home / "dir").mkdir()
    (home / "file").write_text("x")
    (home / "notdb").write_text("shopping list\n" * 50)
    (home / "gone.db-wal").write_bytes(b"")
    assert_clean(invoke(home, *command.split(), NEWSBRIEF_DB=db_path))


@pytest.mark.parametrize("line", ["NEWSBRIEF_DB=a\x00b.db", "NEWSBRIEF_DB=~nosuchuser/n.db"])
def test_ingest_with_a_database_path_no_file_can_have_is_one_line(
    tmp_path: Path, line: str
) -> None:
    """Each was a ValueError or RuntimeError traceback from `newsbrief ingest`."""
    (tmp_path / ".env").write_text(line + "\n")
    result = invoke(tmp_path, "ingest", NEWSBRIEF_DB=None)
    assert_clean(result)
    assert result.exit_code == 1 and "NEWSBRIEF_DB" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("sources", "add", "ftp://example.com/feed\rx"),
        ("extract", "notes\r.txt"),
        ("sources", "remove", "1", "\r2"),
    ],
)
def test_an_argument_with_a_line_break_is_still_one_error_line(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """The core quotes what was typed; a pasted "\\r" split the message over two lines."""
    assert_clean(invoke(tmp_path, *args))


@pytest.mark.parametrize(
    "args",
    [
        ("eval", "caf\udce9.jsonl", "-m", "lead", "--predictions", "r\udce9.jsonl"),
        ("sources", "import", "caf\udce9.opml"),
    ],
)
def test_a_file_name_that_is_not_utf8_is_printed(tmp_path: Path, args: tuple[str, ...]) -> None:
    """Both echoed the name as typed, and a UTF-8 stdout refused its surrogate: the command had
    done its work (the sources were imported) and then ended in UnicodeEncodeError."""
    (tmp_path / "caf\udce9.jsonl").write_text(
        json.dumps({"id": 1, "text": "A storm came. It rained.", "reference": "A storm came."})
    )
    (tmp_path / "caf\udce9.opml").write_text(
        '<opml><body><outline xmlUrl="https://example.com/feed" text="x"/></body></opml>'
    )
    result = invoke(tmp_path, *args)
    assert result.exit_code == 0, result.exception
    assert "caf\ufffd" in result.stdout
