"""``scrapy savefixture URL [URL ...]``: capture live article pages as test fixtures.

For each article URL, the page and its ``?page=N`` parts are downloaded the way the crawler
downloads them and saved under ``tests/fixtures/alinea/<section>-<article id>/`` with a
``case.json`` that records where and when they came from (``"kind": "real capture"``), and an
``expected.json`` written by the current extractor for you to review. Then
``python -m crawler.fixtures --check`` and the test suite keep that page working.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.http import TextResponse

from crawler.extraction import ExtractionError, extract_article
from crawler.fixtures import DEFAULT_ROOT, FixtureCase
from crawler.spiders.alinea import AlineaSpider
from crawler.urls import ArticleRef, parse_article_url, to_base

SAFE_NAME_RE = re.compile(r"[^A-Za-z0-9-]+")


def fixture_dir(root: Path, name: str) -> Path:
    """``root/<name>`` with ``name`` reduced to ``[A-Za-z0-9-]``: never outside ``root``.

    >>> fixture_dir(Path("/f"), "../../etc/passwd")
    PosixPath('/f/etc-passwd')
    """
    safe = SAFE_NAME_RE.sub("-", name).strip("-")[:100] or "case"
    path = (root / safe).resolve()
    if root.resolve() not in path.parents:
        raise ValueError(f"fixture name {name!r} leaves {root}")
    return root / safe


class FixtureSpider(AlineaSpider):
    """The alinea spider in ``urls`` mode, saving pages instead of exporting items."""

    name = "alinea-savefixture"
    custom_settings = {  # noqa: RUF012 (Scrapy reads it as a class attribute)
        "ITEM_PIPELINES": {},
        "STATE_ENABLED": False,
        "EXPORT_ENABLED": False,
        "HEALTH_ENABLED": False,
    }

    def __init__(self, root: str = str(DEFAULT_ROOT), name_as: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.root = Path(root)
        self.name_as = name_as
        self.saved: list[Path] = []

    def extract(self, parts: tuple[TextResponse, ...], ref: ArticleRef) -> Iterator[Any]:
        folder = fixture_dir(self.root, self.name_as or f"{ref.section}-{ref.article_id}")
        folder.mkdir(parents=True, exist_ok=True)
        for number, response in enumerate(parts):
            (folder / f"page-{number}.html").write_bytes(response.body)
        provenance = {
            "kind": "real capture",
            "saved_at": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "source": f"captured with `scrapy savefixture` from {parts[0].url}",
            "content_types": [(r.headers.get("Content-Type") or b"").decode("latin-1") for r in parts],
        }
        expect: dict[str, Any] = {"note": "review: add what a reader sees on the page (title, lead, authors, ...)"}
        try:
            provenance["layout"] = extract_article(parts).layout
        except ExtractionError as error:
            expect = {"article": False, "why": str(error)}
        case = FixtureCase(folder, parts[0].url, [r.url for r in parts], provenance, expect)
        case.write_case()
        case.write_expected()
        self.saved.append(folder)
        self.logger.info("saved fixture %s (%d page(s)); review %s", folder, len(parts), folder / "expected.json")
        return iter(())


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options] URL [URL ...]"

    def short_desc(self) -> str:
        return "Save article page(s) as a test fixture with provenance and expected JSON"

    def long_desc(self) -> str:
        return __doc__ or ""

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--root", default=str(DEFAULT_ROOT), help="fixture folder (default: %(default)s)")
        parser.add_argument("--name", default=None, help="case folder name (one URL only)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give at least one article URL")
        if opts.name and len(args) > 1:
            raise UsageError("--name needs exactly one URL")
        assert self.settings is not None and self.crawler_process is not None
        base = self.settings.get("ALINEA_BASE_URL")
        for url in args:
            if parse_article_url(url) is None or to_base(url, base) is None:
                raise UsageError(f"not an alinea.id article URL: {url}")
        crawler = self.crawler_process.create_crawler(FixtureSpider)
        self.crawler_process.crawl(crawler, urls=",".join(args), root=opts.root, name_as=opts.name)
        self.crawler_process.start()
        spider = crawler.spider
        saved = len(spider.saved) if isinstance(spider, FixtureSpider) else 0
        if saved < len(args):
            print(f"saved {saved} of {len(args)} fixture(s); see the log for the failures")
            self.exitcode = 1
