"""Twisted resource serving the replica: routing, sessions, faults, stats, control API."""

from __future__ import annotations

import base64
import json
import random
import re
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlencode

from twisted.internet import tcp
from twisted.internet.posixbase import PosixReactorBase
from twisted.python.failure import Failure
from twisted.web import http, resource, server

from . import pages
from .article import ArticleMeta
from .faults import KINDS, Faults, FaultSpecError, Rule
from .layouts import LAYOUT_AMP, LAYOUT_UNKNOWN, Chrome, render_article
from .model import Site

SESSION_COOKIE = "alinea_session"
XSRF_COOKIE = "XSRF-TOKEN"
REDIRECT_MARKER = "utm_medium=redirect"
HTML = "text/html; charset=UTF-8"
_ARTICLE = re.compile(r"^/(?:(?P<amp>amp)/)?(?P<section>[a-z][a-z0-9-]*)/(?P<slug>[a-z0-9-]+)-b(?P<code>[0-9A-Za-z]{8})$")
_SECTION = re.compile(r"^/(?P<section>[a-z][a-z-]*)$")
_MONTH_SITEMAP = re.compile(r"^/sitemap/(?P<year>\d{4})-(?P<month>\d{2})\.xml$")
_TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_MAX_SESSIONS = 50_000
_STATUS_TEXT = {
    500: ("Server Error", "laravel"),
    502: ("Bad Gateway", "nginx"),
    503: ("Service Unavailable", "laravel"),
    429: ("Too Many Requests", "laravel"),
}


@dataclass
class Reply:
    """A complete HTTP response before it is written."""

    status: int = 200
    body: bytes = b""
    content_type: str = HTML
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Route:
    """What a request is: its stats kind, fault key, and how to answer it."""

    kind: str
    key: str
    render: Callable[[str | None], Reply]
    """Build the reply; the argument overrides the article layout (``unknown``)."""
    article: ArticleMeta | None = None


@dataclass
class Options:
    """Command-line switches."""

    robots: bool = True
    sitemap: bool = True


class Sessions:
    """Laravel-style sessions: a session cookie bound to a 40-character CSRF token."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"{seed}:sessions")
        self._tokens: OrderedDict[str, str] = OrderedDict()

    def _random(self) -> str:
        return "".join(self._rng.choice(_TOKEN_CHARS) for _ in range(40))

    def token(self, request: server.Request) -> str:
        """The token of the request's session, opening a session (cookies) when needed."""
        session = _cookie(request, SESSION_COOKIE)
        if session is not None and session in self._tokens:
            return self._tokens[session]
        session, token = self._random(), self._random()
        self._tokens[session] = token
        if len(self._tokens) > _MAX_SESSIONS:
            self._tokens.popitem(last=False)
        request.addCookie(SESSION_COOKIE, session, path="/", httpOnly=True, sameSite="lax")
        request.addCookie(XSRF_COOKIE, token, path="/", sameSite="lax")
        return token

    def valid(self, request: server.Request, form: dict[str, str]) -> bool:
        """A known session cookie and its token in ``_token`` or an X-CSRF/X-XSRF header."""
        token = self._tokens.get(_cookie(request, SESSION_COOKIE) or "")
        if token is None:
            return False
        offered = (
            form.get("_token"),
            _header(request, "x-csrf-token"),
            _header(request, "x-xsrf-token"),
        )
        return token in offered


def _reactor() -> PosixReactorBase:
    """The global reactor, imported late so importing this module installs none."""
    from twisted.internet import reactor

    return cast(PosixReactorBase, reactor)


def _cookie(request: server.Request, name: str) -> str | None:
    value = request.getCookie(name.encode())
    return value.decode("latin-1") if value else None


def _header(request: server.Request, name: str) -> str | None:
    value = request.getHeader(name)
    return value if isinstance(value, str) else None


def _html(text: str, status: int = 200) -> Reply:
    return Reply(status, text.encode())


def _json(data: object, status: int = 200) -> Reply:
    return Reply(status, json.dumps(data, ensure_ascii=False).encode(), "application/json")


def _xml(text: str) -> Reply:
    return Reply(200, text.encode(), "application/xml; charset=UTF-8")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class Stats:
    """Hit counters per path kind, per status and per injected fault."""

    def __init__(self) -> None:
        self.kinds: Counter[str] = Counter()
        self.status: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()

    def reset(self) -> None:
        """Zero every counter."""
        self.kinds.clear()
        self.status.clear()
        self.faults.clear()

    def snapshot(self) -> dict[str, Any]:
        """``{kind: hits, ..., "status": {...}, "faults": {...}}`` (control excluded from status)."""
        out: dict[str, Any] = {kind: self.kinds[kind] for kind in (*KINDS, "control")}
        out["status"] = dict(sorted(self.status.items()))
        out["faults"] = dict(sorted(self.faults.items()))
        return out


class ReplicaResource(resource.Resource):
    """The whole site as one leaf resource that routes by path."""

    isLeaf = True

    def __init__(self, site: Site, faults: Faults, options: Options) -> None:
        super().__init__()
        self.site = site
        self.faults = faults
        self.options = options
        self.stats = Stats()
        self.sessions = Sessions(site.seed)
        self._chrome: tuple[int, Chrome] | None = None

    # -- request entry ---------------------------------------------------------------------

    def render(self, request: server.Request) -> bytes | int:
        """Route, count, maybe inject a fault, answer."""
        path, query = self._target(request)
        route = self._route(request, path, query)
        self.stats.kinds[route.kind] += 1
        if route.kind == "control":
            return self._send(request, route.render(None), count=False)
        skip = self._skip(request, route, query)
        rule = self.faults.pick(route.kind, route.key, route.article.article_id if route.article else None, skip)
        if rule is None:
            return self._send(request, route.render(None))
        self.stats.faults[rule.fault] += 1
        return self._inject(request, route, rule, path, query)

    def _target(self, request: server.Request) -> tuple[str, dict[str, str]]:
        """Path (absolute-form request targets reduced to their path) and single-valued query."""
        raw = request.uri.decode("latin-1")
        raw = re.sub(r"^https?://[^/]+", "", raw) or "/"
        path, _, query = raw.partition("?")
        return unquote(path), {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}

    @staticmethod
    def _skip(request: server.Request, route: Route, query: dict[str, str]) -> frozenset[str]:
        """Faults that make no sense for this request."""
        skip = set()
        if route.article is None or route.kind == "amp":
            skip |= {"unknownlayout", "brokenlayout"}
        if request.method != b"GET" or query.get("utm_medium") == "redirect":
            skip |= {"redirect", "redirectloop"}
        return frozenset(skip)

    # -- writing -----------------------------------------------------------------------------

    def _start(self, request: server.Request, reply: Reply, length: int, count: bool = True) -> None:
        request.setResponseCode(reply.status)
        request.setHeader(b"server", b"nginx")
        request.setHeader(b"content-type", reply.content_type.encode())
        for name, value in reply.headers:
            request.setHeader(name.encode(), value.encode())
        request.setHeader(b"content-length", str(length).encode())
        if count:
            self.stats.status[str(reply.status)] += 1

    def _send(self, request: server.Request, reply: Reply, count: bool = True) -> bytes:
        self._start(request, reply, len(reply.body), count)
        return reply.body

    def _finish(self, request: server.Request, reply: Reply) -> None:
        """Answer a request left pending (``slow``)."""
        body = self._send(request, reply)
        if request.method != b"HEAD":
            request.write(body)
        request.finish()

    def _inject(self, request: server.Request, route: Route, rule: Rule, path: str, query: dict[str, str]) -> bytes | int:
        fault = rule.fault
        if fault in ("500", "502", "503", "503ra", "429"):
            code = int(fault[:3])
            message, flavour = _STATUS_TEXT[code]
            text = pages.nginx_error(code, message) if flavour == "nginx" else pages.laravel_error(code, message)
            reply = _html(text, code)
            if fault in ("503ra", "429"):
                reply.headers.append(("Retry-After", "1"))
            return self._send(request, reply)
        if fault == "404":
            return self._send(request, self._404())
        if fault in ("redirect", "redirectloop"):
            target = path + ("?" + urlencode(query) if query else "")
            token = base64.urlsafe_b64encode(target.encode()).decode().rstrip("=")
            hop = f"/link/{token}?loop=1" if fault == "redirectloop" else f"/link/{token}"
            return self._send(request, self._redirect(request, hop, 301 if fault == "redirect" else 302))
        if fault == "slow":
            call = _reactor().callLater(self.faults.sleep_for(rule), self._finish, request, route.render(None))

            def client_gone(_: Failure) -> None:
                if call.active():
                    call.cancel()

            request.notifyFinish().addErrback(client_gone)
            return server.NOT_DONE_YET
        if fault in ("reset", "truncate"):
            return self._cut(request, route.render(None), abort=fault == "reset")
        if fault == "badcharset":
            return self._send(request, self._mislabel(route.render(None), route.key))
        if fault == "brokenlayout":
            return self._send(request, self._undated(route.render(LAYOUT_UNKNOWN)))
        return self._send(request, route.render(LAYOUT_UNKNOWN))  # unknownlayout

    def _cut(self, request: server.Request, reply: Reply, abort: bool) -> int:
        """Announce the full length, send half, then reset (abort) or close the connection."""
        self._start(request, reply, len(reply.body))
        request.write(reply.body[: len(reply.body) // 2])
        transport = cast(tcp.Server, request.channel.transport)
        if abort:
            _reactor().callLater(0.02, transport.abortConnection)
        else:
            transport.loseConnection()
        return server.NOT_DONE_YET

    @staticmethod
    def _mislabel(reply: Reply, key: str) -> Reply:
        """UTF-8 bytes declared as ISO-8859-1 (header, meta tag or both, varying by URL)."""
        variant = sum(key.encode()) % 3
        body = reply.body
        if variant != 1:
            body = body.replace(b'<meta charset="utf-8">', b'<meta charset="iso-8859-1">', 1)
        content_type = "text/html; charset=iso-8859-1" if variant != 2 else "text/html"
        return Reply(reply.status, body, content_type, reply.headers)

    @staticmethod
    def _undated(reply: Reply) -> Reply:
        """The unseen layout with the date gone from the page and from every metadata tag: a
        redesign no extractor can follow, which must trip the crawler's health alarm."""
        body = re.sub(rb'<span class="tgl-terbit">.*?</span>', b"", reply.body)
        body = re.sub(rb'<script type="application/ld\+json">.*?</script>', b"", body, flags=re.S)
        body = re.sub(rb"<meta[^>]+(?:published_time|modified_time|datePublished|dateModified)[^>]*>", b"", body)
        return Reply(reply.status, body, reply.content_type, reply.headers)

    def _redirect(self, request: server.Request, target: str, status: int = 301) -> Reply:
        host = _header(request, "host") or "127.0.0.1"
        return Reply(status, b"", HTML, [("Location", f"http://{host}{target}")])

    # -- routing -----------------------------------------------------------------------------

    def chrome(self) -> Chrome:
        """Sidebar data, recomputed when articles are published."""
        if self._chrome is None or self._chrome[0] != len(self.site):
            site = self.site
            self._chrome = (len(site), Chrome(site.seed, site.popular(), site.latest(0, 10), site.picks(), site.latest(0, 40)))
        return self._chrome[1]

    def _route(self, request: server.Request, path: str, query: dict[str, str]) -> Route:
        site, chrome = self.site, self.chrome()
        key = path + ("?" + urlencode(sorted(query.items())) if query else "")
        if path.startswith("/_replica/"):
            return Route("control", key, lambda _: self._control(request, path, query))
        if path != "/" and path.endswith("/"):
            trimmed = path.rstrip("/") + ("?" + urlencode(query) if query else "")
            return Route("other", key, lambda _: self._redirect(request, trimmed))
        if path == "/":
            return Route("home", key, lambda _: _html(pages.home(site, chrome, self.sessions.token(request))))
        if path == "/more":
            form = {k.decode(): v[-1].decode() for k, v in (request.args or {}).items()}
            more_key = "/more?" + urlencode(sorted((k, v) for k, v in form.items() if k != "_token"))
            return Route("more", more_key, lambda _: self._more(request, form))
        if path == "/indeks":
            return Route("indeks", key, lambda _: self._indeks(query))
        if path == "/search":
            page = max(1, _int(query.get("page"), 1))
            return Route("search", key, lambda _: _html(pages.search(site, chrome, query.get("q", ""), page)))
        if path == "/rss":
            return Route("rss", key, lambda _: Reply(200, pages.rss(site).encode(), "application/rss+xml; charset=UTF-8"))
        if path == "/robots.txt":
            robots = pages.robots(self.options.sitemap)
            on = self.options.robots
            return Route("robots", key, lambda _: Reply(200, robots.encode(), "text/plain; charset=UTF-8") if on else self._404())
        if path in ("/sitemap.xml", "/sitemap-news.xml") or path.startswith("/sitemap/"):
            return Route("sitemap", key, lambda _: self._sitemap(path))
        if path.startswith("/link/"):
            return Route("other", key, lambda _: self._link_hop(request, path, query))
        match = _ARTICLE.match(path)
        if match:
            return self._article_route(request, match, query)
        match = _SECTION.match(path)
        if match and match["section"] in site.by_section:
            slug = match["section"]
            page = max(1, _int(query.get("page"), 1))
            return Route("section", key, lambda _: _html(pages.section(site, chrome, slug, page, self.sessions.token(request))))
        if match and match["section"] in pages.STATIC_PAGES:
            return Route("other", key, lambda _: _html(pages.static_page(site, chrome, match["section"])))
        return Route("other", key, lambda _: self._404())

    def _404(self) -> Reply:
        return _html(pages.not_found(self.site, self.chrome()), 404)

    def _article_route(self, request: server.Request, match: re.Match[str], query: dict[str, str]) -> Route:
        amp = bool(match["amp"])
        meta = self.site.find(match["code"])
        kind = "amp" if amp else "article"
        if meta is None:
            return Route(kind, f"{kind}:b{match['code']}", lambda _: self._404())
        part = 0 if amp else max(0, _int(query.get("page"), 0))
        if part > 0:
            kind = "article_part"
        key = f"{kind}:{meta.article_id}:{part}"
        if (match["section"], match["slug"]) != (meta.section, meta.slug):
            target = ("/amp" if amp else "") + meta.path + (f"?page={part}" if part else "")
            return Route(kind, key, lambda _: self._redirect(request, target), meta)

        def render(layout: str | None) -> Reply:
            if part >= meta.parts:
                return self._404()
            article = self.site.content(meta)
            chosen = LAYOUT_AMP if amp else (layout or meta.layout)
            return _html(render_article(article, part, self.chrome(), chosen))

        return Route(kind, key, render, meta)

    def _more(self, request: server.Request, form: dict[str, str]) -> Reply:
        if request.method != b"POST":
            return _html(pages.laravel_error(405, "Method Not Allowed"), 405)
        if not self.sessions.valid(request, form):
            return _html(pages.laravel_error(419, "Page Expired"), 419)
        offset = _int(form.get("next"), -1)
        if offset < 0:
            return _html(pages.laravel_error(500, "Server Error"), 500)
        category = form.get("categorynext", "")
        if category and category not in self.site.by_section:
            return _html("")
        return _html(pages.more_fragment(self.site, offset, category or None))

    def _indeks(self, query: dict[str, str]) -> Reply:
        page = max(1, _int(query.get("page"), 1))
        day = None
        if query.get("date"):
            try:
                day = date.fromisoformat(query["date"])
            except ValueError:
                day = None
        return _html(pages.indeks(self.site, self.chrome(), page, day))

    def _sitemap(self, path: str) -> Reply:
        if not self.options.sitemap:
            return self._404()
        if path == "/sitemap.xml":
            return _xml(pages.sitemap_index(self.site))
        if path == "/sitemap-news.xml":
            return _xml(pages.sitemap_news(self.site))
        match = _MONTH_SITEMAP.match(path)
        if match and 1 <= int(match["month"]) <= 12:
            metas = self.site.in_month(int(match["year"]), int(match["month"]))
            if metas:
                return _xml(pages.sitemap_month(self.site, metas))
        return self._404()

    def _link_hop(self, request: server.Request, path: str, query: dict[str, str]) -> Reply:
        """Hops of the redirect faults: ``/link/<t>`` -> ``/link/<t>?s=2`` -> original (+marker)."""
        token = path.removeprefix("/link/")
        try:
            target = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        except ValueError:
            return self._404()
        if not target.startswith("/"):
            return self._404()
        if "loop" in query:
            return self._redirect(request, target, 302)
        if query.get("s") == "2":
            return self._redirect(request, target + ("&" if "?" in target else "?") + REDIRECT_MARKER)
        return self._redirect(request, f"/link/{token}?s=2", 302)

    # -- control API -------------------------------------------------------------------------

    def _control(self, request: server.Request, path: str, query: dict[str, str]) -> Reply:
        method = request.method
        if path == "/_replica/articles" and method == b"GET":
            return _json(self._articles(query))
        if path == "/_replica/publish" and method == b"POST":
            count = _int(query.get("count"), 1)
            if not 1 <= count <= 10_000:
                return _json({"error": "count must be within 1..10000"}, 400)
            return _json({"article_ids": [m.article_id for m in self.site.publish(count)]})
        if path == "/_replica/stats" and method == b"GET":
            return _json(self.stats.snapshot())
        if path == "/_replica/stats/reset" and method == b"POST":
            self.stats.reset()
            return _json({"ok": True})
        if path == "/_replica/faults":
            if method == b"POST":
                try:
                    self._set_faults(request, query)
                except (FaultSpecError, ValueError) as exc:
                    return _json({"error": str(exc)}, 400)
            return _json(self.faults.describe())
        return _json({"error": f"no control endpoint {method.decode()} {path}"}, 404)

    def _articles(self, query: dict[str, str]) -> list[dict[str, Any]]:
        ids = set(query["id"].split(",")) if query.get("id") else None
        offset = max(0, _int(query.get("offset"), 0))
        limit = _int(query.get("limit"), len(self.site))
        metas = [m for m in self.site.articles if ids is None or m.article_id in ids][offset : offset + limit]
        full = query.get("full") in ("1", "true", "yes")
        out = []
        for meta in metas:
            record = self.site.content(meta).ground_truth() if full else meta.summary()
            record["deleted"] = self.faults.deleted(meta.article_id)
            out.append(record)
        return out

    def _set_faults(self, request: server.Request, query: dict[str, str]) -> None:
        raw = request.content.read().decode() if request.content else ""
        slow = None
        if "spec" in query:
            spec = query["spec"]
        elif raw.lstrip().startswith("{"):
            data = json.loads(raw)
            spec = str(data.get("spec", ""))
            slow = float(data["slow_seconds"]) if data.get("slow_seconds") is not None else None
        else:
            spec = raw
        if "slow_seconds" in query:
            slow = float(query["slow_seconds"])
        self.faults.replace(spec, slow)


def make_site(resource_: ReplicaResource) -> server.Site:
    """A Twisted web site around the resource, without per-request access logging."""
    site = _QuietSite(resource_)
    site.displayTracebacks = False
    return site


class _QuietSite(server.Site):
    def log(self, request: http.Request) -> None:
        """No access log: benchmarks make hundreds of thousands of requests."""
