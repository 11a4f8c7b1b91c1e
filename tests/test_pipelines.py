"""Pipelines, each built through ``from_crawler`` as Scrapy builds it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.test import get_crawler

from crawler.items import CONTRACT_FIELDS, Article
from crawler.pipelines.dedup import DedupPipeline
from crawler.pipelines.export import ExportPipeline
from crawler.pipelines.validation import ValidationPipeline
from crawler.signals import batch_published


def valid_article(article_id: str = "b1Xgj9kbZ", **changes: Any) -> Article:
    article = Article(
        url=f"https://www.alinea.id/pemilu/dugaan-kecurangan-{article_id}",
        canonical_url=f"https://www.alinea.id/pemilu/dugaan-kecurangan-{article_id}",
        article_id=article_id,
        section="pemilu",
        title="Dugaan kecurangan, berkaca pada pemilu masa Orde Baru",
        authors=["Khairisa Ferida"],
        published_at="2019-05-21T19:31:00+07:00",
        published_raw="Selasa, 21 Mei 2019 19:31 WIB",
        body="Paragraf satu.\n\nParagraf dua.",
        word_count=4,
        scraped_at="2026-11-26T00:00:00Z",
    )
    return replace(article, **changes)


def test_validation_accepts_a_valid_article() -> None:
    crawler = get_crawler()
    pipeline = ValidationPipeline.from_crawler(crawler)
    item = valid_article()
    assert pipeline.process_item(item) is item
    assert crawler.stats is not None and crawler.stats.get_value("validation/ok") == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", None),
        ("title", ""),
        ("body", None),
        ("published_at", None),
        ("published_at", "2019-05-21T19:31:00Z"),  # must carry +07:00
        ("published_at", "kemarin"),
        ("canonical_url", "https://alinea.id/pemilu/x-b1Xgj9kbZ"),
        ("article_id", "1Xgj9kbZ"),
        ("authors", ["A", "A"]),
        ("images", [{"url": "not a url", "caption": None, "credit": None}]),
        ("word_count", 0),
        ("language", "en"),
    ],
)
def test_validation_drops_invalid_items_with_a_reason(field: str, value: Any, caplog: pytest.LogCaptureFixture) -> None:
    crawler = get_crawler()
    pipeline = ValidationPipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match=field):
        pipeline.process_item(valid_article(**{field: value}))
    assert crawler.stats is not None
    assert crawler.stats.get_value("validation/dropped") == 1
    assert crawler.stats.get_value(f"validation/dropped/{field}") == 1
    assert field in caplog.text


def test_unparseable_date_is_logged_with_the_raw_text(caplog: pytest.LogCaptureFixture) -> None:
    pipeline = ValidationPipeline.from_crawler(get_crawler())
    with pytest.raises(DropItem):
        pipeline.process_item(valid_article(published_at=None, published_raw="Rabu, 30 Februari 2022 10:00"))
    assert "Rabu, 30 Februari 2022 10:00" in caplog.text


def test_validation_can_be_switched_off() -> None:
    with pytest.raises(NotConfigured):
        ValidationPipeline.from_crawler(get_crawler(settings_dict={"VALIDATION_ENABLED": False}))


def test_dedup_drops_the_second_copy_of_an_article() -> None:
    crawler = get_crawler()
    pipeline = DedupPipeline.from_crawler(crawler)
    pipeline.process_item(valid_article())
    amp_copy = valid_article(url="https://alinea.id/amp/pemilu/dugaan-kecurangan-b1Xgj9kbZ")
    with pytest.raises(DropItem, match="b1Xgj9kbZ"):
        pipeline.process_item(amp_copy)
    pipeline.process_item(valid_article("b1Xgj9kbY"))
    assert crawler.stats is not None
    assert crawler.stats.get_value("dedup/dropped") == 1
    assert crawler.stats.get_value("dedup/unique") == 2


def test_dedup_can_be_switched_off() -> None:
    with pytest.raises(NotConfigured):
        DedupPipeline.from_crawler(get_crawler(settings_dict={"DEDUP_ENABLED": False}))


def _export(tmp_path: Path, items: list[Article], **settings: Any) -> tuple[ExportPipeline, list[tuple[list[Any], Path]]]:
    crawler = get_crawler(settings_dict={"EXPORT_DIR": str(tmp_path), "STATE_DIR": str(tmp_path / ".state"), **settings})
    published: list[tuple[list[Any], Path]] = []
    crawler.signals.connect(lambda items, path: published.append((items, path)), signal=batch_published, weak=False)
    pipeline = ExportPipeline.from_crawler(crawler)
    pipeline.open_spider()
    for item in items:
        pipeline.process_item(item)
    return pipeline, published


def test_export_writes_utf8_json_lines_in_contract_order(tmp_path: Path) -> None:
    pipeline, published = _export(tmp_path, [valid_article(title="Pemilu “curang” — é")])
    assert list(tmp_path.glob("*.jsonl")) == []  # nothing visible before the batch is published
    pipeline.close_spider()
    (path,) = tmp_path.glob("*.jsonl")
    raw = path.read_text(encoding="utf-8")
    assert "“curang” — é" in raw, "titles are written as UTF-8, not \\u-escaped"
    record = json.loads(raw)
    assert list(record) == list(CONTRACT_FIELDS)
    assert published == [([valid_article(title="Pemilu “curang” — é")], path)]
    assert not list(tmp_path.glob(".*.part")), "no temporary file is left behind"


def test_export_publishes_in_batches_and_never_reuses_a_file(tmp_path: Path) -> None:
    items = [valid_article(f"b1Xgj9k{n:02d}") for n in range(5)]
    pipeline, published = _export(tmp_path, items, EXPORT_BATCH_ITEMS=2)
    assert len(published) == 2
    pipeline.close_spider()
    files = sorted(tmp_path.glob("*.jsonl"))
    assert [len(f.read_text().splitlines()) for f in files] == [2, 2, 1]
    second, _ = _export(tmp_path, [valid_article()])
    second.close_spider()
    assert len(list(tmp_path.glob("*.jsonl"))) == 4, "a new run writes new files, never appends"


def test_export_steps_aside_for_command_line_feeds() -> None:
    crawler = get_crawler()
    crawler.settings.frozen = False
    crawler.settings.set("FEEDS", {"out.jsonl": {"format": "jsonlines"}}, priority=SETTINGS_PRIORITIES["cmdline"])
    with pytest.raises(NotConfigured):
        ExportPipeline.from_crawler(crawler)


def test_state_pipeline_drops_known_articles_and_passes_changed_ones_as_updates(tmp_path: Path) -> None:
    from crawler.pipelines.state import StatePipeline
    from crawler.state.store import SeenStore

    store = SeenStore(tmp_path / "state" / "alinea.sqlite3")
    store.begin_batch("f.jsonl", [ItemAdapter(valid_article()).asdict()])
    store.commit_batch("f.jsonl")
    store.close()
    settings = {"STATE_DIR": str(tmp_path / "state"), "EXPORT_DIR": str(tmp_path / "out")}
    plain = StatePipeline.from_crawler(get_crawler(settings_dict=settings))
    with pytest.raises(DropItem, match="already delivered"):
        plain.process_item(valid_article())
    assert plain.process_item(valid_article("b1Xgj9kbY")).article_id == "b1Xgj9kbY", "a new article passes"
    crawler = get_crawler(settings_dict={**settings, "STATE_REFRESH_DAYS": 3})
    refreshing = StatePipeline.from_crawler(crawler)
    with pytest.raises(DropItem):
        refreshing.process_item(valid_article())
    changed = refreshing.process_item(valid_article(body="Paragraf satu, diperbarui.\n\nParagraf dua."))
    assert changed.is_update is True
    assert crawler.stats is not None and crawler.stats.get_value("state/updated") == 1
    plain.close_spider()
    refreshing.close_spider()


def test_export_adds_is_update_and_meta_only_when_switched_on(tmp_path: Path) -> None:
    item = valid_article(is_update=True, _meta={"layout": "amp"})
    pipeline, _ = _export(tmp_path / "a", [item], STATE_REFRESH_DAYS=2, EXPORT_PROVENANCE=True, STATE_ENABLED=False)
    pipeline.close_spider()
    (path,) = (tmp_path / "a").glob("*.jsonl")
    record = json.loads(path.read_text())
    assert list(record)[-2:] == ["is_update", "_meta"] and record["_meta"] == {"layout": "amp"}
    pipeline, _ = _export(tmp_path / "b", [item], STATE_ENABLED=False)
    pipeline.close_spider()
    (path,) = (tmp_path / "b").glob("*.jsonl")
    assert list(json.loads(path.read_text())) == list(CONTRACT_FIELDS)
