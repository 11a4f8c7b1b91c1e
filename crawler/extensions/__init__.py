"""Scrapy extensions of this project: the end-of-run summary."""
