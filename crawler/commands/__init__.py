"""Project commands: ``crawl`` (with run lock and exit statuses), ``state``, ``savefixture``."""
