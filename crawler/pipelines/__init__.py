"""Item pipelines, in the order they run: validation, deduplication, export (JSON Lines)."""
