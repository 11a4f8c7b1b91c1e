"""A local replica of alinea.id for end-to-end tests, the offline demo and benchmarks.

It follows ``shared/alinea-site.md``: what the evidence confirms is copied, what it leaves
unknown is invented and varied between articles. Start it from the repository root::

    python -m tests.replica --port 0 --articles 200 [--seed 1] [--no-robots] [--no-sitemap]
        [--faults SPEC] [--slow-seconds 30] [--host 127.0.0.1]

It prints ``REPLICA_URL=http://127.0.0.1:<port>`` once listening and answers any Host header
(absolute-form request targets too). The same seed and article count give the same site.
Tests use :func:`tests.replica.testing.run_replica`.

Site
    ``GET /``                       home; inline ``"_token":"<40 chars>"``; cookies
                                    ``alinea_session`` (session) and ``XSRF-TOKEN``
    ``POST /more``                  form ``_token``, ``next`` (offset), ``categorynext``
                                    (``""`` or a section); 10 ``.box1`` cards or an empty body;
                                    419 without a valid session + token
    ``GET /indeks``                 30 cards a page, ``?page=N`` (1-based), ``?date=YYYY-MM-DD``
    ``GET /<section>``              20 cards a page, ``?page=N``, plus the ``/more`` loader
    ``GET /search?q=``              10 results in ``.hasilcari``; ``page`` ignored
    ``GET /<section>/<slug>-b<code>[?page=K]``  article (part K of a multi-page one)
    ``GET /amp/<section>/<slug>-b<code>``       AMP article (whole body)
    ``GET /rss``, ``/robots.txt``, ``/sitemap.xml``, ``/sitemap/YYYY-MM.xml``,
    ``/sitemap-news.xml``

Control API (JSON, never faulted)
    ``GET /_replica/articles[?full=1][&id=b...,b...][&offset=&limit=]``,
    ``POST /_replica/publish?count=N``, ``GET /_replica/stats``,
    ``POST /_replica/stats/reset``, ``GET|POST /_replica/faults`` (see :mod:`.faults`).
"""
