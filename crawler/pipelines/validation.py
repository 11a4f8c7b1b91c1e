"""Schema validation: nothing invalid is ever exported."""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from jsonschema import Draft202012Validator, ValidationError
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

logger = logging.getLogger(__name__)


def load_schema(path: str | None = None) -> dict[str, Any]:
    """The Article JSON Schema shipped in ``crawler/schema`` (or the file at ``path``)."""
    if path:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    return json.loads(resources.files("crawler").joinpath("schema/article.schema.json").read_text(encoding="utf-8"))


class ValidationPipeline:
    """Drop every item that does not validate against the Article JSON Schema.

    Settings:

    * ``VALIDATION_ENABLED`` (default ``True``)
    * ``VALIDATION_SCHEMA``: path of another schema file (default: the packaged one)
    * ``VALIDATION_MAX_BODY_CHARS`` (default ``300000``): a longer body is refused, not cut

    Stats: ``validation/ok``, ``validation/dropped``, ``validation/dropped/<field>``.
    """

    def __init__(self, crawler: Crawler, schema: dict[str, Any]) -> None:
        self.crawler = crawler
        self.validator = Draft202012Validator(schema)
        self.max_body_chars = crawler.settings.getint("VALIDATION_MAX_BODY_CHARS", 300_000)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationPipeline:
        if not crawler.settings.getbool("VALIDATION_ENABLED", True):
            raise NotConfigured("VALIDATION_ENABLED is off")
        return cls(crawler, load_schema(crawler.settings.get("VALIDATION_SCHEMA")))

    def process_item(self, item: Any) -> Any:
        data = ItemAdapter(item).asdict()
        errors = sorted(self.validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        body = data.get("body")
        if isinstance(body, str) and len(body) > self.max_body_chars:
            errors.append(
                ValidationError(f"body is {len(body)} characters, over VALIDATION_MAX_BODY_CHARS={self.max_body_chars}", path=["body"])
            )
        stats = self.crawler.stats
        assert stats is not None
        if not errors:
            stats.inc_value("validation/ok")
            return item
        problems = []
        for error in errors:
            field = _field_of(error)
            detail = f" (shown on the page as {data.get('published_raw')!r})" if field == "published_at" else ""
            problems.append(f"{field}: {error.message[:200]}{detail}")
        for field in sorted({_field_of(error) for error in errors}):
            stats.inc_value(f"validation/dropped/{field}")
        stats.inc_value("validation/dropped")
        reason = f"invalid article {data.get('url')}: " + "; ".join(problems)
        logger.error(reason)
        raise DropItem(reason)


def _field_of(error: ValidationError) -> str:
    """The top-level field a schema error is about."""
    if error.absolute_path:
        return str(error.absolute_path[0])
    if error.validator == "required":
        return str(error.message.split("'")[1])
    return "item"
