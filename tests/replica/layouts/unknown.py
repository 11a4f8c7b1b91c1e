"""A fourth article layout nobody has seen: same content, different tags and class names.

Served only by the ``unknownlayout`` fault, to test extraction fallbacks.
"""

from __future__ import annotations

from .. import dates
from ..article import Ad, Article
from .blocks import article_head_meta, body_html, link_rng, part_links, tags_html
from .common import Chrome, base_head, document, esc, footer, sidebar


def _ad(ad: Ad) -> str:
    return f'<aside class="iklan-sisip"><small>Sponsored</small><div class="slot-iklan" data-n="{ad.slot}"></div></aside>'


def render(article: Article, part: int, chrome: Chrome, charset: str = "utf-8") -> str:
    """One part of the article in the unfamiliar layout."""
    meta, style = article.meta, article.style
    links = link_rng(article, part, "unknown")
    head = base_head(f"{article.title} - Alinea.id", article.lead, article_head_meta(article, part), charset)
    image = article.main_image
    credit = f' <span class="foto-sumber">{esc(image.credit_shown)}</span>' if image.credit_shown else ""
    caption = f'<small class="foto-ket">{esc(image.caption)}{credit}</small>' if image.caption else ""
    related = "".join(f'<div class="baca-lagi__item"><a href="{esc(links.article(m))}">{esc(m.title)}</a></div>' for m in article.related)
    if style.related_markup == "js":
        related = ""
    section = (
        '<section class="berita">'
        '<header class="berita-kepala">'
        f'<nav class="remah-roti"><a href="{esc(links.url("/"))}">Beranda</a> › '
        f'<a href="{esc(links.url("/" + meta.section))}">{esc(article.category)}</a> › {esc(article.subcategory)}</nav>'
        f'<h1 class="berita-judul">{esc(article.title)}</h1><div class="berita-ringkas">{esc(article.lead)}</div>'
        f'<div class="berita-info"><span class="oleh">Oleh {esc(", ".join(article.authors))}</span> · '
        f'<span class="tgl-terbit">{dates.long_with_zone(meta.published)}</span></div></header>'
        f'<div class="berita-foto"><img src="{esc(image.url)}" alt="{esc(image.alt)}">{caption}</div>'
        f'<div class="berita-isi">\n{body_html(article.parts[part], article, links, _ad, "berita-foto")}\n</div>'
        f"{part_links(article, part, links, 'halaman-berita')}"
        + (f'<div class="penyunting">Penyunting: {esc(article.editor)}</div>' if article.editor else "")
        + f'{tags_html(article, links)}<div class="baca-lagi"><h5>Baca lagi</h5>{related}</div></section>'
    )
    body = (
        f'<div id="wrapper-baru"><div class="bilah-atas"><a href="{esc(links.url("/"))}">alinea.id</a></div>'
        f'<div class="konten-utama">{section}<div class="kolom-samping">'
        f"{sidebar(chrome, links)}</div></div>{footer(links)}</div>"
    )
    return document(head, body, "tema-baru")
