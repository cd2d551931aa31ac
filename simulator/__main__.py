"""`python -m simulator`: serve the Adobe simulator until interrupted.

Prints `Simulator listening on http://HOST:PORT` (flushed) once it accepts connections, so a
parent process can wait for that line and read the port (useful with `--port 0`).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from simulator.clock import parse_iso
from simulator.server import build

logger = logging.getLogger(__name__)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--orgs", type=int, default=3)
    parser.add_argument("--jobs-per-org", type=int, default=2000)
    parser.add_argument("--incidents", type=int, default=12)
    parser.add_argument(
        "--start", help="the simulated clock's start, ISO 8601 (default: now); fixes all dates"
    )
    parser.add_argument(
        "--frozen-clock",
        action="store_true",
        help="the clock moves only when advanced through the control API",
    )
    parser.add_argument(
        "--future-days",
        type=float,
        default=0,
        help="jobs keep arriving at the same rate for this many days (for demos)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="`make run`'s scripted events: an incident on Adobe Experience Platform opens two "
        "minutes after the start, is updated, and closes",
    )
    parser.add_argument("--log-level", default="WARNING")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    server = build(
        host=args.host,
        port=args.port,
        seed=args.seed,
        orgs=args.orgs,
        jobs_per_org=args.jobs_per_org,
        incidents=args.incidents,
        clock_start=parse_iso(args.start) if args.start else None,
        frozen_clock=args.frozen_clock,
        future_days=args.future_days,
        demo=args.demo,
    )
    # SIGTERM (from a fixture or a process manager) ends the process like Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    print(f"Simulator listening on {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
