"""Scrapy project for alinea.id: every article exactly once, as JSON Lines."""
