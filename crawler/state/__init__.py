"""Persistent crawl state: which articles were delivered, where, and the run lock."""
