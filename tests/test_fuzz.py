"""Mutation fuzzing of the fixture pages, and hostile input to the spider's callbacks.

Every article fixture page is mutated (truncated, tags deleted or duplicated, charset wrong or
missing, binary garbage, huge attribute values, deep nesting, hostile and malformed URLs, and
mixtures) with a fixed-seed ``random.Random`` and fed to the spider the way the engine would
(``parse_article`` for every ``?page=N`` part, then the validation pipeline). The property:
nothing escapes the callback; an item is valid, or dropped by validation naming the bad field;
a page without an item is logged with its URL and counted as ``alinea/not_article`` or
``alinea/article_failed``; and extraction refuses a page only with ``ExtractionError`` (any
other exception is a crash, even though the spider catches and logs it).

A failure message gives the family, the case, the mutant's number and what the mutation did;
``mutated_case(family, case, number)`` rebuilds that exact page from :data:`SEED`.

The listing callbacks get hostile links (off-site, non-http, malformed), and the feed and
sitemap parsers XML bombs and external entities.
"""

from __future__ import annotations

import logging
import os
import random
import re
import resource
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.extraction import ExtractionError, extract_article
from crawler.fixtures import FixtureCase
from crawler.items import Article, contract_dict
from crawler.pipelines.validation import ValidationPipeline
from crawler.spiders.alinea import AlineaSpider
from crawler.urls import parse_article_url
from tests.conftest import CASES, response_for

SEED = 20261126
BASE = "http://127.0.0.1:9"
ARTICLE_CASES = [case for case in CASES if parse_article_url(case.url)]
"""Every fixture case at an article URL (the positive cases and the article-shaped negatives)."""
SPIDER_LOGGER = "alinea"

# --- mutations --------------------------------------------------------------------------------

TAG_RE = re.compile(rb"<(/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^<>]*>")
OPEN_TAG_RE = re.compile(rb"<([a-zA-Z][a-zA-Z0-9-]*)\b")
URL_ATTRIBUTE_RE = re.compile(rb"""\b(href|src|content|data-src|srcset)=(["'])([^"']*)\2""")
HOSTILE_URLS = [
    b"javascript:alert(1)",
    b"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    b"mailto:redaksi@alinea.id",
    b"http://evil.example/peristiwa/palsu-b12345678",
    b"//evil.example/peristiwa/palsu-b12345678?page=2",
    b"https://www.alinea.id.evil.example/peristiwa/x-b12345678",
    b"https://www.alinea.id/peristiwa/x-b1Xgj9kbZ?page=99999999",
    b"?page=0",
    b"?page=-1",
    b"%00%ff%fe",
    b"../../../../etc/passwd",
    b"https://www.alinea.id/" + b"a/" * 2000,
    b" " * 500,
    b"",
]
MALFORMED_URLS = [b"http://[", b"//[::1/peristiwa/x-b12345678", b"https://]evil[/x", b"http://[fe80::1%25eth0/x"]
CHARSETS = [b"iso-8859-1", b"windows-1252", b"utf-16", b"utf-32", b"shift_jis", b"x-bogus", b"ascii", b""]
CONTENT_TYPES = [
    None,
    "text/html",
    "text/html; charset=iso-8859-1",
    "text/html; charset=utf-16",
    "text/html; charset=x-bogus",
    "text/html; charset=",
    "application/octet-stream",
]
NEST_TAGS = [b"div", b"span", b"p", b"b", b"a", b"li", b"section", b"font", b"table"]


def truncate(rng: random.Random, body: bytes) -> tuple[bytes, str]:
    cut = rng.randrange(len(body) + 1)
    return body[:cut], f"truncated at byte {cut}"


def _some_tags(rng: random.Random, body: bytes, most: int) -> list[re.Match[bytes]]:
    tags = list(TAG_RE.finditer(body))
    chosen = rng.sample(tags, min(len(tags), rng.randint(1, most)))
    return sorted(chosen, key=lambda m: m.start(), reverse=True)


def delete_tags(rng: random.Random, body: bytes) -> tuple[bytes, str]:
    chosen = _some_tags(rng, body, 40)
    for match in chosen:
        body = body[: match.start()] + body[match.end() :]
    return body, f"deleted {len(chosen)} tags"


def duplicate_tags(rng: random.Random, body: bytes) -> tuple[bytes, str]:
    chosen = _some_tags(rng, body, 40)
    for match in chosen:
        body = body[: match.start()] + match.group(0) * rng.randint(2, 5) + body[match.start() :]
    return body, f"duplicated {len(chosen)} tags"


def wrong_charset(rng: random.Random, body: bytes) -> tuple[bytes, str]:
    """A wrong or missing ``<meta charset>``, bytes re-encoded or given a foreign BOM."""
    declared = rng.choice(CHARSETS)
    meta = b'<meta charset="' + declared + b'">' if declared else b""
    body = re.sub(rb"<meta[^>]*charset=[^>]*>", meta, body, count=1, flags=re.IGNORECASE)
    how = rng.choice(["as-is", "latin-1", "cp1252", "utf-16", "bom"])
    if how in ("latin-1", "cp1252", "utf-16"):
        body = body.decode("utf-8", "replace").encode(how, "replace")
    elif how == "bom":
        body = rng.choice([b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf\xef\xbb\xbf"]) + body
    return body, f"meta charset {declared!r}, bytes {how}"


def binary_garbage(rng: random.Random, body: bytes) -> tuple[bytes, str]:
    runs = rng.randint(1, 10)
    for _ in range(runs):
        at = rng.randrange(len(body) + 1)
        garbage = rng.randbytes(rng.randint(1, 2000)).translate(None, b"[]")  # brackets: see malformed_urls
        body = body[:at] + garbage + body[at + rng.choice([0, 0, 50]) :]
    return body, f"{runs} runs of random bytes"


def huge_attributes(rng: random.Random, body: bytes) -> tuple[bytes, str]:
    tags = list(OPEN_TAG_RE.finditer(body))
    done = []
    for match in sorted(rng.sample(tags, min(len(tags), rng.randint(1, 3))), key=lambda m: m.start(), reverse=True):
        name = rng.choice([b"class", b"id", b"style", b"href", b"src", b"alt", b"content", b"data-x", b"title"])
        unit = rng.choice([b"a", b"ads ", b"x-", b"\xe2\x80\x8b", b"&amp;", b"&#0;", b"\\", b"caption "])
        size = rng.randint(10_000, 200_000)
        body = body[: match.end()] + b" " + name + b'="' + unit * (size // len(unit)) + b'"' + body[match.end() :]
        done.append(f"{name.decode()}={size}B")
    return body, "huge attributes " + ",".join(done)


def deep_nesting(rng: random.Random, body: bytes) -> tuple[bytes, str]:
    depth = rng.choice([300, 900, 1200, 3000])
    tag = rng.choice(NEST_TAGS)
    at = rng.choice([m.end() for m in TAG_RE.finditer(body)])
    closing = b"</" + tag + b">" if rng.random() < 0.5 else b""
    block = (b"<" + tag + b">") * depth + b"dalam" + closing * depth
    return body[:at] + block + body[at:], f"{depth} nested <{tag.decode()}> at byte {at}"


def _replace_urls(rng: random.Random, body: bytes, pool: list[bytes]) -> tuple[bytes, int]:
    matches = list(URL_ATTRIBUTE_RE.finditer(body))
    chosen = sorted(rng.sample(matches, min(len(matches), rng.randint(1, 15))), key=lambda m: m.start(), reverse=True)
    for match in chosen:
        body = body[: match.start(3)] + rng.choice(pool) + body[match.end(3) :]
    return body, len(chosen)


def hostile_urls(rng: random.Random, body: bytes) -> tuple[bytes, str]:
    body, count = _replace_urls(rng, body, HOSTILE_URLS)
    return body, f"{count} URLs made hostile"


def malformed_urls(rng: random.Random, body: bytes) -> tuple[bytes, str]:
    body, count = _replace_urls(rng, body, MALFORMED_URLS)
    return body, f"{count} URLs made malformed (bad IPv6 brackets)"


MILD = (truncate, delete_tags, duplicate_tags, wrong_charset, huge_attributes, hostile_urls)


def mixed(rng: random.Random, body: bytes) -> tuple[bytes, str]:
    steps = []
    for mutate in rng.sample(MILD, rng.randint(2, 4)):
        body, what = mutate(rng, body)
        steps.append(f"{mutate.__name__}: {what}")
    return body, "; ".join(steps)


MUTATIONS: dict[str, Callable[[random.Random, bytes], tuple[bytes, str]]] = {
    "truncate": truncate,
    "delete_tags": delete_tags,
    "duplicate_tags": duplicate_tags,
    "wrong_charset": wrong_charset,
    "binary_garbage": binary_garbage,
    "huge_attributes": huge_attributes,
    "deep_nesting": deep_nesting,
    "hostile_urls": hostile_urls,
    "malformed_urls": malformed_urls,
    "mixed": mixed,
}


@dataclass
class Mutant:
    """A fixture case with one of its parts mutated."""

    case: FixtureCase
    number: int
    part: int
    what: str
    responses: list[HtmlResponse]

    def __str__(self) -> str:
        return f"{self.case.name} #{self.number} (part {self.part}: {self.what})"


def mutated_case(family: str, case: FixtureCase, number: int) -> Mutant:
    """Mutant ``number`` of ``case`` in ``family``; the same on every run and machine."""
    rng = random.Random(f"{SEED}:{family}:{case.name}:{number}")
    responses = case.responses()
    part = rng.randrange(len(responses))
    body, what = MUTATIONS[family](rng, responses[part].body)
    headers = None
    if family in ("wrong_charset", "mixed") and rng.random() < 0.6:
        content_type = rng.choice(CONTENT_TYPES)
        headers = {"Content-Type": content_type} if content_type else None
        what += f"; Content-Type {content_type!r}"
    responses[part] = response_for(responses[part].url, body, headers=headers)
    return Mutant(case, number, part, what, responses)


def mutants(family: str, per_case: int, offset: int = 0) -> Iterator[Mutant]:
    for case in ARTICLE_CASES:
        for number in range(offset, offset + per_case):
            yield mutated_case(family, case, number)


# --- what an item may be -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validation() -> ValidationPipeline:
    return ValidationPipeline.from_crawler(get_crawler(AlineaSpider, {"STATE_ENABLED": False}))


def check_item(article: Article, validation: ValidationPipeline, origin: str) -> str:
    """``valid``, or ``rejected:<fields>`` when the pipeline drops it naming every bad field
    (schema errors, and a body over ``VALIDATION_MAX_BODY_CHARS`` where the pipeline has that cap)."""
    errors = list(validation.validator.iter_errors(contract_dict(article)))
    fields = {str(error.absolute_path[0]) if error.absolute_path else str(error.message).split("'")[1] for error in errors}
    max_body = getattr(validation, "max_body_chars", None)
    if max_body is not None and len(article.body or "") > max_body:
        fields.add("body")
    try:
        validation.process_item(article)
    except DropItem as drop:
        assert fields, f"{origin}: a valid item was dropped: {drop}"
        for field in sorted(fields):
            assert f"{field}:" in str(drop), f"{origin}: the drop reason does not name field {field!r}: {drop}"
        assert str(article.url) in str(drop), f"{origin}: the drop reason does not name the URL: {drop}"
        return "rejected:" + ",".join(sorted(fields))
    assert not fields, f"{origin}: an invalid item passed validation ({sorted(fields)})"
    return "valid"


# --- the property ---------------------------------------------------------------------------------

PER_CASE = int(os.environ.get("FUZZ_PER_CASE", "20"))
"""Mutants of every article case per family (deep nesting: half as many, each is slow). With
the default 20: 9 families x 7 cases x 20 + 7 x 10 = 1,330 pages; ``FUZZ_PER_CASE=200`` for a
long run."""
CRASHES: dict[str, str] = {}
"""Mutation families that make ``extract_article`` raise something other than ``ExtractionError``
(known bugs, each an xfail); none today."""
ESCAPES: dict[str, str] = {}
"""Mutation families whose exception escapes ``parse_article`` (known bugs); none today."""
NO_VALID_ITEM_EXPECTED = {"deep_nesting", "malformed_urls", "truncate"}
"""Families where no mutant survives as a valid article, so that is not asserted (a truncated
page is refused on purpose: it has no closing </body> or </html>)."""


class EscapedCallback(AssertionError):
    """An exception escaped a spider callback: the engine logs a bare spider error and the
    article is neither delivered nor counted as failed."""


class ExtractionCrashed(AssertionError):
    """``extract_article`` raised something other than ``ExtractionError``: the spider catches it
    and logs the URL, but the page was not refused cleanly."""


def _spider() -> AlineaSpider:
    crawler = get_crawler(AlineaSpider, {"STATE_ENABLED": False, "ALINEA_BASE_URL": BASE})
    return AlineaSpider.from_crawler(crawler)


def crawl_article(spider: AlineaSpider, parts: list[HtmlResponse]) -> list[Any]:
    """What the engine would do with an article: follow ``parse_article``'s part requests
    (answering from ``parts``, 404 for a part that does not exist) and collect items."""
    ref = parse_article_url(parts[0].url)
    assert ref is not None
    by_number = dict(enumerate(parts))
    pending: list[tuple[TextResponse, tuple[TextResponse, ...]]] = [(parts[0], ())]
    items: list[Any] = []
    requests = 0
    while pending:
        response, before = pending.pop()
        for output in spider.parse_article(response, ref, before):
            if not isinstance(output, Request):
                items.append(output)
                continue
            requests += 1
            assert requests <= spider.max_parts, "parse_article asked for more parts than ALINEA_MAX_PAGE_PARTS"
            number = len(output.cb_kwargs["parts"])
            if number in by_number:
                pending.append((by_number[number].replace(url=output.url, request=output), output.cb_kwargs["parts"]))
            else:
                missing = HtmlResponse(url=output.url, status=404, body=b"<html><body>404</body></html>", request=output)
                failure = Failure(HttpError(missing))
                failure.request = output  # type: ignore[attr-defined]
                assert output.errback is not None
                output.errback(failure)
    return items


def _family(family: str) -> Any:
    raises = tuple(kind for kind, known in ((EscapedCallback, ESCAPES), (ExtractionCrashed, CRASHES)) if family in known)
    if not raises:
        return family
    reason = " AND ".join(known[family] for known in (ESCAPES, CRASHES) if family in known)
    return pytest.param(family, marks=pytest.mark.xfail(strict=True, raises=raises, reason=reason))


@pytest.mark.parametrize("family", [_family(family) for family in MUTATIONS])
def test_every_mutated_page_is_a_checked_item_or_a_logged_failure(
    family: str, validation: ValidationPipeline, caplog: pytest.LogCaptureFixture
) -> None:
    """The fuzz property, for one mutation family over every article fixture.

    Asserted for every mutant: at most one item; an item is valid or dropped by the validation
    pipeline naming each bad field and the URL; no item means one warning/error naming the URL
    and one more ``alinea/not_article`` or ``alinea/article_failed``. Collected, then raised:
    exceptions escaping ``parse_article`` (:class:`EscapedCallback`), and extraction raising
    anything but ``ExtractionError`` (:class:`ExtractionCrashed`).
    """
    spider = _spider()
    stats = spider.crawler.stats
    assert stats is not None
    outcomes: Counter[str] = Counter()
    escaped: list[str] = []
    crashed: list[str] = []
    caplog.set_level(logging.WARNING, logger=SPIDER_LOGGER)
    per_case = PER_CASE // 2 if family == "deep_nesting" else PER_CASE
    for mutant in mutants(family, per_case):
        caplog.clear()
        counted = (stats.get_value("alinea/not_article", 0), stats.get_value("alinea/article_failed", 0))
        try:
            items = crawl_article(spider, mutant.responses)
        except Exception as error:
            escaped.append(f"{mutant}: {type(error).__name__}: {str(error)[:120]}")
            outcomes["escaped"] += 1
            continue
        not_article = stats.get_value("alinea/not_article", 0) - counted[0]
        failed = stats.get_value("alinea/article_failed", 0) - counted[1]
        assert len(items) <= 1, f"{mutant}: {len(items)} items from one article"
        if items:
            assert (not_article, failed) == (0, 0), f"{mutant}: an item and a failure for the same article"
            outcomes[check_item(items[0], validation, str(mutant))] += 1
            continue
        assert not_article + failed == 1, (
            f"{mutant}: no item, and alinea/not_article + alinea/article_failed rose by {not_article + failed}"
        )
        logged = [
            r for r in caplog.records if r.name == SPIDER_LOGGER and r.levelno >= logging.WARNING and mutant.case.url in r.getMessage()
        ]
        assert logged, f"{mutant}: no item and no warning/error naming {mutant.case.url}"
        crash = next((r.exc_info[1] for r in logged if r.exc_info and not isinstance(r.exc_info[1], ExtractionError)), None)
        if crash is not None:
            crashed.append(f"{mutant}: {type(crash).__name__}: {str(crash)[:120]}")
            outcomes["failed (extraction crashed)"] += 1
        else:
            outcomes["not_article" if not_article else "failed"] += 1
    total = per_case * len(ARTICLE_CASES)
    assert sum(outcomes.values()) == total, f"{family}: {dict(outcomes)}"
    if escaped:
        raise EscapedCallback(f"{family}: {len(escaped)} of {total} mutants raised out of parse_article:\n" + "\n".join(escaped[:5]))
    if crashed:
        raise ExtractionCrashed(f"{family}: {len(crashed)} of {total} mutants crashed extraction:\n" + "\n".join(crashed[:5]))
    if family not in NO_VALID_ITEM_EXPECTED:
        assert outcomes["valid"] > 0, f"{family}: no mutant survived as a valid article ({dict(outcomes)}); the mutation is too blunt"


# --- minimal reproducers of the crashes found -------------------------------------------------------


def _seed_case() -> FixtureCase:
    return next(case for case in CASES if case.name == "seed-2019-kim-putin")


def _insert_after(body: bytes, marker: bytes, insert: bytes) -> bytes:
    """``insert`` right after ``marker``; an opening tag marker (``<body>``) matches with attributes too."""
    if marker.startswith(b"<") and marker.endswith(b">") and not marker.startswith(b"</"):
        at = body.index(b">", body.index(marker[:-1])) + 1
    else:
        at = body.index(marker) + len(marker)
    return body[:at] + insert + body[at:]


def test_a_page_cut_off_inside_the_article_body_is_refused() -> None:
    case = _seed_case()
    page = case.page_files[0].read_bytes()
    start = page.index(b"<p>", page.index(b"isi-artikel"))
    paragraphs = [m.start() for m in re.finditer(rb"<p>", page[start:])]
    cut = page[: start + paragraphs[len(paragraphs) // 2]]
    items = crawl_article(_spider(), [response_for(case.url, cut)])
    assert items == [], f"a half article was extracted: {items[0].word_count if items else 0} words"


def test_a_control_character_after_a_removed_element_is_read_not_a_crash() -> None:
    case = _seed_case()
    body = _insert_after(case.page_files[0].read_bytes(), b"<body>", b"<p>Teks<script>var x;</script>\x01 lanjut.</p>")
    extraction = extract_article([response_for(case.url, body)])
    assert extraction.article.title, "title"


def test_markup_nested_a_thousand_deep_is_read_or_refused_not_a_crash() -> None:
    case = _seed_case()
    body = _insert_after(case.page_files[0].read_bytes(), b"</h1>", b"<div>" * 1000 + b"dalam" + b"</div>" * 1000)
    with suppress(ExtractionError):  # a clean refusal is fine too
        extract_article([response_for(case.url, body)])


def test_a_malformed_link_near_the_headline_is_not_a_crash() -> None:
    case = _seed_case()
    body = _insert_after(case.page_files[0].read_bytes(), b"</h1>", b'<a href="http://[x">tautan rusak</a>')
    extraction = extract_article([response_for(case.url, body)])
    assert extraction.article.title, "title"


def test_a_zero_metadata_date_does_not_lose_the_article() -> None:
    case = _seed_case()
    body = case.page_files[0].read_bytes().replace(b'content="2019-04-25T13:45:00+07:00"', b'content="0001-01-01T00:00:00+07:00"')
    assert b"0001-01-01" in body, "the fixture has an article:published_time to replace"
    extraction = extract_article([response_for(case.url, body)])
    assert extraction.article.published_at == "2019-04-25T13:45:00+07:00", "published_at comes from the page"


def test_a_malformed_pagination_link_does_not_escape_parse_article(caplog: pytest.LogCaptureFixture) -> None:
    case = _seed_case()
    body = _insert_after(case.page_files[0].read_bytes(), b"<body>", b'<a href="http://[x/peristiwa/a-b1WhSC3PV?page=1">2</a>')
    spider = _spider()
    items = crawl_article(spider, [response_for(case.url, body)])
    assert items or "b1WhSC3PV" in caplog.text, "an item, or a logged failure for the URL"


LISTING_LINKS = [
    "https://www.alinea.id/peristiwa/satu-b00000001",
    "{bad}",
    "https://www.alinea.id/peristiwa/dua-b00000002",
]


def drain(outputs: Iterator[Any]) -> tuple[list[Any], Exception | None]:
    """What the engine gets from a callback: everything yielded before an exception, and it."""
    collected: list[Any] = []
    try:
        for output in outputs:
            collected.append(output)
    except Exception as error:
        return collected, error
    return collected, None


def _listing_calls(spider: AlineaSpider, bad: str) -> dict[str, Callable[[], tuple[list[Any], Exception | None]]]:
    anchors = "".join(f'<a href="{link.format(bad=bad)}">x</a>' for link in LISTING_LINKS)
    html = f"<html><body>{anchors}</body></html>".encode()
    feed = "".join(f"<item><link>{link.format(bad=bad)}</link></item>" for link in LISTING_LINKS)
    rss = f'<?xml version="1.0"?><rss><channel>{feed}</channel></rss>'.encode()
    sitemap = (
        "".join(f"<url><loc>{link.format(bad=bad)}</loc></url>" for link in LISTING_LINKS) + f"<sitemap><loc>{bad}/s.xml</loc></sitemap>"
    )

    def page(path: str) -> HtmlResponse:
        return HtmlResponse(url=BASE + path, body=html, request=Request(BASE + path))

    return {
        "parse_listing": lambda: drain(spider.parse_listing(page("/indeks"), "indeks", 1)),
        "parse_more": lambda: drain(spider.parse_more(page("/more"), "t" * 40, 10, "")),
        "parse_home": lambda: drain(spider.parse_home(page("/"))),
        "parse_feed": lambda: drain(spider.parse_feed(XmlResponse(url=BASE + "/rss", body=rss, request=Request(BASE + "/rss")))),
        "parse_sitemap": lambda: drain(
            spider.parse_sitemap(XmlResponse(url=BASE + "/sitemap.xml", body=f"<urlset>{sitemap}</urlset>".encode()), 0)
        ),
    }


LISTING_CALLBACKS = ["parse_listing", "parse_more", "parse_home", "parse_feed", "parse_sitemap"]


@pytest.mark.parametrize("callback", LISTING_CALLBACKS)
def test_one_malformed_link_does_not_lose_the_rest_of_a_listing(callback: str) -> None:
    spider = _spider()
    outputs, error = _listing_calls(spider, "http://[")[callback]()
    if error is not None:
        raise error
    urls = {r.url for r in outputs if isinstance(r, Request)}
    assert {BASE + "/peristiwa/satu-b00000001", BASE + "/peristiwa/dua-b00000002"} <= urls, f"{callback}: the good links"


@pytest.mark.parametrize("callback", LISTING_CALLBACKS)
@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)",
        "mailto:redaksi@alinea.id",
        "data:text/html,x",
        "ftp://www.alinea.id/peristiwa/x-b00000009",
        "http://evil.example/peristiwa/x-b00000009",
        "//evil.example/peristiwa/x-b00000009",
        "https://www.alinea.id.evil.example/peristiwa/x-b00000009",
        "https://www.alinea.id@evil.example/peristiwa/x-b00000009",
    ],
)
def test_off_site_and_non_http_links_are_never_requested(callback: str, bad: str) -> None:
    spider = _spider()
    outputs, error = _listing_calls(spider, bad)[callback]()
    assert error is None, f"{callback}: {bad!r} raised {error!r}"
    urls = [r.url for r in outputs if isinstance(r, Request)]
    assert urls, f"{callback}: the good links are followed"
    assert all(url.startswith(BASE + "/") for url in urls), f"{callback}: {bad!r} led to a request off {BASE}: {urls}"
    assert not any("b00000009" in url for url in urls), f"{callback}: {bad!r} was followed"


@pytest.mark.parametrize("callback", ["parse_listing", "parse_feed"])
def test_off_site_links_are_counted(callback: str) -> None:
    spider = _spider()
    _, error = _listing_calls(spider, "http://evil.example/peristiwa/x-b00000009")[callback]()
    assert error is None, f"{callback}: {error!r}"
    stats = spider.crawler.stats
    assert stats is not None
    counted = {key: value for key, value in stats.get_stats().items() if re.search(r"off.?site", key)}
    assert sum(counted.values()) == 1, f"{callback}: the one off-site link is counted once ({counted})"


# --- XML: no entity expansion, no network ---------------------------------------------------------------


@contextmanager
def recording_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback server that records every path asked for and answers with an article URL."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = b"https://www.alinea.id/peristiwa/bocor-b0000000X"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


LAUGHS = '<!ENTITY lol0 "https://www.alinea.id/peristiwa/tawa-b0000000L ">' + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
)
GOOD_ITEM = "<item><link>https://www.alinea.id/peristiwa/baik-b00000001</link></item>"


def _feed_documents(evil: str) -> dict[str, str]:
    return {
        "billion-laughs": f'<?xml version="1.0"?><!DOCTYPE rss [{LAUGHS}]><rss><channel><item><link>&lol9;</link></item>{GOOD_ITEM}</channel></rss>',
        "external-entity-http": f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "{evil}/entity">]><rss><channel><item><link>&x;</link></item>{GOOD_ITEM}</channel></rss>',
        "external-entity-file": '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><item><link>&x;</link></item>'
        f"{GOOD_ITEM}</channel></rss>",
        "parameter-entity": f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % p SYSTEM "{evil}/dtd"> %p;]><rss><channel>{GOOD_ITEM}</channel></rss>',
        "external-dtd": f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{evil}/rss.dtd"><rss><channel>{GOOD_ITEM}</channel></rss>',
        "xinclude": f'<?xml version="1.0"?><rss xmlns:xi="http://www.w3.org/2001/XInclude"><channel><item><link><xi:include href="{evil}/xi" parse="text"/></link></item>{GOOD_ITEM}</channel></rss>',
        "atom-entity": f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "{evil}/atom">]><feed><entry><link href="&x;"/></entry></feed>',
    }


@pytest.mark.parametrize("kind", sorted(_feed_documents("http://x")))
@pytest.mark.parametrize("callback", ["parse_feed", "parse_sitemap"])
def test_feeds_and_sitemaps_expand_no_entity_and_fetch_nothing(kind: str, callback: str) -> None:
    with recording_server() as (evil, hits):
        document = _feed_documents(evil)[kind].encode()
        if callback == "parse_sitemap":
            document = document.replace(b"<link>", b"<loc>").replace(b"</link>", b"</loc>")
        spider = _spider()
        response = XmlResponse(url=BASE + "/rss", body=document, request=Request(BASE + "/rss"))
        memory_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        method = spider.parse_feed if callback == "parse_feed" else lambda r: spider.parse_sitemap(r, 0)
        urls = [r.url for r in method(response) if isinstance(r, Request)]
        elapsed = time.perf_counter() - started
        grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - memory_before
    assert hits == [], f"{callback} {kind}: the XML parser fetched {hits}"
    assert not any("tawa" in url or "bocor" in url for url in urls), f"{callback} {kind}: an entity was expanded into {urls}"
    assert all(url.startswith(BASE + "/") for url in urls), f"{callback} {kind}: requests off {BASE}: {urls}"
    assert elapsed < 2.0, f"{callback} {kind}: parsing took {elapsed:.1f}s"
    assert grown_kib < 64 * 1024, f"{callback} {kind}: memory grew by {grown_kib} KiB"
