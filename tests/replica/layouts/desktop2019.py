"""The 2019 desktop layout, following the seed article's on-screen order.

Masthead with theme toggle, ``h1.title-detail``, lead, author box, byline line
``<author> <Dayname>, <D> <Mon> <YYYY> <HH:MM> WIB``, main image with caption, body in
``div.detail-content``, ``Berita Lainnya``, a ``×`` close button.
"""

from __future__ import annotations

from .. import dates
from ..article import SITE, Ad, Article
from .blocks import (
    ad_rng_number,
    article_head_meta,
    body_html,
    figure_html,
    link_rng,
    part_links,
    related_html,
    tags_html,
)
from .common import (
    SITE_SCRIPT,
    Chrome,
    ads_billboard,
    ads_popup,
    base_head,
    document,
    esc,
    footer,
    gpt_slot,
    header_2019,
    latest_block,
    sidebar,
    sidenav_2019,
)


def _ad(article: Article, ad: Ad) -> str:
    return (
        '<div class="ads-inarticle text-center"><span class="ads-label">Sponsored</span>'
        f"{gpt_slot('inarticle_' + str(ad.slot), ad_rng_number(article, ad))}</div>"
    )


def render(article: Article, part: int, chrome: Chrome, charset: str = "utf-8") -> str:
    """One part of an article page."""
    meta, style = article.meta, article.style
    links = link_rng(article, part, "2019")
    suffix = f" - Halaman {part + 1}" if part else ""
    head = base_head(f"{article.title}{suffix} | Alinea.id", article.lead, article_head_meta(article, part), charset)
    lead_tag = style.lead_markup
    authors = "".join(
        f'<div class="author-box__item"><img class="author-box__img" src="{SITE}/assets/img/avatar.png" alt="">'
        f'<span class="author-box__name">{esc(name)}</span></div>'
        for name in article.authors
    )
    byline = (
        f'<div class="byline"><span class="byline__author">{esc(" dan ".join(article.authors))}</span> '
        f'<span class="byline__date">{dates.byline_2019(meta.published, style.august)}</span></div>'
    )
    editor = f'<div class="editor-line">Editor: <span>{esc(article.editor)}</span></div>' if article.editor else ""
    content = (
        '<div class="col-md-8 content-detail"><div class="detail-header">'
        f'<h1 class="title-detail">{esc(article.title)}</h1>'
        f'<{lead_tag} class="lead-detail">{esc(article.lead)}</{lead_tag}>'
        f'<div class="author-box">{authors}</div>{byline}</div>'
        f"{figure_html(article.main_image, style.caption_markup, 'detail-image')}"
        f'<div class="detail-content" id="isi-berita">\n'
        f"{body_html(article.parts[part], article, links, lambda ad: _ad(article, ad), 'detail-content__figure')}\n</div>"
        f"{part_links(article, part, links, 'pagination-detail')}{editor}{tags_html(article, links)}"
        f"{related_html(article, links, chrome.seed, 'Berita Lainnya')}"
        '<div class="float-close"><button type="button" class="btn-close-float" aria-label="Tutup">×</button></div>'
        "</div>"
    )
    body = (
        f"{header_2019()}{ads_billboard(11)}"
        f'<div class="container main-2019"><div class="row">{content}'
        f'<aside class="col-md-4 sidebar">{sidebar(chrome, links)}</aside></div>{latest_block(chrome, links)}</div>'
        f"{sidenav_2019(links, meta.section)}{footer(links)}{ads_popup(hint=False)}{SITE_SCRIPT}"
    )
    return document(head, body, "light page-2019")
