"""The spiders of this project: one, ``alinea``."""
