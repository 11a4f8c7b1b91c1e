"""Real ``scrapy crawl alinea`` runs against a broken and a hostile site.

* The replica with every fault switched on at once (server errors, throttling, resets,
  truncation, slowness past the timeout, redirects and loops, wrong charsets, an unknown layout,
  deleted articles): the crawl completes, what it delivers is a subset of the site with no
  invalid or corrupted record, every failure is logged with its URL and reason, and a follow-up
  run without the faults completes the set, each article exactly once.
* A hostile site on loopback: links, feeds, sitemaps and redirects pointing off-site (at a second
  server that records every request), a gzip bomb, an endless body, a response that trickles in,
  an article with 50 ``?page=N`` parts, a 2 MB article body, an endless sitemap chain, listings
  deeper than the configured limit.
"""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import re
import resource
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from crawler import exitcodes
from crawler.pipelines.validation import load_schema
from tests.conftest import CASES
from tests.crawl import read_jsonl, run_crawl
from tests.replica.faults import FAULTS as FAULT_KINDS
from tests.replica.testing import Replica, replica_factory_fixture

pytestmark = pytest.mark.e2e

replica_factory = replica_factory_fixture()
VALIDATOR = Draft202012Validator(load_schema())
SEED_PAGE = next(case for case in CASES if case.name == "seed-2019-kim-putin").page_files[0].read_bytes()
SUMMARY_RE = re.compile(r"ALINEA-SUMMARY (?P<fields>(?:\w+=\S+ ?)+)")
FAILURE_LINE_RE = re.compile(r"\[alinea\] (?:ERROR|WARNING): (?P<message>(?:article|no article|extraction) .*)$", re.MULTILINE)
"""The spider's per-article failure lines (failed download, not an article, extraction error, caps)."""
OUTPUT_NAME_RE = re.compile(r"^alinea-\d{8}T\d{6}Z-[0-9a-f]{6}-\d{4}\.jsonl$")


def summary(stderr: str) -> dict[str, str]:
    """The ``ALINEA-SUMMARY`` line's ``key=value`` pairs."""
    match = SUMMARY_RE.search(stderr)
    assert match, "the run logs an ALINEA-SUMMARY line"
    return dict(pair.split("=", 1) for pair in match["fields"].split())


def failure_lines(stderr: str) -> list[tuple[str, str]]:
    """``(url, reason)`` of every article the log reports as failed or as not an article."""
    out = []
    for match in FAILURE_LINE_RE.finditer(stderr):
        message = match["message"]
        url = re.search(r"https?://[^\s;,)]+", message)
        assert url, f"a failure line names a URL: {message!r}"
        reason = message.replace(url.group(0), "", 1)
        reason = re.sub(r"^(?:article|no article extracted from|extraction (?:failed for|crashed on))\s*", "", reason).strip(" :;")
        out.append((url.group(0).rstrip(":"), reason))
    return out


def failures(stderr: str) -> dict[str, str]:
    """``{article id: reason}`` for the failure lines whose URL names an article."""
    return {article_id_in(url): reason for url, reason in failure_lines(stderr) if article_id_in(url)}


def article_id_in(url: str) -> str:
    """The ``b<code>`` token of an article URL, or ``""``."""
    match = re.search(r"-(b[0-9A-Za-z]{8})(?:[/?#]|$)", url)
    return match.group(1) if match else ""


def scrapy_stats(stderr: str) -> dict[str, Any]:
    """The stats Scrapy dumps at the end of a run (numbers only)."""
    dump = stderr[stderr.rfind("Dumping Scrapy stats:") :]
    return {key: int(value) for key, value in re.findall(r"'([^']+)': (\d+)[,}]", dump)}


def accounted(counts: dict[str, str]) -> int:
    """Scheduled articles the summary accounts for: delivered, failed, not articles, invalid, duplicates."""
    return sum(int(counts[name]) for name in ("new", "failed", "not_article", "invalid", "duplicates"))


def check_records(records: list[dict[str, Any]], where: str) -> None:
    for record in records:
        errors = [f"{'.'.join(map(str, e.absolute_path)) or 'item'}: {e.message}" for e in VALIDATOR.iter_errors(record)]
        assert not errors, f"{where}: record {record.get('article_id')} is invalid: {errors}"


# --- the replica with every fault at once -----------------------------------------------------------

ALL_FAULTS = ",".join(
    [
        "article:404@0.03",  # persistent: the article is deleted (ground truth marks it), so it comes first
        "*:503@0.05x1",
        "*:500@0.04x2",
        "*:502@0.03x1",
        "*:503ra@0.03x1",
        "*:429@0.03x1",
        "*:reset@0.03x1",
        "*:truncate@0.03x1",
        "*:slow@0.03x1",
        "*:redirect@0.05",
        "*:redirectloop@0.05x1",
        "article:badcharset@0.05",
        "article:unknownlayout@0.04",
        "article:brokenlayout@0.04",  # persistent for this run: no date, so validation drops the item
        "article:500@0.03",  # persistent for this run: these fail every retry
        "article_part:502@0.05",
        "article:truncate@0.02",
        "article:slow@0.02",
        "indeks:reset@0.2x1",
        "rss:truncate@0.5x1",
        "home:500@1x1",
        "more:503@0.3x1",
        "sitemap:503@0.2",
        "robots:503@1x1",
        "section:429@0.2x1",
        "amp:503@0.5",
        "search:500@1",
        "other:502@0.1x1",
    ]
)
DELETIONS_ONLY = "article:404@0.03"
"""The follow-up run's spec: no faults, but deleted articles stay deleted."""
SLOW_SECONDS = 2.0
FAULT_ARTICLES = 100
FAULT_SETTINGS = {
    "ALINEA_LISTING_MAX_PAGES": "50",
    "ALINEA_BACKFILL_MAX_PAGES": "50",
    "RETRY_TIMES": "2",
    "DOWNLOAD_TIMEOUT": str(SLOW_SECONDS - 0.5),
}
CONTENT_FIELDS = ("canonical_url", "title", "body", "published_at", "pages")
"""Fields a fault must never corrupt (checked against the replica's ground truth)."""


LATEST_MODE_RETRY_GAP = (
    "crawler/spiders/alinea.py latest mode: parse_listing/parse_more stop a stream at the first page that brings nothing "
    "new, and articles delivered by earlier runs count as nothing new (article_requests skips them via the state store); "
    "so an article that failed in run 1 deeper than the first listing page (e.g. on /indeks page 3) is never requested by "
    "run 2, although the log promises 'it will be tried again next run'. The spider should remember failed article URLs "
    "(e.g. in the state store) and retry them, or walk past known articles"
)


class IncompleteDelivery(AssertionError):
    """The follow-up run did not complete the set of articles."""


class SilentLoss(AssertionError):
    """A scheduled article was neither delivered nor logged and counted as failed."""


@dataclass
class FaultRuns:
    """Two runs into the same folders: with every fault, then without."""

    truth: dict[str, dict[str, Any]]
    first: Any
    second: Any
    first_records: list[dict[str, Any]]
    all_records: list[dict[str, Any]]
    replica_stats: dict[str, Any] = field(default_factory=dict)

    @property
    def alive(self) -> set[str]:
        return {code for code, article in self.truth.items() if not article["deleted"]}


def run_with_faults_then_without(replica: Replica, tmp_path: Path, *args: str) -> FaultRuns:
    truth = {article["article_id"]: article for article in replica.articles(full=True)}
    output = tmp_path / "out"
    first = run_crawl(replica.base_url, *args, output=output, settings=FAULT_SETTINGS, timeout=120)
    first_records = read_jsonl(output)
    stats = replica.stats()
    replica.set_faults(DELETIONS_ONLY)
    second = run_crawl(replica.base_url, *args, output=output, settings=FAULT_SETTINGS, timeout=120)
    return FaultRuns(truth, first, second, first_records, read_jsonl(output), stats)


def check_first_run(runs: FaultRuns) -> None:
    first = runs.first
    counts = summary(first.stderr)
    healthy = counts["health"] == "ok"
    expected_status = exitcodes.OK if healthy else exitcodes.EXTRACTION_HEALTH
    assert first.returncode == expected_status, f"exit status {first.returncode} with health={counts['health']}: {first.stderr[-2000:]}"
    injected = runs.replica_stats["faults"]
    assert set(injected) == set(FAULT_KINDS) and sum(injected.values()) >= 50, f"every kind of fault was really injected: {injected}"
    delivered = [record["article_id"] for record in runs.first_records]
    assert len(delivered) == len(set(delivered)), "no article twice in the first run"
    assert set(delivered) <= runs.alive, f"delivered articles that are not on the site: {set(delivered) - runs.alive}"
    assert len(delivered) < len(runs.alive), "the faults cost some articles (else this test proves nothing)"
    check_records(runs.first_records, "first run")
    for record in runs.first_records:
        truth = runs.truth[record["article_id"]]
        for name in CONTENT_FIELDS:
            assert record[name] == truth[name], f"first run: {record['article_id']} field {name!r} differs from the page"

    assert counts["reason"] == "finished", f"the run finished normally: {counts}"
    assert int(counts["new"]) == len(delivered), f"summary new= counts the delivered articles: {counts}"
    lines = failure_lines(first.stderr)
    assert int(counts["failed"]) + int(counts["not_article"]) == len(lines), (
        f"summary failed= + not_article= ({counts['failed']} + {counts['not_article']}) is the number of failure lines ({len(lines)})"
    )
    assert all(len(reason) >= 8 for _, reason in lines), f"every failure has a reason: {lines}"
    invalid = {url for url, _field in re.findall(r"invalid article (\S+): (\w+):", first.stderr)}  # logged, and again by Scrapy
    assert len(invalid) == int(counts["invalid"]), f"summary invalid={counts['invalid']} is the number of articles logged invalid"
    assert int(counts["invalid"]) > 0, "the broken layout's undated articles were dropped by validation (else it was not exercised)"
    failed = failures(first.stderr)
    assert not set(failed) & set(delivered), f"articles both failed and delivered: {set(failed) & set(delivered)}"
    assert accounted(counts) <= int(counts["found"]), f"no article is counted twice: {counts}"
    unaccounted = int(counts["found"]) - accounted(counts)
    filtered = scrapy_stats(first.stderr).get("dupefilter/filtered", 0)
    # 0 once test_a_redirect_back_to_the_article_is_not_lost_silently passes; until then only that loss is allowed
    assert unaccounted <= filtered, f"{unaccounted} scheduled articles vanished, {filtered} by the dupefilter: {counts}"
    assert "Spider error processing" not in first.stderr, "no exception escaped a callback"


def check_second_run(runs: FaultRuns) -> None:
    second = runs.second
    assert second.returncode == 0, second.stderr[-3000:]
    assert summary(second.stderr)["reason"] == "finished"
    check_records(runs.all_records, "both runs")
    delivered = [record["article_id"] for record in runs.all_records]
    assert len(delivered) == len(set(delivered)), "no article is delivered twice across the two runs"
    assert set(delivered) <= runs.alive, f"deleted articles delivered: {set(delivered) - runs.alive}"
    missing = runs.alive - set(delivered)
    if missing:
        never_scheduled = [code for code in sorted(missing) if code not in second.stderr]
        raise IncompleteDelivery(
            f"{len(missing)} of {len(runs.alive)} articles are still missing after the clean run, "
            f"{len(never_scheduled)} of them never requested by it: {sorted(missing)[:8]}"
        )


def test_every_fault_at_once_then_a_clean_backfill_delivers_every_article_exactly_once(
    replica_factory: Callable[..., Replica], tmp_path: Path
) -> None:
    replica = replica_factory(articles=FAULT_ARTICLES, seed=7, faults=ALL_FAULTS, slow_seconds=SLOW_SECONDS)
    runs = run_with_faults_then_without(replica, tmp_path, "-a", "since=2000-01-01")
    check_first_run(runs)
    check_second_run(runs)


def test_every_fault_at_once_then_a_clean_latest_run_delivers_every_article_exactly_once(
    replica_factory: Callable[..., Replica], tmp_path: Path
) -> None:
    replica = replica_factory(articles=FAULT_ARTICLES, seed=7, faults=ALL_FAULTS, slow_seconds=SLOW_SECONDS)
    runs = run_with_faults_then_without(replica, tmp_path)
    check_first_run(runs)
    check_second_run(runs)


SPARSE_ARTICLES = 90
SPARSE_SEED = 49
SPARSE_FAULT = "article:500@0.02"
"""With seed 49 and 90 articles this fails three articles, all on /indeks page 3 (checked below)."""


def test_a_failed_article_deep_in_the_listing_is_retried_by_the_next_latest_run(
    replica_factory: Callable[..., Replica], tmp_path: Path
) -> None:
    from tests.replica.faults import Faults
    from tests.replica.model import Site

    site = Site(SPARSE_ARTICLES, SPARSE_SEED)
    faults = Faults(SPARSE_SEED, SPARSE_FAULT)
    position = {meta.article_id: i for i, meta in enumerate(site.latest(0, SPARSE_ARTICLES))}
    chrome = {meta.article_id for meta in (*site.popular(), *site.picks())}
    doomed = {meta.article_id for meta in site.articles if faults.pick("article", f"article:{meta.article_id}:0", meta.article_id)}
    assert doomed and all(position[code] >= 60 and code not in chrome for code in doomed), "precondition: only deep articles fail"

    replica = replica_factory(articles=SPARSE_ARTICLES, seed=SPARSE_SEED, faults=SPARSE_FAULT)
    output = tmp_path / "out"
    first = run_crawl(replica.base_url, output=output, settings=FAULT_SETTINGS)
    assert first.returncode == 0, first.stderr[-3000:]
    assert set(failures(first.stderr)) == doomed, "run 1 fails exactly the doomed articles"
    replica.set_faults("")
    second = run_crawl(replica.base_url, output=output, settings=FAULT_SETTINGS)
    assert second.returncode == 0, second.stderr[-3000:]
    delivered = [record["article_id"] for record in read_jsonl(output)]
    assert len(delivered) == len(set(delivered)), "no article twice"
    missing = set(position) - set(delivered)
    if missing:
        raise IncompleteDelivery(f"run 2 did not retry {sorted(missing)} (failed in run 1, on /indeks page 3)")


def test_a_failure_after_a_redirect_names_the_article(replica_factory: Callable[..., Replica], tmp_path: Path) -> None:
    replica = replica_factory(articles=3, seed=2, faults="article:redirect@1,other:502@1")
    article = replica.articles()[0]
    result = run_crawl(replica.base_url, "-a", f"urls={article['canonical_url']}", output=tmp_path / "out", settings={"RETRY_TIMES": "0"})
    assert result.returncode == 0, result.stderr[-3000:]
    lines = failure_lines(result.stderr)
    assert len(lines) == 1, f"one failure line for the article: {lines}"
    assert article["article_id"] in lines[0][0], f"the failure line names {article['article_id']}: {lines[0]}"


def test_a_redirect_back_to_the_article_is_not_lost_silently(replica_factory: Callable[..., Replica], tmp_path: Path) -> None:
    replica = replica_factory(articles=3, seed=2, faults="article:redirectloop@1x1")
    article = replica.articles()[0]
    result = run_crawl(replica.base_url, "-a", f"urls={article['canonical_url']}", output=tmp_path / "out")
    assert result.returncode == 0, result.stderr[-3000:]
    counts = summary(result.stderr)
    delivered = [record["article_id"] for record in read_jsonl(tmp_path / "out")]
    if delivered != [article["article_id"]] and article["article_id"] not in failures(result.stderr):
        raise SilentLoss(f"{article['article_id']} is neither delivered nor logged as failed: {counts}")
    assert accounted(counts) == int(counts["found"]), f"every scheduled article is accounted for: {counts}"


# --- listing depth ------------------------------------------------------------------------------------------


def test_listing_streams_stop_at_the_configured_depth(replica_factory: Callable[..., Replica], tmp_path: Path) -> None:
    replica = replica_factory(articles=120, seed=3, faults="rss:500@1,sitemap:404@1")  # only the paged streams remain
    for name, mode_args, setting in [
        ("latest", (), "ALINEA_LISTING_MAX_PAGES"),
        ("backfill", ("-a", "since=2000-01-01"), "ALINEA_BACKFILL_MAX_PAGES"),
    ]:
        replica.reset_stats()
        result = run_crawl(replica.base_url, *mode_args, output=tmp_path / name / "out", settings={setting: "2", "RETRY_TIMES": "0"})
        assert result.returncode == 0, result.stderr[-3000:]
        hits = replica.stats()
        assert hits["indeks"] == 2, f"{name}: /indeks pages requested with {setting}=2: {hits['indeks']} (page 3 has new articles)"
        assert hits["more"] <= 2, f"{name}: /more pages requested with {setting}=2: {hits['more']}"
        assert hits["article"] <= 3 * 30 + 10, f"{name}: articles requested: {hits['article']}"


# --- a hostile site on loopback -----------------------------------------------------------------------------

Responder = Callable[[BaseHTTPRequestHandler], None]
EVIL_HOST = "127.0.0.2"
"""The off-site server: another host (the crawler's allowed domains are host names, not ports)."""


class HostileSite:
    """A loopback HTTP/1.0 server answering from a route table and recording every request.

    Routes are matched on path and query first, then on the path alone; anything else is 404.
    """

    def __init__(self, routes: dict[str, Responder] | None = None, fallback: Responder | None = None, host: str = "127.0.0.1") -> None:
        self.routes = routes or {}
        self.fallback = fallback
        self.hits: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits.append(self.path)
                responder = site.routes.get(self.path) or site.routes.get(self.path.split("?", 1)[0]) or site.fallback or not_found
                with suppress(BrokenPipeError, ConnectionResetError):  # the crawler hung up: that is what caps are for
                    responder(self)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.do_GET()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://{host}:{self.server.server_address[1]}"

    def hits_for(self, prefix: str) -> list[str]:
        return [hit for hit in self.hits if hit.startswith(prefix)]


@contextmanager
def serving(*sites: HostileSite) -> Iterator[None]:
    threads = [threading.Thread(target=site.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True) for site in sites]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        for site in sites:
            site.server.shutdown()
            site.server.server_close()


def respond(
    body: bytes, status: int = 200, content_type: str = "text/html; charset=utf-8", headers: dict[str, str] | None = None
) -> Responder:
    def responder(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return responder


not_found = respond(b"<html><body><h1>Halaman tidak ditemukan</h1></body></html>", 404)


def redirect(location: str, status: int = 301) -> Responder:
    return respond(b"", status, headers={"Location": location})


def article_page(code: str, extra: bytes = b"", body_prefix: bytes = b"") -> bytes:
    """The seed article's page, as article ``code``, with ``extra`` markup before ``</body>``."""
    page = SEED_PAGE.replace(b"b1WhSC3PV", code.encode())
    if body_prefix:
        at = page.index(b"<p>", page.index(b"isi-artikel"))
        page = page[:at] + body_prefix + page[at:]
    return page.replace(b"</body>", extra + b"</body>", 1)


def gzip_bomb(decompressed_mib: int) -> bytes:
    """``decompressed_mib`` MiB of zeros as concatenated gzip members (about 1 KiB per MiB)."""
    member = gzip.compress(b"\0" * (16 << 20), compresslevel=9)
    return member * (decompressed_mib // 16)


def endless(total: int, content_type: str = "text/html; charset=utf-8") -> Responder:
    """``total`` bytes without a Content-Length (the connection's end marks the body's)."""

    def responder(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.end_headers()
        chunk = b"<p>" + b"x" * (1 << 16) + b"</p>"
        sent = 0
        while sent < total:
            handler.wfile.write(chunk)
            sent += len(chunk)

    return responder


def half_of_the_body(page: bytes) -> bytes:
    """``page`` cut before the middle one of its article's paragraphs."""
    start = page.index(b"<p>", page.index(b"isi-artikel"))
    paragraphs = [m.start() for m in re.finditer(rb"<p>", page[start:])]
    return page[: start + paragraphs[len(paragraphs) // 2]]


def cut_off(page: bytes) -> Responder:
    """Half of ``page``'s article, then the connection closes: no Content-Length, so the
    transport cannot tell the body is incomplete (HTTP/1.0, or a proxy dropping the length)."""

    def responder(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.end_headers()
        handler.wfile.write(half_of_the_body(page))

    return responder


def trickle(interval: float, longest: float) -> Responder:
    """A byte every ``interval`` seconds, announcing far more, for at most ``longest`` seconds."""

    def responder(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        deadline = time.monotonic() + longest
        while time.monotonic() < deadline:
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(interval)

    return responder


@dataclass
class CrawlRecord:
    """What one crawl against hostile servers left: JSON-able, so xdist workers can share it."""

    returncode: int
    stderr: str
    records: dict[str, dict[str, Any]]
    hits: list[str]
    off_site_hits: list[str]
    files: list[str]
    seconds: float
    peak_rss_mib: float

    @property
    def failed(self) -> dict[str, str]:
        return failures(self.stderr)

    def hits_for(self, prefix: str) -> list[str]:
        return [hit for hit in self.hits if hit.startswith(prefix)]


def crawl_hostile(root: Path, site: HostileSite, evil: HostileSite | None, *args: str, settings: dict[str, str]) -> CrawlRecord:
    started = time.monotonic()
    with serving(*(s for s in (site, evil) if s is not None)):
        result = run_crawl(site.base_url, *args, output=root / "out", settings=settings, timeout=120)
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest child so far, this crawl included
    return CrawlRecord(
        returncode=result.returncode,
        stderr=result.stderr,
        records={record["article_id"]: record for record in read_jsonl(root / "out")},
        hits=list(site.hits),
        off_site_hits=list(evil.hits) if evil else [],
        files=sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()),
        seconds=seconds,
        peak_rss_mib=peak,
    )


def once_per_session(tmp_path_factory: pytest.TempPathFactory, name: str, compute: Callable[[Path], CrawlRecord]) -> CrawlRecord:
    """``compute`` run once per test session, shared by the xdist workers (a file lock and a
    JSON file in the session's temporary folder)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return compute(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent  # this session's folder, common to every worker
    cache = shared / f"{name}.json"
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not cache.exists():
            root = shared / name
            root.mkdir()
            cache.write_text(json.dumps(asdict(compute(root))), encoding="utf-8")
    return CrawlRecord(**json.loads(cache.read_text(encoding="utf-8")))


# --- nothing off-site is ever requested ------------------------------------------------------------------


GOOD = {
    "b0000000A": "/peristiwa/dari-rss-b0000000A",
    "b0000000B": "/peristiwa/dari-indeks-b0000000B",
    "b0000000C": "/peristiwa/dari-beranda-b0000000C",
    "b0000000D": "/peristiwa/dari-more-b0000000D",
    "b0000000S": "/peristiwa/dari-sitemap-b0000000S",
}


def off_site_links(evil: str) -> list[str]:
    """Article-shaped links that must never be requested."""
    return [
        f"{evil}/peristiwa/jahat-absolut-b0000000E",
        "//" + evil.split("//", 1)[1] + "/peristiwa/jahat-relatif-b0000000F",
        "ftp://www.alinea.id/peristiwa/jahat-ftp-b0000000G",
        "javascript:location='/peristiwa/jahat-js-b0000000H'",
        "https://www.alinea.id.evil.example/peristiwa/jahat-mirip-b0000000J",
        f"https://www.alinea.id@{evil.split('//', 1)[1]}/peristiwa/jahat-userinfo-b0000000K",
    ]


def links_page(good: str, evil: str, extra: str = "") -> bytes:
    anchors = "".join(f'<a href="{href}">tautan</a>' for href in [f"https://www.alinea.id{good}", *off_site_links(evil)])
    return f'<html><head><link rel="next" href="{evil}/indeks?page=2"></head><body>{anchors}{extra}</body></html>'.encode()


def hostile_routes(evil: str) -> dict[str, Responder]:
    rss_items = "".join(
        f"<item><link>{link}</link></item>" for link in [f"https://www.alinea.id{GOOD['b0000000A']}", *off_site_links(evil)]
    )
    rss = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "{evil}/entity">]>'
        f"<rss><channel><item><link>&x;</link></item>{rss_items.replace('&', '&amp;')}</channel></rss>"
    ).encode()
    token = '<meta name="csrf-token" content="' + "t" * 40 + '">'
    more = "".join(
        f'<div class="box1"><a href="{href}">x</a></div>' for href in [f"https://www.alinea.id{GOOD['b0000000D']}", *off_site_links(evil)]
    )
    sitemap_index = (
        f"<sitemapindex><sitemap><loc>{evil}/sitemap/jahat.xml</loc></sitemap>"
        "<sitemap><loc>https://www.alinea.id/sitemap/1.xml</loc></sitemap></sitemapindex>"
    ).encode()
    routes: dict[str, Responder] = {
        "/robots.txt": respond(b"User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/rss": respond(rss, content_type="application/rss+xml; charset=utf-8"),
        "/indeks": respond(links_page(GOOD["b0000000B"], evil, f'<a href="{evil}/indeks?page=2">2</a>')),
        "/": respond(links_page(GOOD["b0000000C"], evil).replace(b"<head>", b"<head>" + token.encode())),
        "/more": respond(more.encode()),
        "/sitemap.xml": respond(sitemap_index, content_type="application/xml"),
    }
    for depth in range(1, 40):  # an endless chain of sitemaps, each with one more article
        locs = f"<url><loc>https://www.alinea.id/peristiwa/sitemap-dalam-{depth}-b{depth:08d}</loc></url>"
        if depth == 1:
            locs += f"<url><loc>https://www.alinea.id{GOOD['b0000000S']}</loc></url>"
            locs += "".join(f"<url><loc>{link.replace('&', '&amp;')}</loc></url>" for link in off_site_links(evil))
        nested = f"<sitemap><loc>https://www.alinea.id/sitemap/{depth + 1}.xml</loc></sitemap>"
        routes[f"/sitemap/{depth}.xml"] = respond(f"<urlset>{locs}{nested}</urlset>".encode(), content_type="application/xml")
    for code, path in GOOD.items():
        routes[path] = respond(article_page(code, extra=links_page(GOOD["b0000000A"], evil)))
    return routes


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlRecord:
    """One backfill run (every stream, sitemaps included) against a site full of off-site links."""

    def compute(root: Path) -> CrawlRecord:
        evil = HostileSite(fallback=respond(article_page("b0000000E")), host=EVIL_HOST)
        site = HostileSite(hostile_routes(evil.base_url))
        return crawl_hostile(root, site, evil, "-a", "since=2000-01-01", settings={"ALINEA_BACKFILL_MAX_PAGES": "3"})

    return once_per_session(tmp_path_factory, "hostile", compute)


def test_links_feeds_and_sitemaps_never_lead_off_site(hostile_crawl: CrawlRecord) -> None:
    crawl = hostile_crawl
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert crawl.off_site_hits == [], f"requests to the off-site server: {crawl.off_site_hits}"
    assert set(GOOD) <= set(crawl.records), f"the on-site articles of every stream are delivered: missing {set(GOOD) - set(crawl.records)}"
    requested = {article_id_in(hit) for hit in crawl.hits} - {""}
    jahat = {article_id_in(link) for link in off_site_links(f"http://{EVIL_HOST}:1")}
    assert not requested & jahat, f"off-site article links were rebased onto the site and requested: {requested & jahat}"
    assert "Spider error" not in crawl.stderr, "no callback raised"


def test_the_sitemap_chain_is_followed_to_a_bounded_depth(hostile_crawl: CrawlRecord) -> None:
    nested = hostile_crawl.hits_for("/sitemap/")
    assert 1 <= len(nested) <= 3, f"sitemaps requested from an endless chain: {nested}"


def test_files_written_stay_in_their_folders(hostile_crawl: CrawlRecord) -> None:
    written = [Path(name) for name in hostile_crawl.files]
    outputs = [path for path in written if path.parts[0] == "out"]
    assert outputs and all(OUTPUT_NAME_RE.match(path.name) and len(path.parts) == 2 for path in outputs), f"output files: {outputs}"
    others = [path for path in written if path.parts[0] != "out"]
    assert all(path.parts[0] == "state" and len(path.parts) == 2 for path in others), f"files outside out/ and state/: {others}"


def test_off_site_links_are_counted_in_the_stats(hostile_crawl: CrawlRecord) -> None:
    stats = scrapy_stats(hostile_crawl.stderr)
    counted = sum(value for key, value in stats.items() if re.search(r"off.?site", key))
    assert counted >= len(off_site_links(f"http://{EVIL_HOST}:1")), f"off-site links counted: {counted} ({sorted(stats)})"


REDIRECTS = {
    "http-301-article": ("/peristiwa/pindah-b0000000R", lambda evil: redirect(f"{evil}/peristiwa/pindah-b0000000R", 301)),
    "http-302-article-to-other-path": ("/peristiwa/alih-b0000000Q", lambda evil: redirect(f"{evil}/tujuan", 302)),
    "meta-refresh-article": (
        "/peristiwa/segar-b0000000M",
        lambda evil: respond(
            f'<html><head><meta http-equiv="refresh" content="0; url={evil}/peristiwa/segar-b0000000M"></head></html>'.encode()
        ),
    ),
}


def test_redirects_never_lead_off_site(tmp_path: Path) -> None:
    evil = HostileSite(fallback=respond(article_page("b0000000R")), host=EVIL_HOST)
    site = HostileSite({path: make(evil.base_url) for path, make in REDIRECTS.values()})
    urls = ",".join(f"https://www.alinea.id{path}" for path, _ in REDIRECTS.values())
    with serving(site, evil):
        result = run_crawl(site.base_url, "-a", f"urls={urls}", output=tmp_path / "out", settings={"RETRY_TIMES": "0"})
    assert result.returncode == 0, result.stderr[-3000:]
    for kind, (path, _) in REDIRECTS.items():
        assert site.hits_for(path), f"{kind}: the article was requested"
    assert evil.hits == [], f"requests to the off-site server: {evil.hits}"
    stats = scrapy_stats(result.stderr)
    filtered = stats.get("offsite/filtered", 0) + stats.get("site_only/refused", 0)
    assert filtered == len(REDIRECTS), f"each off-site redirect is counted once (offsite/filtered + site_only/refused={filtered})"
    logged = failures(result.stderr)
    lost = [kind for kind, (path, _) in REDIRECTS.items() if article_id_in(path) not in logged]
    if lost:
        raise SilentLoss(f"articles redirected off-site and not logged as failed: {lost}; {summary(result.stderr)}")


# --- size and time caps -----------------------------------------------------------------------------------

CAPS = {
    "bomb": "/peristiwa/bom-gzip-b0000000Z",
    "endless": "/peristiwa/tanpa-akhir-b0000000N",
    "trickle": "/peristiwa/menetes-b0000000T",
    "parts": "/peristiwa/bagian-banyak-b0000000P",
    "long": "/peristiwa/sangat-panjang-b0000000L",
    "good": "/peristiwa/biasa-b0000000O",
    "cut": "/peristiwa/terpotong-b0000000C",
}
BOMB_MIB = 1024
MAX_PARTS = 5
TIMEOUT_SECONDS = 2
BODY_CAP_CHARS = 500_000
"""No real article comes near this; the crawler's cap (``VALIDATION_MAX_BODY_CHARS``) must be at most this."""
LONG_BODY_BYTES = 700_000
"""Paragraphs of the long page: a body of ~650,000 characters, extracted in about a second."""


def long_body(size: int) -> bytes:
    paragraphs: list[bytes] = []
    total = 0
    while total < size:
        paragraph = (
            f"<p>Kalimat nomor {len(paragraphs)} tentang pemilu yang ditulis untuk membuat halaman sangat besar, kata dia.</p>\n".encode()
        )
        paragraphs.append(paragraph)
        total += len(paragraph)
    return b"".join(paragraphs)


def caps_routes() -> dict[str, Responder]:
    routes: dict[str, Responder] = {
        CAPS["bomb"]: respond(gzip_bomb(BOMB_MIB), headers={"Content-Encoding": "gzip"}),
        CAPS["endless"]: endless(64 << 20),
        CAPS["trickle"]: trickle(0.2, 60),
        CAPS["long"]: respond(article_page("b0000000L", body_prefix=long_body(LONG_BODY_BYTES))),
        CAPS["good"]: respond(article_page("b0000000O")),
        CAPS["cut"]: cut_off(article_page("b0000000C")),
    }
    for number in range(50):  # every part links to the next one
        query = f"?page={number}" if number else ""
        extra = f'<a href="?page={number + 1}">halaman berikutnya</a>'.encode() if number < 49 else b""
        prefix = f"<p>Bagian {number} dari artikel yang sangat panjang ini dimulai di sini, kata dia.</p>".encode()
        routes[CAPS["parts"] + query] = respond(article_page("b0000000P", extra=extra, body_prefix=prefix))
    return routes


@pytest.fixture(scope="module")
def caps_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlRecord:
    """One ``-a urls=`` run over every oversized or slow page, plus a normal one."""

    def compute(root: Path) -> CrawlRecord:
        urls = ",".join(f"https://www.alinea.id{path}" for path in CAPS.values())
        settings = {"DOWNLOAD_TIMEOUT": str(TIMEOUT_SECONDS), "RETRY_TIMES": "1", "ALINEA_MAX_PAGE_PARTS": str(MAX_PARTS)}
        return crawl_hostile(root, HostileSite(caps_routes()), None, "-a", f"urls={urls}", settings=settings)

    return once_per_session(tmp_path_factory, "caps", compute)


def test_caps_crawl_completes_and_delivers_the_normal_article(caps_crawl: CrawlRecord) -> None:
    assert caps_crawl.returncode == 0, caps_crawl.stderr[-3000:]
    assert summary(caps_crawl.stderr)["reason"] == "finished"
    assert "b0000000O" in caps_crawl.records, "the normal article is delivered"
    check_records(list(caps_crawl.records.values()), "caps run")


def test_a_gzip_bomb_is_refused_without_blowing_memory(caps_crawl: CrawlRecord) -> None:
    assert "b0000000Z" not in caps_crawl.records, "the bomb is not delivered"
    assert "b0000000Z" in caps_crawl.failed, "the bomb is logged as a failed article"
    assert re.search(r"MAXSIZE|max ?size|exceed", caps_crawl.failed["b0000000Z"], re.IGNORECASE), (
        f"reason: {caps_crawl.failed['b0000000Z']}"
    )
    assert caps_crawl.peak_rss_mib < 600, f"a crawl process peaked at {caps_crawl.peak_rss_mib:.0f} MiB ({BOMB_MIB} MiB bomb)"


def test_an_endless_body_is_cut_at_the_size_limit(caps_crawl: CrawlRecord) -> None:
    assert "b0000000N" not in caps_crawl.records, "the endless page is not delivered"
    assert "b0000000N" in caps_crawl.failed, "the endless page is logged as a failed article"
    assert re.search(r"maxsize|max size|larger|cancel", caps_crawl.stderr, re.IGNORECASE), "the size cut is logged"


def test_a_trickling_response_times_out(caps_crawl: CrawlRecord) -> None:
    assert "b0000000T" in caps_crawl.failed, "the trickling page is logged as a failed article"
    assert re.search(r"timeout|took longer", caps_crawl.failed["b0000000T"], re.IGNORECASE), f"reason: {caps_crawl.failed['b0000000T']}"
    assert caps_crawl.seconds < 4 * TIMEOUT_SECONDS + 30, f"the crawl took {caps_crawl.seconds:.0f}s for a {TIMEOUT_SECONDS}s timeout"


def test_page_parts_stop_at_the_configured_maximum(caps_crawl: CrawlRecord) -> None:
    requested = caps_crawl.hits_for(CAPS["parts"])
    assert len(set(requested)) == MAX_PARTS, f"parts requested with ALINEA_MAX_PAGE_PARTS={MAX_PARTS}: {requested}"
    assert len(requested) <= 2 * MAX_PARTS, f"each part at most once plus one retry: {requested}"
    record = caps_crawl.records.get("b0000000P")
    if record is not None:  # delivered with the parts it has
        assert record["pages"] == MAX_PARTS, f"field 'pages' is {record['pages']}"
    else:  # or refused as incomplete
        assert "b0000000P" in caps_crawl.failed, "an article cut at the cap and not delivered is logged as failed"
    assert re.search(r"b0000000P.*(?:part|ALINEA_MAX_PAGE_PARTS)", caps_crawl.stderr), "the cap is logged with the article"


HALF_ARTICLE = (
    "a response cut off mid-article is delivered as a complete item: without a Content-Length the transport cannot detect "
    "the loss (DOWNLOAD_FAIL_ON_DATALOSS only checks the announced length), and crawler.extraction.extract_article accepts a "
    "page that ends inside the article body (no </html>, no end-of-article marker such as div.artikelend or the related "
    "list), so about half the body is exported as if it were all of it. Such a page should be refused (ExtractionError, "
    "logged, retried next run)"
)


def test_an_article_cut_off_without_content_length_is_not_delivered_half(caps_crawl: CrawlRecord) -> None:
    record = caps_crawl.records.get("b0000000C")
    full = caps_crawl.records.get("b0000000O")
    assert full is not None, "the same page, whole, is delivered"
    if record is not None:
        assert record["word_count"] == full["word_count"], f"field 'body' has {record['word_count']} of {full['word_count']} words"
    else:
        assert "b0000000C" in caps_crawl.failed, "a refused cut-off page is logged as failed"


def test_an_item_body_is_capped(caps_crawl: CrawlRecord) -> None:
    record = caps_crawl.records.get("b0000000L")
    if record is None:  # dropped: the log names the article and the field
        assert re.search(r"b0000000L.*body", caps_crawl.stderr), "a dropped long article is logged with the field 'body'"
        return
    assert len(record["body"]) <= BODY_CAP_CHARS, f"field 'body' has {len(record['body'])} characters"
