"""``python -m tests.replica --port 0 --articles 200``: serve the replica on loopback.

Prints one line ``REPLICA_URL=http://127.0.0.1:<port>`` once listening.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import cast

from twisted.internet.posixbase import PosixReactorBase

from .faults import Faults, FaultSpecError
from .model import Site
from .server import Options, ReplicaResource, make_site


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m tests.replica", description=__doc__)
    parser.add_argument("--port", type=int, default=8080, help="TCP port; 0 picks a free one")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    parser.add_argument("--articles", type=int, default=200, help="number of initial articles (>= 1)")
    parser.add_argument("--seed", type=int, default=1, help="seed of all generated content")
    parser.add_argument("--robots", action=argparse.BooleanOptionalAction, default=True, help="serve robots.txt")
    parser.add_argument("--sitemap", action=argparse.BooleanOptionalAction, default=True, help="serve sitemaps")
    parser.add_argument("--faults", default="", help="fault spec, e.g. 'article:503@0.2x1,rss:500@1'")
    parser.add_argument("--slow-seconds", type=float, default=30.0, help="delay of the 'slow' fault")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build the site, listen, print the URL, run until terminated."""
    args = parse_args(argv)
    try:
        faults = Faults(args.seed, args.faults, args.slow_seconds)
    except FaultSpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.articles < 1:
        print("error: --articles must be at least 1", file=sys.stderr)
        return 2
    site = Site(args.articles, args.seed)
    root = ReplicaResource(site, faults, Options(robots=args.robots, sitemap=args.sitemap))
    from twisted.internet import reactor as default_reactor  # installing it is main's job

    reactor = cast(PosixReactorBase, default_reactor)
    port = reactor.listenTCP(args.port, make_site(root), interface=args.host)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
    print(f"REPLICA_URL=http://{shown}:{port.getHost().port}", flush=True)
    reactor.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
