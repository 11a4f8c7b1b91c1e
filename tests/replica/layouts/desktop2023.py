"""The current (2023+) desktop layout.

Overlay ad with ``Scroll ke atas untuk melanjutkan``, main image and caption first, category
line ``<Section> - <Subsection>``, ``div.frontdate`` (full month, no zone), ``h1.detail__title``,
lead, body in ``div.detail__body``, then ``div.written__reporter div.reporter__nama``,
editor, tags and ``div.artikelend``.
"""

from __future__ import annotations

from .. import dates
from ..article import Ad, Article
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
    flying_carpet,
    footer,
    gpt_slot,
    header_2023,
    latest_block,
    sidebar,
)


def _ad(article: Article, ad: Ad) -> str:
    number = ad_rng_number(article, ad)
    if ad.slot == 1:
        return flying_carpet(number)
    return f'<div class="ads-inarticle"><span class="ads-label">Sponsored</span>{gpt_slot("inarticle_2", number)}</div>'


def render(article: Article, part: int, chrome: Chrome, charset: str = "utf-8") -> str:
    """One part of an article page."""
    meta, style = article.meta, article.style
    links = link_rng(article, part, "2023")
    suffix = f" - Halaman {part + 1}" if part else ""
    head = base_head(f"{article.title}{suffix} | Alinea.id", article.lead, article_head_meta(article, part), charset)
    category = (
        f'<div class="detail__category"><a href="{esc(links.url("/" + meta.section))}">{esc(article.category)}</a>'
        f' - <span class="detail__subcategory">{esc(article.subcategory)}</span></div>'
    )
    reporters = "".join(f'<div class="reporter__nama">{esc(name)}</div>' for name in article.authors)
    editor = (
        f'<div class="written__editor"><span class="editor__label">Editor</span><div class="editor__nama">{esc(article.editor)}</div></div>'
        if article.editor
        else ""
    )
    detail = (
        '<div class="detail">'
        f"{figure_html(article.main_image, style.caption_markup, 'detail__image')}"
        f'{category}<div class="frontdate">{dates.frontdate_2023(meta.published)}</div>'
        f'<h1 class="detail__title">{esc(article.title)}</h1>'
        f'<div class="detail__lead"><p>{esc(article.lead)}</p></div>'
        f'<div class="detail__body">\n'
        f"{body_html(article.parts[part], article, links, lambda ad: _ad(article, ad), 'detail__figure')}\n</div>"
        f"{part_links(article, part, links, 'detail__pages')}"
        '<div class="written__reporter"><span class="reporter__label">Reporter</span>'
        f"{reporters}</div>{editor}{tags_html(article, links)}"
        '<div class="artikelend"></div></div>'
        f"{related_html(article, links, chrome.seed, 'Berita Terkait')}"
    )
    body = (
        f"{ads_popup(hint=True)}{header_2023(links, meta.section)}{ads_billboard(12)}"
        f'<main class="main-content"><div class="container"><div class="row"><div class="col-lg-8">{detail}</div>'
        f'<aside class="col-lg-4 sidebar">{sidebar(chrome, links)}</aside>'
        f"</div>{latest_block(chrome, links)}</div></main>{footer(links)}{SITE_SCRIPT}"
    )
    return document(head, body, "page-detail")
