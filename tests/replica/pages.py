"""Non-article pages: home, /more fragment, indeks, sections, search, feeds, errors."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from urllib.parse import quote_plus
from xml.sax.saxutils import escape as xml_escape

from . import dates
from .article import SITE, ArticleMeta
from .content import main_image_url
from .layouts.common import (
    NAV,
    NAV_LABEL,
    SITE_SCRIPT,
    STATIC_PAGES,
    Chrome,
    Links,
    ads_billboard,
    base_head,
    card,
    cards,
    document,
    esc,
    footer,
    header_2023,
    load_more_script,
    pagination,
    sidebar,
)
from .model import Site

INDEKS_PER_PAGE = 30
SECTION_PER_PAGE = 20
MORE_PER_PAGE = 10
SEARCH_PER_PAGE = 10
RSS_ITEMS = 50
NEWS_SITEMAP_HOURS = 48


def _page(
    title: str,
    description: str,
    main: str,
    links: Links,
    chrome: Chrome,
    extra_head: str = "",
    active: str | None = None,
    scripts: str = "",
) -> str:
    head = base_head(title, description, extra_head)
    body = (
        f"{header_2023(links, active)}{ads_billboard(13)}"
        f'<main class="main-content"><div class="container">{main}</div></main>'
        f"{footer(links)}{SITE_SCRIPT}{scripts}"
    )
    return document(head, body)


def _with_sidebar(content: str, links: Links, chrome: Chrome, wrapper: str = "") -> str:
    inner = f'<div class="row"><div class="col-lg-8">{content}</div><aside class="col-lg-4 sidebar">{sidebar(chrome, links)}</aside></div>'
    return f'<div class="{wrapper}">{inner}</div>' if wrapper else inner


def _csrf_head(token: str, canonical: str) -> str:
    return (
        f'<meta name="csrf-token" content="{token}">\n<link rel="canonical" href="{canonical}">\n'
        '<meta property="og:site_name" content="Alinea.id">\n<meta property="og:type" content="website">'
    )


def home(site: Site, chrome: Chrome, token: str) -> str:
    """Home: headline, the first 10 of the stream (``/more`` continues it), section blocks."""
    links = Links(f"{site.seed}:home:{len(site)}")
    newest = site.latest(0, 10)
    headline = "".join(card(m, links.article(m, amp_ok=True), site.seed, links.url(f"/{m.section}"), "headline__item") for m in newest[:5])
    blocks = []
    for slug, label in NAV[:4]:
        metas = site.latest(0, 3, slug)
        if metas:
            blocks.append(
                f'<section class="kanal-block"><h2 class="title-section"><a href="{esc(links.url("/" + slug))}">{label}</a></h2>'
                f"{cards(metas, links, site.seed)}</section>"
            )
    stream = (
        f'<section class="headline">{headline}</section>'
        '<h2 class="title-section">Berita Terbaru</h2>'
        f'<div id="list-more" class="list-berita">{cards(newest, links, site.seed)}</div>'
        '<button type="button" id="load-more" class="load-more">Muat lebih banyak</button>'
        f"{''.join(blocks)}"
    )
    return _page(
        "Alinea.id - Fakta Data Kata",
        "Alinea.id menyajikan berita terkini berbasis fakta dan data: politik, ekonomi, gaya hidup, dan peristiwa.",
        _with_sidebar(stream, links, chrome),
        links,
        chrome,
        _csrf_head(token, f"{SITE}/"),
        scripts=load_more_script(token, ""),
    )


def more_fragment(site: Site, offset: int, section: str | None) -> str:
    """Ten ``.box1`` cards after ``offset``, newest first, links absolute on www; empty past the end."""
    metas = site.latest(offset, MORE_PER_PAGE, section)
    return "\n".join(card(m, SITE + m.path, site.seed, f"{SITE}/{m.section}", "box1--more") for m in metas)


def indeks(site: Site, chrome: Chrome, page: int, day: date | None) -> str:
    """``/indeks``: 30 cards a page, ``?page=N`` (1-based), optional ``?date=YYYY-MM-DD``."""
    links = Links(f"{site.seed}:indeks:{page}:{day}:{len(site)}")
    if day is None:
        metas = site.latest((page - 1) * INDEKS_PER_PAGE, INDEKS_PER_PAGE)
        total = len(site)
    else:
        everything = site.on_day(day)
        metas = everything[(page - 1) * INDEKS_PER_PAGE : page * INDEKS_PER_PAGE]
        total = len(everything)
    date_query = f"date={day.isoformat()}&" if day else ""
    last = max(1, math.ceil(total / INDEKS_PER_PAGE))
    listing = cards(metas, links, site.seed) if metas else '<p class="empty">Tidak ada berita.</p>'
    content = (
        '<h1 class="title-page">Indeks Berita</h1>'
        f'<form class="indeks-filter" action="{SITE}/indeks" method="GET">'
        f'<input type="date" name="date" value="{day.isoformat() if day else ""}">'
        '<button type="submit">Tampilkan</button></form>'
        f'<div class="indeks-list">{listing}</div>'
        f"{pagination(lambda n: f'{SITE}/indeks?{date_query}page={n}', page, last)}"
    )
    return _page(
        "Indeks Berita Terkini - Alinea.id",
        "Indeks berita terkini Alinea.id.",
        _with_sidebar(content, links, chrome, "hasilcari"),
        links,
        chrome,
        f'<link rel="canonical" href="{SITE}/indeks">',
    )


def section(site: Site, chrome: Chrome, slug: str, page: int, token: str) -> str:
    """``/<section>``: 20 cards a page with ``?page=N`` links, plus the ``/more`` loader."""
    links = Links(f"{site.seed}:section:{slug}:{page}:{len(site)}")
    metas = site.latest((page - 1) * SECTION_PER_PAGE, SECTION_PER_PAGE, slug)
    last = max(1, math.ceil(site.count(slug) / SECTION_PER_PAGE))
    label = NAV_LABEL[slug]
    listing = cards(metas, links, site.seed) if metas else '<p class="empty">Tidak ada berita.</p>'
    content = (
        f'<h1 class="title-page">{label}</h1><div id="list-more" class="list-berita">{listing}</div>'
        f"{pagination(lambda n: f'{SITE}/{slug}?page={n}', page, last)}"
    )
    return _page(
        f"Berita {label} Terkini - Alinea.id",
        f"Kumpulan berita {label} terkini dari Alinea.id.",
        _with_sidebar(content, links, chrome),
        links,
        chrome,
        _csrf_head(token, f"{SITE}/{slug}"),
        active=slug,
        scripts=load_more_script(token, slug),
    )


def search(site: Site, chrome: Chrome, query: str, page: int) -> str:
    """``/search?q=``: always the first 10 results whatever ``page`` says, with next-page links."""
    links = Links(f"{site.seed}:search:{query}:{len(site)}")
    found = site.search(query)
    last = max(1, math.ceil(len(found) / SEARCH_PER_PAGE))
    listing = cards(found[:SEARCH_PER_PAGE], links, site.seed, amp_ok=False) if found else '<p class="empty">Berita tidak ditemukan.</p>'
    content = (
        f'<h1 class="title-page">Hasil pencarian: &quot;{esc(query)}&quot;</h1>'
        f'<p class="search-count">{len(found)} berita ditemukan</p>{listing}'
        f"{pagination(lambda n: f'{SITE}/search?q={quote_plus(query)}&page={n}', page, last)}"
    )
    return _page(
        f"Hasil pencarian {query} - Alinea.id",
        f"Hasil pencarian {query} di Alinea.id.",
        _with_sidebar(content, links, chrome, "hasilcari"),
        links,
        chrome,
        '<meta name="robots" content="noindex, follow">',
    )


def static_page(site: Site, chrome: Chrome, slug: str) -> str:
    """About/editorial/contact pages."""
    links = Links(f"{site.seed}:static:{slug}")
    title = STATIC_PAGES[slug]
    content = (
        f'<div class="page-static"><h1 class="title-page">{title}</h1>'
        "<p>Alinea.id adalah media daring yang mengedepankan jurnalisme berbasis fakta dan data.</p>"
        "<p>Redaksi: Jl. Wahid Hasyim No. 10, Menteng, Jakarta Pusat. Surel: redaksi@alinea.id</p></div>"
    )
    return _page(f"{title} - Alinea.id", title, _with_sidebar(content, links, chrome), links, chrome)


def not_found(site: Site, chrome: Chrome) -> str:
    """The styled 404 page."""
    links = Links(f"{site.seed}:404")
    content = (
        '<div class="page-404 text-center"><h1 class="page-404__code">404</h1>'
        "<h2>Halaman tidak ditemukan</h2>"
        "<p>Maaf, halaman yang Anda cari tidak tersedia atau telah dipindahkan.</p>"
        f'<a class="btn" href="{SITE}/">Kembali ke beranda</a></div>'
    )
    return _page("Halaman tidak ditemukan - Alinea.id", "Halaman tidak ditemukan", content, links, chrome)


def laravel_error(code: int, message: str) -> str:
    """Laravel's minimal error view (419 Page Expired, 500 Server Error, 503, 429, 405)."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{message}</title>\n<style>body{{font-family:sans-serif;color:#a0aec0}}"
        ".flex{display:flex;align-items:center;justify-content:center;min-height:100vh}</style>\n</head>\n"
        '<body class="antialiased"><div class="flex"><div class="px-4 text-lg border-r">'
        f'{code}</div><div class="ml-4 text-lg uppercase">{message}</div></div></body>\n</html>\n'
    )


def nginx_error(code: int, message: str) -> str:
    """An nginx error page (the proxy in front of the app: 502)."""
    return (
        f"<html>\n<head><title>{code} {message}</title></head>\n<body>\n"
        f"<center><h1>{code} {message}</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n"
    )


def rss(site: Site) -> str:
    """RSS 2.0 of the newest 50 articles."""
    metas = site.latest(0, RSS_ITEMS)
    items = []
    for meta in metas:
        lead = site.content(meta).lead
        items.append(
            f"<item><title>{xml_escape(meta.title)}</title><link>{meta.canonical_url}</link>"
            f'<guid isPermaLink="true">{meta.canonical_url}</guid>'
            f"<pubDate>{dates.rfc822(meta.published)}</pubDate>"
            f"<description>{xml_escape(lead)}</description>"
            f"<category>{xml_escape(site.content(meta).category)}</category>"
            f'<enclosure url="{main_image_url(meta, site.seed)}" type="image/jpeg" length="0"/></item>'
        )
    built = dates.rfc822(site.articles[-1].published)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
        f"<title>Alinea.id</title><link>{SITE}</link><description>fakta data kata</description>"
        f"<language>id</language><lastBuildDate>{built}</lastBuildDate>"
        f'<atom:link href="{SITE}/rss" rel="self" type="application/rss+xml"/>\n' + "\n".join(items) + "\n</channel>\n</rss>\n"
    )


def robots(sitemap: bool) -> str:
    """robots.txt; lists the sitemaps when they are served."""
    lines = [
        "User-agent: *",
        "Disallow: /search",
        "Disallow: /admin",
        "Allow: /",
        "",
        "User-agent: GPTBot",
        "Disallow: /",
    ]
    if sitemap:
        lines += ["", f"Sitemap: {SITE}/sitemap.xml", f"Sitemap: {SITE}/sitemap-news.xml"]
    return "\n".join(lines) + "\n"


def sitemap_index(site: Site) -> str:
    """Sitemap index: one sitemap per month with articles, and the news sitemap."""
    entries = []
    for year, month in site.months():
        metas = site.in_month(year, month)
        if metas:
            entries.append(
                f"<sitemap><loc>{SITE}/sitemap/{year:04d}-{month:02d}.xml</loc>"
                f"<lastmod>{dates.iso(metas[-1].published)}</lastmod></sitemap>"
            )
    entries.append(f"<sitemap><loc>{SITE}/sitemap-news.xml</loc><lastmod>{dates.iso(site.articles[-1].published)}</lastmod></sitemap>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(entries) + "\n</sitemapindex>\n"
    )


def sitemap_month(site: Site, metas: Sequence[ArticleMeta]) -> str:
    """Monthly sitemap: article URLs with lastmod and main image."""
    urls = "\n".join(
        f"<url><loc>{m.canonical_url}</loc><lastmod>{dates.iso(m.published)}</lastmod>"
        f"<image:image><image:loc>{main_image_url(m, site.seed)}</image:loc></image:image></url>"
        for m in metas
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n' + urls + "\n</urlset>\n"
    )


def sitemap_news(site: Site) -> str:
    """Google News sitemap of the 48 hours before the newest article."""
    newest = site.articles[-1].published
    metas = site.between(newest - timedelta(hours=NEWS_SITEMAP_HOURS), newest + timedelta(minutes=1))
    urls = "\n".join(
        f"<url><loc>{m.canonical_url}</loc><news:news><news:publication><news:name>Alinea.id</news:name>"
        f"<news:language>id</news:language></news:publication>"
        f"<news:publication_date>{dates.iso(m.published)}</news:publication_date>"
        f"<news:title>{xml_escape(m.title)}</news:title></news:news></url>"
        for m in metas
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + urls + "\n</urlset>\n"
    )
