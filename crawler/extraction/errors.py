"""Why a page did not become an article."""


class ExtractionError(Exception):
    """A page that could not be turned into an article; the message says why. The article is
    not delivered (never half-filled) and is fetched again on a later run."""


class NotAnArticle(ExtractionError):
    """The page is not an article page (a listing, a 404 page, an article shell with no body)."""
