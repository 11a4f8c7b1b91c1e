"""Page chrome shared by the layouts: links, cards, navigation, ads, sidebar, footer, assets."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape

from ..article import SITE, ArticleMeta
from ..content import crop_url, main_image_url
from ..dates import frontdate_2023

BARE = "https://alinea.id"
NAV: tuple[tuple[str, str], ...] = (
    ("peristiwa", "Peristiwa"),
    ("politik", "Politik"),
    ("bisnis", "Bisnis"),
    ("kolom", "Kolom"),
    ("gaya-hidup", "Gaya Hidup"),
    ("nasional", "Nasional"),
    ("pemilu", "Pemilu"),
    ("hiburan", "Hiburan"),
    ("olahraga", "Olahraga"),
    ("dunia", "Dunia"),
)
NAV_LABEL = dict(NAV)
STATIC_PAGES = {
    "tentang-kami": "Tentang Kami",
    "redaksi": "Redaksi",
    "pedoman-media-siber": "Pedoman Media Siber",
    "kontak": "Kontak",
    "karier": "Karier",
}
GPT_NETWORK = "/21839512345/alinea"
LOGO = f"{SITE}/assets/img/logo-alinea.png"
PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


def esc(text: str) -> str:
    """HTML-escape text for element content and attribute values."""
    return escape(text, quote=True)


class Links:
    """Chooses, deterministically per page, the form of each internal link.

    Mostly absolute ``https://www.alinea.id``, some bare ``https://alinea.id``, some
    root-relative, and in listings a few AMP links.
    """

    def __init__(self, seed: int | str) -> None:
        self.rng = random.Random(seed)

    def url(self, path: str) -> str:
        """A link to any site path."""
        roll = self.rng.random()
        if roll < 0.75:
            return SITE + path
        if roll < 0.87:
            return BARE + path
        return path

    def article(self, meta: ArticleMeta, amp_ok: bool = False) -> str:
        """A link to an article; ``amp_ok`` allows ``/amp/...`` links."""
        if amp_ok and self.rng.random() < 0.06:
            return f"/amp{meta.path}" if self.rng.random() < 0.5 else f"{SITE}/amp{meta.path}"
        return self.url(meta.path)


def gpt_slot(name: str, number: int) -> str:
    """An empty Google Publisher Tag container."""
    return f'<div id="div-gpt-ad-{1556600000000 + number}-{number % 7}" data-slot="{name}"></div>'


def ads_billboard(number: int) -> str:
    """The top billboard ad container."""
    return f'<div class="ads-billboard text-center">{gpt_slot("billboard", number)}</div>'


def flying_carpet(number: int, label: str = "Sponsored") -> str:
    """The in-article scroll ad (a ``Sponsored`` label above a GPT slot)."""
    return (
        f'<div class="flying_carpet_div"><p class="ads-label">{label}</p>'
        f'<div class="flying_carpet_inner">{gpt_slot("flying_carpet", number)}</div></div>'
    )


def ads_popup(hint: bool) -> str:
    """The overlay/popup ad; the 2023+ overlay carries a scroll hint."""
    text = '<p class="ads-popup__hint">Scroll ke atas untuk melanjutkan</p>' if hint else ""
    return (
        f'<div class="ads-popup" id="ads-popup"><div class="ads-popup__inner">'
        f'<button type="button" class="ads-popup__close" aria-label="Tutup">&times;</button>'
        f"{gpt_slot('interstitial', 91)}{text}</div></div>"
    )


def card(meta: ArticleMeta, href: str, seed: int, section_href: str, extra_class: str = "") -> str:
    """A ``.box1`` article card (image, section, title, date)."""
    title = esc(meta.title)
    cls = f"box1 {extra_class}".strip()
    return (
        f'<div class="{cls}"><div class="box1__img"><a href="{esc(href)}">'
        f'<img class="lazy" src="{PLACEHOLDER}" data-src="{crop_url(main_image_url(meta, seed))}" '
        f'alt="{title}" width="600" height="400"></a></div>'
        f'<div class="box1__text"><div class="box1__kategori"><a href="{esc(section_href)}">'
        f"{NAV_LABEL[meta.section]}</a></div>"
        f'<h3 class="box1__title"><a href="{esc(href)}">{title}</a></h3>'
        f'<div class="box1__date">{frontdate_2023(meta.published)}</div></div></div>'
    )


def cards(metas: Iterable[ArticleMeta], links: Links, seed: int, amp_ok: bool = True, extra_class: str = "") -> str:
    """Cards for a listing, each with a link form chosen by ``links``."""
    return "\n".join(card(m, links.article(m, amp_ok), seed, links.url(f"/{m.section}"), extra_class) for m in metas)


def pagination(url_for: Callable[[int], str], page: int, last: int) -> str:
    """Laravel/Bootstrap paginator: prev/next carry ``rel``; a window of page numbers."""
    if last <= 1 and page <= 1:
        return ""
    items = []
    if page > 1:
        items.append(
            f'<li class="page-item"><a class="page-link" href="{esc(url_for(page - 1))}" '
            f'rel="prev" aria-label="&laquo; Sebelumnya">&lsaquo;</a></li>'
        )
    for number in range(max(1, page - 3), min(last, page + 3) + 1):
        if number == page:
            items.append(f'<li class="page-item active" aria-current="page"><span class="page-link">{number}</span></li>')
        else:
            items.append(f'<li class="page-item"><a class="page-link" href="{esc(url_for(number))}">{number}</a></li>')
    if page < last:
        items.append(
            f'<li class="page-item"><a class="page-link" href="{esc(url_for(page + 1))}" '
            f'rel="next" aria-label="Selanjutnya &raquo;">&rsaquo;</a></li>'
        )
    return f'<nav class="pagination-wrap"><ul class="pagination">{"".join(items)}</ul></nav>'


def nav_menu(links: Links, active: str | None, cls: str) -> str:
    """The section menu."""
    items = [f'<li class="{cls}__item"><a href="{links.url("/")}">Beranda</a></li>']
    for slug, label in NAV:
        on = " active" if slug == active else ""
        items.append(f'<li class="{cls}__item{on}"><a href="{esc(links.url("/" + slug))}">{label}</a></li>')
    items.append(f'<li class="{cls}__item"><a href="{esc(links.url("/indeks"))}">Indeks</a></li>')
    return f'<nav class="{cls}"><ul class="{cls}__list">{"".join(items)}</ul></nav>'


def search_form() -> str:
    """The search box (GET /search?q=)."""
    return (
        f'<form class="search-form" action="{SITE}/search" method="GET">'
        '<input type="text" name="q" placeholder="Cari berita..." aria-label="Cari">'
        '<button type="submit" class="btn-search">Cari</button></form>'
    )


def header_2023(links: Links, active: str | None = None) -> str:
    """The current site header."""
    return (
        '<header class="site-header"><div class="container header__inner">'
        f'<a class="header__logo" href="{SITE}/"><img src="{LOGO}" alt="logo alinea.id" width="160" height="40"></a>'
        f"{search_form()}</div>{nav_menu(links, active, 'main-menu')}</header>"
    )


def header_2019() -> str:
    """The 2019 header: theme toggle and masthead (the menu is an off-canvas panel)."""
    return (
        '<header class="header-top"><div class="theme-switch">'
        '<span class="theme-switch__icon icon-sun">sun</span>'
        '<span class="theme-switch__icon icon-moon">moon</span></div>'
        f'<div class="masthead"><a href="{SITE}/" class="masthead__brand">'
        '<span class="masthead__name">a l i n e a dot id</span>'
        '<span class="masthead__tagline">fakta data kata</span>'
        f'<img src="{LOGO}" alt="logo alinea.id"></a></div></header>'
    )


def sidenav_2019(links: Links, active: str | None) -> str:
    """The 2019 off-canvas menu, placed after the page content."""
    return f'<div id="sidenav" class="sidenav">{nav_menu(links, active, "menu-2019")}{search_form()}</div>'


def sidebar(chrome: Chrome, links: Links) -> str:
    """Popular cards (``.section-popular .box1``), latest list, a page-dependent picks block."""
    items = "".join(
        f'<li><a href="{esc(links.article(m, amp_ok=True))}">{esc(m.title)}</a><span>{frontdate_2023(m.published)}</span></li>'
        for m in chrome.latest
    )
    picks = chrome.picks[: links.rng.randint(4, len(chrome.picks))] if len(chrome.picks) > 4 else chrome.picks
    # Not .box1 cards: on search and indeks pages only .section-popular holds decoy cards.
    pick_items = "".join(
        f'<li class="list-pilihan__item"><a href="{esc(href)}"><img class="lazy" src="{PLACEHOLDER}" '
        f'data-src="{crop_url(main_image_url(m, chrome.seed))}" alt="{esc(m.title)}"></a>'
        f'<a class="list-pilihan__title" href="{esc(href)}">{esc(m.title)}</a></li>'
        for m in picks
        for href in (links.article(m, amp_ok=True),)
    )
    return (
        '<div class="section-popular"><h4 class="title-section">Terpopuler</h4>'
        f"{cards(chrome.popular, links, chrome.seed, extra_class='box1--small')}</div>"
        f'<div class="ads-sidebar">{gpt_slot("sidebar", 31)}</div>'
        '<div class="section-latest"><h4 class="title-section">Terbaru</h4>'
        f'<ul class="list-latest">{items}</ul></div>'
        '<div class="section-pilihan"><h4 class="title-section">Pilihan Redaksi</h4>'
        f'<ul class="list-pilihan">{pick_items}</ul></div>'
        f'<div class="ads-sidebar ads-sidebar--sticky">{gpt_slot("sidebar_2", 32)}</div>'
    )


def latest_block(chrome: Chrome, links: Links) -> str:
    """A "Berita Terkini" block of a page-dependent number (5-40) of the newest articles."""
    count = links.rng.randint(min(5, len(chrome.stream)), len(chrome.stream))
    return (
        '<section class="section-terkini"><h3 class="title-section">Berita Terkini</h3>'
        f"{cards(chrome.stream[:count], links, chrome.seed, extra_class='box1--list')}</section>"
    )


def footer(links: Links) -> str:
    """Footer: static pages, sections, social links, copyright."""
    static = "".join(f'<li><a href="{esc(links.url("/" + slug))}">{label}</a></li>' for slug, label in STATIC_PAGES.items())
    sections = "".join(f'<li><a href="{esc(links.url("/" + slug))}">{label}</a></li>' for slug, label in NAV)
    social = "".join(
        f'<a class="social social--{name}" href="https://{host}/alineadotid" rel="noopener" target="_blank">{name}</a>'
        for name, host in (
            ("facebook", "www.facebook.com"),
            ("twitter", "twitter.com"),
            ("instagram", "www.instagram.com"),
            ("youtube", "www.youtube.com"),
        )
    )
    return (
        '<footer class="site-footer"><div class="container"><div class="row">'
        f'<div class="col-md-4"><img src="{LOGO}" alt="logo alinea.id" width="140"><p class="footer__tagline">fakta data kata</p>'
        "<address>Jl. Wahid Hasyim No. 10, Menteng, Jakarta Pusat 10340</address></div>"
        f'<div class="col-md-4"><h5>Kanal</h5><ul class="footer__list">{sections}</ul></div>'
        f'<div class="col-md-4"><h5>Tentang</h5><ul class="footer__list">{static}</ul><div class="footer__social">{social}</div></div>'
        '</div><p class="copyright">&copy; 2017 - 2026 Alinea.id. Hak cipta dilindungi undang-undang.</p></div></footer>'
    )


@cache
def stylesheet() -> str:
    """A deterministic, realistically heavy inline stylesheet (~25 KB)."""
    rules = [
        ":root{--primary:#e4002b;--dark:#1b1b1b;--muted:#6c757d;--bg:#fff}",
        "body.dark{--bg:#121212;--dark:#f1f1f1}",
        "body{font-family:'Source Sans Pro',Arial,sans-serif;color:var(--dark);background:var(--bg);margin:0}",
        "a{color:inherit;text-decoration:none}a:hover{color:var(--primary)}",
        ".container{width:100%;padding-right:15px;padding-left:15px;margin-right:auto;margin-left:auto}",
        ".row{display:flex;flex-wrap:wrap;margin-right:-15px;margin-left:-15px}",
    ]
    for bp, width in (("sm", 540), ("md", 720), ("lg", 960), ("xl", 1140)):
        cols = "".join(f".col-{bp}-{n}{{flex:0 0 {n / 12 * 100:.6f}%;max-width:{n / 12 * 100:.6f}%}}" for n in range(1, 13))
        rules.append(f"@media (min-width:{width + 36}px){{.container{{max-width:{width}px}}{cols}}}")
    for prop, short in (("margin", "m"), ("padding", "p")):
        for side, names in (
            ("", ("",)),
            ("t", ("-top",)),
            ("b", ("-bottom",)),
            ("l", ("-left",)),
            ("r", ("-right",)),
            ("x", ("-left", "-right")),
            ("y", ("-top", "-bottom")),
        ):
            for size in range(6):
                decl = ";".join(f"{prop}{n}:{size * 0.25 if size < 4 else size - 2.5}rem!important" for n in names)
                rules.append(f".{short}{side}-{size}{{{decl}}}")
    components = (
        "box1",
        "box1__img",
        "box1__text",
        "box1__title",
        "box1__date",
        "box1__kategori",
        "section-popular",
        "section-latest",
        "title-section",
        "list-latest",
        "site-header",
        "header__logo",
        "main-menu",
        "main-menu__item",
        "menu-2019",
        "menu-2019__item",
        "masthead",
        "masthead__brand",
        "theme-switch",
        "detail",
        "detail__image",
        "detail__category",
        "frontdate",
        "detail__title",
        "detail__lead",
        "detail__body",
        "written__reporter",
        "reporter__nama",
        "reporter__label",
        "written__editor",
        "artikelend",
        "title-detail",
        "lead-detail",
        "author-box",
        "byline",
        "detail-content",
        "related-news",
        "tags",
        "tag-pill",
        "pagination",
        "page-item",
        "page-link",
        "ads-billboard",
        "flying_carpet_div",
        "ads-popup",
        "ads-inarticle",
        "baca-juga",
        "caption",
        "img-caption",
        "site-footer",
        "footer__list",
        "footer__social",
        "copyright",
        "search-form",
        "hasilcari",
        "indeks-filter",
        "load-more",
        "headline",
        "headline__item",
        "kanal-block",
    )
    for i, name in enumerate(components):
        rules.append(
            f".{name}{{position:relative;display:{'flex' if i % 3 == 0 else 'block'};"
            f"margin:0 0 {i % 5 * 4}px;padding:{i % 4 * 2}px {i % 6 * 2}px;"
            f"font-size:{12 + i % 8}px;line-height:1.{4 + i % 5};border-radius:{i % 3 * 2}px}}"
        )
        rules.append(f".{name}:hover{{opacity:.{8 + i % 2};transition:all .{1 + i % 4}s ease-in-out}}")
        rules.append(f"@media (max-width:767.98px){{.{name}{{font-size:{11 + i % 6}px;margin-bottom:{i % 4 * 3}px}}}}")
        rules.append(f"body.dark .{name}{{color:#e{i % 10}e{i % 10}e{i % 10};background-color:#1{i % 10}1{i % 10}1{i % 10}}}")
    for n in range(40):
        rules.append(f".icon-{n}:before{{content:'\\e{900 + n:03x}';font-family:'alinea-icons'}}")
    return "\n".join(rules)


@cache
def ad_script() -> str:
    """GPT and header-bidding setup (~10 KB of configuration)."""
    sizes = [[970, 250], [728, 90], [300, 250], [300, 600], [320, 100], [320, 50], [336, 280]]
    bidders = ("appnexus", "rubicon", "ix", "pubmatic", "openx", "criteo", "teads", "smartadserver")
    units = [
        {
            "code": f"div-gpt-ad-{1556600000000 + n}-{n % 7}",
            "mediaTypes": {"banner": {"sizes": sizes[n % 3 : n % 3 + 3]}},
            "bids": [
                {"bidder": b, "params": {"placementId": 10433394 + n * 17 + i, "siteId": 450000 + n, "zoneId": 1700 + i}}
                for i, b in enumerate(bidders)
            ],
        }
        for n in range(12)
    ]
    slots = "\n".join(
        f"googletag.defineSlot('{GPT_NETWORK}/{name}', {json.dumps(sizes[i % len(sizes) :][:2])}, "
        f"'div-gpt-ad-{1556600000000 + i}-{i % 7}').addService(googletag.pubads());"
        for i, name in enumerate(
            (
                "billboard",
                "leaderboard",
                "sidebar_1",
                "sidebar_2",
                "inarticle_1",
                "inarticle_2",
                "flying_carpet",
                "interstitial",
                "footer",
                "native_1",
                "native_2",
                "sticky",
            )
        )
    )
    return (
        '<script async src="https://securepubads.g.doubleclick.net/tag/js/gpt.js"></script>\n'
        "<script>var googletag=googletag||{};googletag.cmd=googletag.cmd||[];\n"
        f"var pbjs=pbjs||{{}};pbjs.que=pbjs.que||[];var adUnits={json.dumps(units, separators=(',', ':'))};\n"
        f"googletag.cmd.push(function(){{\n{slots}\n"
        "googletag.pubads().enableSingleRequest();googletag.pubads().collapseEmptyDivs();googletag.enableServices();});\n"
        "</script>"
    )


GTM = (
    "<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});"
    "var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;"
    "j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);"
    "})(window,document,'script','dataLayer','GTM-K7QX2M9');</script>"
)

SITE_SCRIPT = (
    "<script>(function(){var b=document.body;var t=localStorage.getItem('theme');if(t==='dark'){b.classList.add('dark')}"
    "document.querySelectorAll('.theme-switch__icon').forEach(function(e){e.addEventListener('click',function(){"
    "b.classList.toggle('dark');localStorage.setItem('theme',b.classList.contains('dark')?'dark':'light')})});"
    "var lazy=function(){document.querySelectorAll('img.lazy').forEach(function(i){var r=i.getBoundingClientRect();"
    "if(r.top<window.innerHeight+200){i.src=i.getAttribute('data-src');i.classList.remove('lazy')}})};"
    "window.addEventListener('scroll',lazy);lazy();var p=document.getElementById('ads-popup');"
    "if(p){p.querySelector('.ads-popup__close').addEventListener('click',function(){p.style.display='none'})}})();</script>"
)


def load_more_script(token: str, category: str) -> str:
    """The infinite-scroll loader; the CSRF token sits in its data object as ``"_token"``."""
    data = json.dumps({"_token": token, "next": 10, "categorynext": category}, separators=(",", ":"))
    return (
        '<script src="https://www.alinea.id/assets/js/jquery-3.6.0.min.js"></script>\n'
        f"<script>var moreData={data};var loading=false;\n"
        "function loadMore(){if(loading)return;loading=true;$.ajax({url:'https://www.alinea.id/more',type:'POST',"
        "data:moreData,headers:{'X-Requested-With':'XMLHttpRequest'},success:function(html){"
        "if($.trim(html)===''){$('#load-more').remove();return}$('#list-more').append(html);"
        "moreData.next+=10;loading=false}})}\n"
        "$(window).on('scroll',function(){if($(window).scrollTop()+$(window).height()>$(document).height()-600){loadMore()}});"
        "$('#load-more').on('click',loadMore);</script>"
    )


def document(head: str, body: str, body_class: str = "", lang_attr: str = 'lang="id"') -> str:
    """The full HTML document."""
    cls = f' class="{body_class}"' if body_class else ""
    return f"<!DOCTYPE html>\n<html {lang_attr}>\n<head>\n{head}\n</head>\n<body{cls}>\n{body}\n</body>\n</html>\n"


def base_head(title: str, description: str, extra: str = "", charset: str = "utf-8") -> str:
    """``<head>`` content common to desktop pages: meta, stylesheet, GTM, ads."""
    return (
        f'<meta charset="{charset}">\n<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">\n'
        f'<title>{esc(title)}</title>\n<meta name="description" content="{esc(description)}">\n'
        '<link rel="icon" href="https://www.alinea.id/favicon.ico">\n'
        '<link rel="preconnect" href="https://img.alinea.id">\n'
        f"{extra}\n<style>{stylesheet()}</style>\n{GTM}\n{ad_script()}"
    )


@dataclass(frozen=True, slots=True)
class Chrome:
    """Site-wide data a page needs besides its own content."""

    seed: int
    popular: Sequence[ArticleMeta]
    latest: Sequence[ArticleMeta]
    picks: Sequence[ArticleMeta]
    stream: Sequence[ArticleMeta]
    """The newest 40 articles, for the "Berita Terkini" block under article pages."""
