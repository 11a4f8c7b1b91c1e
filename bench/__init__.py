"""Benchmarks of the alinea.id crawler against its peers and Scrapy's own ceiling.

Scripts, not timed tests: ``python -m bench [--quick]`` runs them all; each module also runs
alone (``python -m bench.extraction``, ``bench.crawl``, ``bench.scheduled``, ``bench.state``,
``bench.memory``, ``bench.profile``). Results with dates are kept in ``BENCHMARKS.md``.
"""
