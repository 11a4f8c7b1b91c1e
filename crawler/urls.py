"""Article URLs: recognise them, canonicalise them, map them onto the configured origin.

alinea.id articles live at ``/<section>/<slug>-b<code>`` (``<code>``: 8 chars ``[0-9A-Za-z]``)
on ``www.alinea.id`` and bare ``alinea.id``, and on AMP at ``/amp/<section>/<slug>-b<code>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

CANONICAL_ORIGIN = "https://www.alinea.id"
SITE_HOSTS = frozenset({"www.alinea.id", "alinea.id", "m.alinea.id"})

ARTICLE_PATH_RE = re.compile(r"^/(?:amp/)?(?P<section>[a-z][a-z0-9-]*)/(?P<slug>[A-Za-z0-9-]+?)-(?P<article_id>b[0-9A-Za-z]{8})/?$")
PAGE_PARAM_RE = re.compile(r"(?:^|&)page=(\d{1,4})(?:&|$)")


@dataclass(frozen=True)
class ArticleRef:
    """What an article URL says about its article."""

    section: str
    slug: str
    article_id: str

    @property
    def canonical_url(self) -> str:
        return f"{CANONICAL_ORIGIN}/{self.section}/{self.slug}-{self.article_id}"

    def path(self) -> str:
        return f"/{self.section}/{self.slug}-{self.article_id}"


def parse_article_url(url: str | None) -> ArticleRef | None:
    """The article a URL points to, or ``None`` when it is not an article URL.

    Any host is accepted here; :func:`is_site_url` decides whether a host is ours.

    >>> parse_article_url("https://alinea.id/amp/pemilu/dugaan-kecurangan-b1Xgj9kbZ/?page=1#x")
    ArticleRef(section='pemilu', slug='dugaan-kecurangan', article_id='b1Xgj9kbZ')
    >>> parse_article_url("https://www.alinea.id/indeks") is None
    True
    >>> parse_article_url("") is None
    True
    """
    if not url:
        return None
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return None
    match = ARTICLE_PATH_RE.match(path)
    if not match:
        return None
    return ArticleRef(match["section"], match["slug"], match["article_id"])


def canonical_url(url: str | None) -> str | None:
    """``https://www.alinea.id/<section>/<slug>-b<code>`` for any variant of an article URL.

    >>> canonical_url("http://alinea.id/amp/bisnis/harga-beras-b2nhl9RfN/?utm_source=x")
    'https://www.alinea.id/bisnis/harga-beras-b2nhl9RfN'
    >>> canonical_url("https://www.alinea.id/bisnis") is None
    True
    """
    ref = parse_article_url(url)
    return ref.canonical_url if ref else None


def page_number(url: str) -> int:
    """The ``?page=N`` part number of an article URL (0 for the bare URL).

    >>> page_number("https://www.alinea.id/pemilu/x-b1Xgj9kbZ?page=2")
    2
    >>> page_number("https://www.alinea.id/pemilu/x-b1Xgj9kbZ")
    0
    >>> page_number("http://[")
    0
    """
    try:
        query = urlsplit(url).query
    except ValueError:
        return 0
    match = PAGE_PARAM_RE.search(query)
    return int(match.group(1)) if match else 0


def join_url(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base``; ``None`` for what is not a URL at all.

    >>> join_url("https://www.alinea.id/a/b", "../c?x=1")
    'https://www.alinea.id/c?x=1'
    >>> join_url("https://www.alinea.id/", "http://[broken") is None
    True
    """
    try:
        joined = urljoin(base, (href or "").strip())
        urlsplit(joined)  # raises on what urljoin lets through (an unclosed IPv6 bracket)
    except ValueError:
        return None
    return joined


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.netloc or "").lower()


def is_site_url(url: str, base_url: str = CANONICAL_ORIGIN) -> bool:
    """Whether ``url`` is on alinea.id (either host) or on the configured origin ``base_url``.

    >>> is_site_url("https://alinea.id/x")
    True
    >>> is_site_url("https://evil.example/alinea.id")
    False
    >>> is_site_url("javascript:alert(1)")
    False
    >>> is_site_url("http://127.0.0.1:8080/x", "http://127.0.0.1:8080")
    True
    """
    try:
        scheme, netloc = _origin(url)
    except ValueError:
        return False
    if scheme not in ("http", "https"):
        return False
    host = netloc.rsplit("@", 1)[-1]
    if host.split(":", 1)[0] in SITE_HOSTS:
        return True
    return (scheme, netloc) == _origin(base_url)


def to_base(url: str, base_url: str = CANONICAL_ORIGIN, page_url: str | None = None) -> str | None:
    """Rewrite a site URL onto the origin the crawler talks to (``ALINEA_BASE_URL``).

    A relative ``url`` is resolved against ``page_url`` (the page it was found on) or the base.
    Returns ``None`` for URLs off the site or not URLs at all, so nothing outside alinea.id is
    ever requested.

    >>> to_base("https://alinea.id/rss", "http://127.0.0.1:8080")
    'http://127.0.0.1:8080/rss'
    >>> to_base("/indeks?page=2", "https://www.alinea.id")
    'https://www.alinea.id/indeks?page=2'
    >>> to_base("https://example.com/x") is None
    True
    >>> to_base("//[::1/x") is None
    True
    >>> to_base("?page=2", "http://127.0.0.1:8080", "http://127.0.0.1:8080/indeks?page=1")
    'http://127.0.0.1:8080/indeks?page=2'
    """
    absolute = join_url(page_url or base_url.rstrip("/") + "/", url)
    if absolute is None or not is_site_url(absolute, base_url):
        return None
    parts = urlsplit(absolute)
    base = urlsplit(base_url)
    return urlunsplit((base.scheme, base.netloc, parts.path or "/", parts.query, ""))


def article_request_url(ref: ArticleRef, base_url: str, page: int = 0) -> str:
    """The URL to fetch part ``page`` of an article from ``base_url`` (non-AMP, ``?page=N``).

    >>> article_request_url(ArticleRef("pemilu", "x", "b1Xgj9kbZ"), "https://www.alinea.id", 1)
    'https://www.alinea.id/pemilu/x-b1Xgj9kbZ?page=1'
    """
    url = base_url.rstrip("/") + ref.path()
    return f"{url}?page={page}" if page else url
