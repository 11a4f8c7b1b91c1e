"""Extract one article from saved page(s) offline and print its JSON.

    python -m crawler.extract PAGE.html [PAGE_PART2.html ...] --url URL [--provenance]

Parts of a multi-page article are given in order; part N is taken to be ``URL?page=N``.
Exit status: 0 with the article printed, 3 when the page is not an article (reason on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from scrapy.http import HtmlResponse, Request

from crawler.extraction import Extraction, ExtractionError, extract_article
from crawler.items import contract_dict
from crawler.urls import parse_article_url

EXIT_NOT_ARTICLE = 3


def part_url(url: str, number: int) -> str:
    """The URL of part ``number`` of the article at ``url``."""
    ref = parse_article_url(url)
    base = url.split("?", 1)[0].split("#", 1)[0]
    if number == 0 or ref is None:
        return url
    return f"{base}?page={number}"


def response_from_file(path: Path, url: str) -> HtmlResponse:
    """The response the crawler would have built for ``url`` with the saved bytes."""
    return HtmlResponse(url=url, body=path.read_bytes(), request=Request(url))


def extract_files(paths: list[Path], url: str, urls: list[str] | None = None, now: datetime | None = None) -> Extraction:
    urls = urls or [part_url(url, n) for n in range(len(paths))]
    return extract_article([response_from_file(p, u) for p, u in zip(paths, urls, strict=True)], now=now)


def to_json(data: object) -> str:
    """The project's one JSON rendering for humans and fixtures."""
    return json.dumps(data, ensure_ascii=False, sort_keys=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.extract", description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="+", type=Path, help="saved page files, part 0 first")
    parser.add_argument("--url", required=True, help="the URL part 0 was fetched from")
    parser.add_argument("--provenance", action="store_true", help="also print which signal gave each field")
    args = parser.parse_args(argv)
    try:
        extraction = extract_files(args.pages, args.url)
    except ExtractionError as error:
        print(f"not an article: {error}", file=sys.stderr)
        return EXIT_NOT_ARTICLE
    data: dict[str, object] = contract_dict(extraction.article)
    if args.provenance:
        data = {"article": data, "layout": extraction.layout, "provenance": extraction.provenance}
    sys.stdout.write(to_json(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
