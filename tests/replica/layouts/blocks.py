"""Article pieces rendered the same way by several layouts: head meta, body blocks, lists."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from urllib.parse import quote_plus

from .. import dates
from ..article import SITE, Ad, Article, ArticleMeta, Block, Figure, Image, Paragraph, Promo, Subheading
from .common import Links, card, esc

AdRenderer = Callable[[Ad], str]


def paragraph_html(paragraph: Paragraph) -> str:
    """``<p>`` with optional inline markup; extra lines follow ``<br>``; NBSP as ``&nbsp;``."""
    lines = [esc(line).replace("\xa0", "&nbsp;") for line in paragraph.lines]
    if paragraph.markup:
        tag, phrase = paragraph.markup
        target = esc(phrase)
        for i, line in enumerate(lines):
            if target in line:
                href = f"{SITE}/search?q={quote_plus(phrase)}"
                wrapped = f'<a href="{href}">{target}</a>' if tag == "a" else f"<{tag}>{target}</{tag}>"
                lines[i] = line.replace(target, wrapped, 1)
                break
    return "<p>" + "<br>\n".join(lines) + "</p>"


def subheading_html(text: str, tag: str) -> str:
    """A subheading as ``<h2>``, ``<h3>`` or ``<p><strong>``."""
    if tag == "strong":
        return f"<p><strong>{esc(text)}</strong></p>"
    return f"<{tag}>{esc(text)}</{tag}>"


def caption_html(image: Image, markup: str) -> str:
    """Caption text followed by its credit, in one of three markups."""
    if image.caption is None:
        return ""
    caption = esc(image.caption)
    credit = esc(image.credit_shown) if image.credit_shown else ""
    if markup == "figcaption":
        return f"<figcaption>{caption} {credit}</figcaption>" if credit else f"<figcaption>{caption}</figcaption>"
    if markup == "div":
        span = f' <span class="credit">{credit}</span>' if credit else ""
        return f'<div class="caption">{caption}{span}</div>'
    em = f" <em>{credit}</em>" if credit else ""
    return f'<p class="img-caption">{caption}{em}</p>'


def figure_html(image: Image, markup: str, cls: str, img_tag: str = "img") -> str:
    """An image with its caption; ``figcaption`` markup uses ``<figure>``."""
    attrs = f'src="{esc(image.url)}" alt="{esc(image.alt)}"'
    if img_tag == "amp-img":
        tag = f'<amp-img {attrs} width="600" height="400" layout="responsive"></amp-img>'
    else:
        tag = f'<img {attrs} width="800" height="533" loading="lazy">'
    wrapper = "figure" if markup == "figcaption" else "div"
    return f'<{wrapper} class="{cls}">{tag}{caption_html(image, markup)}</{wrapper}>'


def promo_html(target: ArticleMeta, links: Links) -> str:
    """A ``Baca juga`` promo in one of three markups."""
    href = esc(links.article(target))
    title = esc(target.title)
    roll = links.rng.random()
    if roll < 0.4:
        return f'<p class="baca-juga"><strong>Baca juga:</strong> <a href="{href}">{title}</a></p>'
    if roll < 0.7:
        return f'<div class="baca-juga"><span class="baca-juga__label">Baca juga</span><a href="{href}">{title}</a></div>'
    return f'<p><strong>Baca juga: <a href="{href}">{title}</a></strong></p>'


def body_html(
    blocks: tuple[Block, ...],
    article: Article,
    links: Links,
    ad: AdRenderer,
    figure_class: str,
    img_tag: str = "img",
) -> str:
    """The body blocks of one part in page order."""
    style = article.style
    out = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(paragraph_html(block))
        elif isinstance(block, Subheading):
            out.append(subheading_html(block.text, style.subheading_tag))
        elif isinstance(block, Ad):
            out.append(ad(block))
        elif isinstance(block, Promo):
            out.append(promo_html(block.target, links))
        elif isinstance(block, Figure):
            out.append(figure_html(block.image, style.caption_markup, figure_class, img_tag))
    return "\n".join(out)


def jsonld(article: Article) -> str:
    """A NewsArticle JSON-LD script (author as people or as the organisation)."""
    meta = article.meta
    published = dates.iso(meta.published)
    if article.style.jsonld == "organization":
        author: object = {"@type": "Organization", "name": "Alinea.id", "url": f"{SITE}/"}
    else:
        author = [{"@type": "Person", "name": name} for name in article.authors]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": meta.canonical_url},
        "headline": article.title,
        "description": article.lead,
        "image": {"@type": "ImageObject", "url": article.main_image.url, "width": 800, "height": 533},
        "datePublished": published,
        "dateModified": published,
        "author": author,
        "publisher": {
            "@type": "Organization",
            "name": "Alinea.id",
            "logo": {"@type": "ImageObject", "url": f"{SITE}/assets/img/logo-alinea.png"},
        },
        "articleSection": article.category,
    }
    text = json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def part_url(meta: ArticleMeta, part: int) -> str:
    """Root-relative path of one part: the bare URL is part 0, then ``?page=1`` ..."""
    return meta.path if part == 0 else f"{meta.path}?page={part}"


def article_head_meta(article: Article, part: int) -> str:
    """Canonical/AMP links, Open Graph, Twitter, article:* and JSON-LD, per the article's style."""
    meta, style = article.meta, article.style
    og_title = f"{article.title} | Alinea.id" if style.og_suffix else article.title
    out = []
    if style.tags_markup and article.tags:
        out.append(f'<meta name="keywords" content="{esc(", ".join(article.tags))}">')
    if style.canonical:
        out.append(f'<link rel="canonical" href="{meta.canonical_url}">')
    if style.amphtml:
        out.append(f'<link rel="amphtml" href="{SITE}/amp{meta.path}">')
    if part > 0:
        out.append(f'<link rel="prev" href="{SITE}{part_url(meta, part - 1)}">')
    if part < meta.parts - 1:
        out.append(f'<link rel="next" href="{SITE}{part_url(meta, part + 1)}">')
    out += [
        '<meta property="og:type" content="article">',
        '<meta property="og:site_name" content="Alinea.id">',
        '<meta property="og:locale" content="id_ID">',
        f'<meta property="og:title" content="{esc(og_title)}">',
        f'<meta property="og:description" content="{esc(article.lead)}">',
        f'<meta property="og:url" content="{meta.canonical_url}">',
        f'<meta property="og:image" content="{esc(article.main_image.url)}">',
        '<meta name="twitter:card" content="summary_large_image">',
        '<meta name="twitter:site" content="@alinea_id">',
        f'<meta name="twitter:title" content="{esc(og_title)}">',
        f'<meta name="twitter:image" content="{esc(article.main_image.url)}">',
    ]
    if style.published_meta:
        out.append(f'<meta property="article:published_time" content="{dates.iso(meta.published)}">')
    out.append(f'<meta property="article:section" content="{esc(article.category)}">')
    if style.jsonld:
        out.append(jsonld(article))
    return "\n".join(out)


def tags_html(article: Article, links: Links) -> str:
    """The visible tags block (absent when the style has none)."""
    if not article.style.tags_markup or not article.tags:
        return ""
    if article.style.tags_markup == "links":
        items = ", ".join(f'<a href="{esc(links.url("/search?q=" + quote_plus(tag)))}" rel="tag">{esc(tag)}</a>' for tag in article.tags)
        return f'<div class="tags"><span class="tags__label">Tag:</span> {items}</div>'
    pills = "".join(
        f'<li><a class="tag-pill" href="{esc(links.url("/search?q=" + quote_plus(tag)))}">#{esc(tag)}</a></li>' for tag in article.tags
    )
    return f'<ul class="tags tags--pills">{pills}</ul>'


def related_html(article: Article, links: Links, seed: int, heading: str) -> str:
    """The related-news list, in the article's markup (``js`` leaves it for a script)."""
    markup = article.style.related_markup
    if markup == "js":
        return (
            f'<div class="related-news"><h3 class="related-news__title">{heading}</h3>'
            f'<div id="related-list" data-src="{SITE}/api/related/{article.meta.article_id}"></div></div>'
        )
    if markup == "cards":
        items = "\n".join(card(m, links.article(m), seed, links.url(f"/{m.section}"), "box1--related") for m in article.related)
        return (
            f'<div class="related-news"><h3 class="related-news__title">{heading}</h3><div class="related-news__cards">{items}</div></div>'
        )
    tag = markup
    items = "".join(f'<li><a href="{esc(links.article(m))}">{esc(m.title)}</a></li>' for m in article.related)
    return f'<section class="related-news"><h4 class="related-news__title">{heading}</h4><{tag} class="related-news__list">{items}</{tag}></section>'


def part_links(article: Article, part: int, links: Links, cls: str) -> str:
    """Links between the parts of a multi-page article."""
    meta = article.meta
    if meta.parts == 1:
        return ""
    items = []
    for k in range(meta.parts):
        if k == part:
            items.append(f'<span class="{cls}__current">{k + 1}</span>')
        else:
            items.append(f'<a class="{cls}__link" href="{esc(links.url(part_url(meta, k)))}">{k + 1}</a>')
    if part < meta.parts - 1:
        items.append(f'<a class="{cls}__next" href="{esc(links.url(part_url(meta, part + 1)))}">Selanjutnya</a>')
    return f'<div class="{cls}"><span class="{cls}__label">Halaman</span> {" ".join(items)}</div>'


def link_rng(article: Article, part: int, variant: str) -> Links:
    """The link chooser for one rendering of one part."""
    return Links(f"{article.style.link_seed}:{part}:{variant}")


def ad_rng_number(article: Article, ad: Ad) -> int:
    """A stable GPT slot number for an in-article ad."""
    return random.Random(f"{article.meta.code}:{ad.slot}").randint(40, 60)
