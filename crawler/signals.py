"""Signals of this project (sent through ``crawler.signals``)."""

batch_published = object()
"""Sent by the export pipeline after a batch file is durably in place.

Arguments: ``items`` (list of exported items, in file order), ``path`` (the published file)."""
