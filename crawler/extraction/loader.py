"""The item loader that turns parser candidates into a clean :class:`~crawler.items.Article`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from itemloaders.processors import Identity, Join, MapCompose, TakeFirst
from scrapy.loader import ItemLoader

from crawler.extraction.dates import to_iso
from crawler.extraction.processors import clean_text, strip_label, unique
from crawler.items import Article


def clean_image(image: dict[str, Any]) -> dict[str, str | None] | None:
    """``{"url", "caption", "credit"}`` with cleaned text; ``None`` without a URL.

    >>> clean_image({"url": " https://img.alinea.id/a.jpg ", "caption": " Foto ", "credit": ""})
    {'url': 'https://img.alinea.id/a.jpg', 'caption': 'Foto', 'credit': None}
    >>> clean_image({"caption": "x"}) is None
    True
    """
    url = clean_text(image.get("url"))
    if not url:
        return None
    return {"url": url, "caption": clean_text(image.get("caption")), "credit": clean_text(image.get("credit"))}


class ArticleLoader(ItemLoader):
    """Cleans every value on the way in; one value per field out (lists stay lists)."""

    default_item_class = Article
    default_input_processor = MapCompose(clean_text)
    default_output_processor = TakeFirst()

    authors_in = MapCompose(strip_label)
    authors_out = unique
    subheadings_out = Identity()
    tags_out = unique
    related_urls_out = unique
    images_in = MapCompose(clean_image)
    images_out = Identity()
    body_out = Join("\n\n")
    published_at_in = MapCompose(to_iso)
    modified_at_in = MapCompose(to_iso)
    pages_in = Identity()
    word_count_in = Identity()

    _processors: ClassVar[dict[tuple[type, str, str], Callable[..., Any]]] = {}
    """Processors by (loader class, direction, field): they are class attributes and item field
    metadata, fixed for the process, and looking them up costs more than most processors do."""

    def get_input_processor(self, field_name: str) -> Callable[..., Any]:
        return self._cached("in", field_name, super().get_input_processor)

    def get_output_processor(self, field_name: str) -> Callable[..., Any]:
        return self._cached("out", field_name, super().get_output_processor)

    def _cached(self, direction: str, field_name: str, look_up: Callable[[str], Callable[..., Any]]) -> Callable[..., Any]:
        key = (type(self), direction, field_name)
        found = self._processors.get(key)
        if found is None:
            found = self._processors[key] = look_up(field_name)
        return found
