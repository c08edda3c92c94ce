"""Canonical URLs, links in free text, and the address policy's judgements."""

from __future__ import annotations

import pytest

from summaries.errors import BlockedURLError
from summaries.urls import blocked_reason, canonical_url, check_url, find_urls


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://News.Example.COM/Path/Case", "https://news.example.com/Path/Case"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a#comments", "https://example.com/a"),
        (
            "https://example.com/a?utm_source=tw&id=7&UTM_Medium=x&fbclid=abc&b=&gclid=1",
            "https://example.com/a?id=7&b=",
        ),
        (
            "https://example.com/a?z=1&a=2&mc_cid=1&mc_eid=2&igshid=3",
            "https://example.com/a?z=1&a=2",
        ),
        ("https://example.com/a?yclid=1&ref_src=twsrc&_ga=2.1", "https://example.com/a"),
        ("https://example.com/a?q=a+b%20c&utm_campaign=x", "https://example.com/a?q=a+b%20c"),
        ("https://example.com/a?", "https://example.com/a"),
        ("https://[2001:db8::1]:443/x", "https://[2001:db8::1]/x"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("http://[::1", "http://[::1"),
        ("http://example.com:0080/a", "http://example.com/a"),
        ("https://example.com:08443/a", "https://example.com:8443/a"),
        ("https://Bücher.Example/feed", "https://xn--bcher-kva.example/feed"),
        ("https://xn--bcher-kva.example/feed", "https://xn--bcher-kva.example/feed"),
        ("https://😀.example/a", "https://xn--e28h.example/a"),
        ("https://" + "ü" * 70 + ".example/a", "https://" + "ü" * 70 + ".example/a"),  # too long
        ("https://Ü..example/a", "https://ü..example/a"),  # an empty label: no IDNA form
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_canonical_url_is_idempotent() -> None:
    url = "HTTP://Example.com:80/x?utm_source=a&p=1#f"
    assert canonical_url(canonical_url(url)) == canonical_url(url)


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("Read https://example.com/a.", ["https://example.com/a"]),
        ("(see https://example.com/a), then", ["https://example.com/a"]),
        (
            "https://en.wikipedia.org/wiki/Mercury_(planet) is nice",
            ["https://en.wikipedia.org/wiki/Mercury_(planet)"],
        ),
        ("[link](https://example.com/x?a=1&b=2)", ["https://example.com/x?a=1&b=2"]),
        (
            "«https://example.fr/article» et “https://example.com/q”",
            ["https://example.fr/article", "https://example.com/q"],
        ),
        (
            "Two: https://a.example/1! and HTTP://b.example/2?",
            ["https://a.example/1", "HTTP://b.example/2"],
        ),
        (
            "dup https://a.example/x then https://a.example/x?utm_source=tg and https://a.example/x",
            ["https://a.example/x"],
        ),
        ("<https://a.example/path>", ["https://a.example/path"]),
        ("no links, ftp://a.example/f or www.example.com or http:// alone", []),
        ("broken http://[oops and https://[::1 links", ["http://[oops", "https://[::1"]),
        ("", []),
    ],
)
def test_find_urls(text: str, urls: list[str]) -> None:
    assert find_urls(text) == urls


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address"),
        ("10.1.2.3", "a private network address"),
        ("172.16.0.1", "a private network address"),
        ("169.254.169.254", "a link-local address"),
        ("100.100.100.100", "a carrier-grade NAT address"),
        ("0.0.0.0", "an unspecified address"),
        ("224.0.0.251", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
        ("192.0.2.10", "a private network address"),
        ("::1", "a loopback address"),
        ("::", "an unspecified address"),
        ("fe80::1%eth0", "a link-local address"),
        ("fc00::5", "a private network address"),
        ("ff02::1", "a multicast address"),
        ("::ffff:192.168.0.1", "a private network address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("::7f00:1", "a loopback address"),
        ("2002:0a00:0001::1", "a private network address"),
        ("64:ff9b::a9fe:a9fe", "a link-local address"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "a Teredo tunnel address"),
        ("8.8.8.8", None),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
        ("::ffff:8.8.8.8", None),
        ("64:ff9b::808:808", None),
    ],
)
def test_blocked_reason(address: str, reason: str | None) -> None:
    assert blocked_reason(address) == reason


@pytest.mark.parametrize(
    "url", ["https://example.com/feed", "http://example.com:8080/rss?x=1", "HTTPS://EXAMPLE.COM"]
)
def test_check_url_accepts_web_addresses(url: str) -> None:
    check_url(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "not file"),
        ("ftp://example.com/", "not ftp"),
        ("javascript:alert(1)", "not javascript"),
        ("data:text/html,hi", "not data"),
        ("example.com/feed", "start it with https://"),
        ("https://:pw@example.com/", "user name or password"),
        ("https://user@example.com/", "user name or password"),
        ("https:///path", "has no host name"),
        ("http://example.com:0x50/", "not a valid web address"),
    ],
)
def test_check_url_refuses(url: str, message: str) -> None:
    with pytest.raises(BlockedURLError, match=message):
        check_url(url)


@pytest.mark.parametrize("url", ["exa\rmple.com/feed", "ftp://example.com/\r\u2028x", "http://\r/"])
def test_a_refused_address_is_quoted_on_one_line(url: str) -> None:
    """A line break in the address split the refusal over two lines, in the bot and the CLI."""
    with pytest.raises(BlockedURLError) as refused:
        check_url(url)
    assert len(str(refused.value).splitlines()) == 1
