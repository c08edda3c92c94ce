"""URLs: one canonical form for deduplication, links found in free text or read from feeds and
OPML files (`http_url`), and the address policy.

The same article reaches us under many addresses (`?utm_source=twitter`, `#comments`,
`HTTP://Example.com:80/`), so deduplication compares `canonical_url` forms. The address policy
lives here too because it is a judgement about a URL and the addresses its host resolves to;
`summaries.fetch` applies it before every request and again when it opens a connection.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import quote, unquote_plus, urljoin, urlsplit, urlunsplit

from summaries.errors import BlockedURLError, typed

_DEFAULT_PORTS = {"http": "80", "https": "443"}

TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
        "li_fat_id", "igshid", "mc_cid", "mc_eid", "ref_src", "ref_url", "_ga", "_gl", "_hsenc",
        "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv", "srsltid",
        "__twitter_impression",
    }
)  # fmt: skip
"""Query parameters that only identify a campaign or a click, never the page (plus `utm_*`)."""

_URL_IN_TEXT = re.compile(r"""https?://[^\s<>"'`«»“”‘’„「」]+""", re.IGNORECASE)
_TRAILING = ".,;:!?…*_~"
_EDGES = "".join(map(chr, range(0x21))) + "".join(c for c in map(chr, range(0x3001)) if c.isspace())
"""Stripped from both ends: control characters, which str.strip() leaves and urlsplit drops
from the start, and every blank str.strip() drops (U+00A0 ... U+3000, the last of them)."""
_CLOSERS = {")": "(", "]": "[", "}": "{"}

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def canonical_url(url: str) -> str:
    """`url` with scheme and host lower-cased, default port, fragment and tracking dropped.

    The rest of the query keeps its original order and spelling, because many sites route on
    it (`?p=123`). Something that does not parse as a URL is returned stripped (of blanks and
    control characters, `_EDGES`) but unchanged: deduplication must never fail on an odd link.

    A path that starts with "//" under an empty host (`http:////example.com/a`, `////`) keeps
    one slash: written back as it was, it would read as a host the next time (check_url finds
    no host in it), so the canonical form of a canonical form would differ. For the same reason
    the result is stripped like the input (`http: ?` has the path " "), and a blank query
    parameter goes like an empty one (`? #`).
    """
    url = url.strip(_EDGES)
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    netloc = _canonical_netloc(parts.netloc, scheme)
    path = parts.path or ("/" if netloc else "")
    if not netloc and path.startswith("//"):
        path = "/" + path.lstrip("/")
    query = "&".join(p for p in parts.query.split("&") if p.strip() and not _is_tracking(p))
    return urlunsplit((scheme, netloc, path, query, "")).strip(_EDGES)


def _canonical_netloc(netloc: str, scheme: str) -> str:
    """Host in lower case (an international name in its ASCII, punycode form) and the port
    without leading zeros or, when it is the scheme's default, left out: `:0080` is port 80.

    A colon left in the host outside an IPv6 literal's brackets (`a::80`, `a:b:`) means this
    is no host and port: it is only lower-cased, as reading a port off it would leave a host
    with another port to read the next time.
    """
    userinfo, at, hostport = netloc.rpartition("@")
    host, colon, port = hostport.rpartition(":")
    if not colon or "]" in port:
        host, port = hostport, ""
    if ":" in host and not (host.startswith("[") and host.endswith("]")):
        return f"{userinfo}{at}{hostport.lower()}"
    if port.isdecimal() and port.isascii():
        port = str(int(port))
    if port == _DEFAULT_PORTS.get(scheme):
        port = ""
    return f"{userinfo}{at}{_ascii_host(host.lower())}{':' + port if port else ''}"


def _ascii_host(host: str) -> str:
    """`bücher.example` as `xn--bcher-kva.example`, the form a feed may use for the same host;
    a name IDNA cannot encode (an over-long or empty label) stays as it is."""
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _is_tracking(pair: str) -> bool:
    name = unquote_plus(pair.partition("=")[0]).lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


def find_urls(text: str) -> list[str]:
    """http(s) links in free text, as written, in order, without repeats.

    Trailing sentence punctuation and unbalanced closing brackets are not part of a link
    (`(see https://x.org/a).` gives `https://x.org/a`), but balanced ones are
    (`https://en.wikipedia.org/wiki/Mercury_(planet)`). Two spellings of one canonical URL
    count once; the first spelling is kept.
    """
    found: list[str] = []
    seen: set[str] = set()
    for match in _URL_IN_TEXT.finditer(text):
        url = _trim(match.group())
        key = canonical_url(url)
        if _has_host(url) and key not in seen:
            seen.add(key)
            found.append(url)
    return found


def _has_host(url: str) -> bool:
    """False for `http:///x`; True for a link too broken to split (`http://[oops`), which is
    kept so that fetching it tells the sender it is not a valid address."""
    try:
        return bool(urlsplit(url).netloc)
    except ValueError:
        return True


def _trim(url: str) -> str:
    """`url` without its trailing sentence punctuation and unbalanced closing brackets.

    The brackets are counted once and the count kept as they go: counting them again for
    each character dropped made a link followed by thousands of ")" quadratic.
    """
    count = {mark: url.count(mark) for pair in _CLOSERS.items() for mark in pair}
    end = len(url)
    while end:
        last = url[end - 1]
        unbalanced = last in _CLOSERS and count[last] > count[_CLOSERS[last]]
        if last not in _TRAILING and not unbalanced:
            break
        if last in count:
            count[last] -= 1
        end -= 1
    return url[:end]


def check_url(url: str) -> None:
    """Refuse a URL newsbrief must not fetch whatever its host resolves to.

    Only http and https: `file://`, `ftp://`, `gopher://` and the like reach things a news bot
    has no business reading. Credentials in the URL (`https://user:pass@host/`) are refused too:
    they would be stored with the source, shown in lists and sent to every redirect target.
    """
    try:
        parts = urlsplit(url.strip())
        _ = parts.port  # parsing the port is part of the validation
    except ValueError:
        raise BlockedURLError(f"{typed(url, 200)} is not a valid web address.", url=url) from None
    if not parts.scheme:
        raise BlockedURLError(
            f"{typed(url, 200)} is not a full web address; start it with https://.", url=url
        )
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        raise BlockedURLError(
            "newsbrief only fetches http:// and https:// addresses,"
            f" not {parts.scheme} ({typed(url, 200)}).",  # a scheme is letters, digits, + - .
            url=url,
        )
    if not parts.hostname:
        raise BlockedURLError(f"{typed(url, 200)} has no host name.", url=url)
    if parts.username is not None or parts.password is not None:
        raise BlockedURLError(
            "Addresses with a user name or password in them are not accepted; "
            "use the feed's public address.",
            url=url,
        )


def blocked_reason(address: str) -> str | None:
    """Why newsbrief refuses to connect to `address` (an IP literal), or None if it may.

    Anything but a globally routable unicast address is refused: loopback, private ranges,
    link-local (cloud metadata at 169.254.169.254), multicast, unspecified, carrier-grade NAT,
    documentation and reserved ranges. IPv6 forms that embed an IPv4 address (IPv4-mapped,
    IPv4-compatible, 6to4, NAT64) are judged by the IPv4 address inside.
    """
    ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.teredo is not None:
            return "a Teredo tunnel address"
        ip = _embedded_ipv4(ip) or ip
    checks = (
        (ip.is_loopback, "a loopback address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip in _CGNAT, "a carrier-grade NAT address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private network address"),
        (not ip.is_global, "an address outside the public internet"),
    )
    return next((reason for hit, reason in checks if hit), None)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def http_url(value: object, base: str) -> str | None:
    """`value` resolved against `base` if it is an http(s) URL with a host, else None.

    Control characters are percent-encoded: a feed's link is stored as the article's address,
    printed by `newsbrief search` and logged, and an ESC in it would drive the terminal.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        url = _CONTROL.sub(lambda char: quote(char.group()), urljoin(base, value.strip()))
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.hostname else None
