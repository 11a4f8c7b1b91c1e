"""Signals of this project (sent through ``crawler.signals``)."""

batch_published = object()
"""Sent by the export pipeline after a batch file is durably in place.

Arguments: ``items`` (list of exported items, in file order), ``path`` (the published file)."""

article_extracted = object()
"""Sent by the spider for every article extraction produced, valid or not, before the
pipelines. Arguments: ``article``, ``layout`` (parser version name), ``provenance``
(``{field: signal}``)."""
