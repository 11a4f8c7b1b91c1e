"""AMP article pages at ``/amp/<section>/<slug>-b<code>``: title, lead, captioned image, body.

No masthead; the whole body on one page; reporter and date after the body.
"""

from __future__ import annotations

from .. import dates
from ..article import SITE, Ad, Article
from .blocks import body_html, figure_html, jsonld, link_rng, related_html
from .common import Chrome, esc

_BOILERPLATE = (
    "<style amp-boilerplate>body{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both;"
    "animation:-amp-start 8s steps(1,end) 0s 1 normal both}@keyframes -amp-start{from{visibility:hidden}"
    "to{visibility:visible}}</style><noscript><style amp-boilerplate>body{-webkit-animation:none;"
    "animation:none}</style></noscript>"
)
_CSS = (
    "<style amp-custom>body{font-family:Arial,sans-serif;margin:0;color:#1b1b1b}.amp-article{padding:16px}"
    ".amp-title{font-size:24px;line-height:1.3}.amp-lead{font-size:16px;color:#555}.amp-figure{margin:0}"
    ".amp-figure figcaption,.amp-figure .caption,.amp-figure .img-caption{font-size:12px;color:#777}"
    ".amp-body p{font-size:16px;line-height:1.6}.amp-ad{text-align:center;margin:16px 0}"
    ".amp-meta{font-size:13px;color:#777}.amp-footer{padding:16px;background:#f4f4f4;font-size:12px}</style>"
)


def _ad(ad: Ad) -> str:
    return (
        f'<div class="amp-ad"><span class="amp-ad__label">Sponsored</span>'
        f'<amp-ad width="300" height="250" type="doubleclick" data-slot="/21839512345/alinea/amp_{ad.slot}"></amp-ad></div>'
    )


def render(article: Article, chrome: Chrome, charset: str = "utf-8") -> str:
    """The AMP page (always the full body)."""
    meta = article.meta
    links = link_rng(article, 0, "amp")
    blocks = tuple(article.blocks())
    byline = esc(", ".join(article.authors))
    head = (
        f'<meta charset="{charset}"><script async src="https://cdn.ampproject.org/v0.js"></script>'
        '<script async custom-element="amp-ad" src="https://cdn.ampproject.org/v0/amp-ad-0.1.js"></script>'
        f"<title>{esc(article.title)} | Alinea.id</title>"
        f'<link rel="canonical" href="{meta.canonical_url}">'
        '<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">'
        f"{jsonld(article)}{_BOILERPLATE}{_CSS}"
    )
    body = (
        '<article class="amp-article">'
        f'<h1 class="amp-title">{esc(article.title)}</h1><p class="amp-lead">{esc(article.lead)}</p>'
        f"{figure_html(article.main_image, article.style.caption_markup, 'amp-figure', 'amp-img')}"
        f'<div class="amp-body">\n{body_html(blocks, article, links, _ad, "amp-figure", "amp-img")}\n</div>'
        f'<div class="amp-meta">Reporter: {byline} &middot; {dates.byline_2019(meta.published, article.style.august)}</div>'
        f"{related_html(article, links, chrome.seed, 'Berita Lainnya')}</article>"
        f'<footer class="amp-footer"><a href="{SITE}{meta.path}">Versi desktop</a> &middot; &copy; Alinea.id</footer>'
    )
    return f'<!doctype html>\n<html ⚡ lang="id">\n<head>\n{head}\n</head>\n<body>\n{body}\n</body>\n</html>\n'
