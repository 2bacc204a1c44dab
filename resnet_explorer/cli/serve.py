"""``resnet-explorer serve [-- STREAMLIT OPTIONS]``: the app's server, started only when its settings hold.

``streamlit run app.py`` runs no code of the app until a browser opens it, so a replica with a bad
``RESNET_EXPLORER_*`` value answered ``/_stcore/health`` with "ok" while every student got the
misconfiguration page. ``serve`` is run by ``deploy/trial.sh`` and the Docker image: the CLI checks
every setting first (``cli.main``: a bad one exits 2 naming it), so a misconfigured replica never
listens and its health check fails. Then Streamlit runs in this process, as ``streamlit run`` would.

In this process Streamlit also never asks checkip.amazonaws.com for the machine's external address.
It asks, blocking its event loop for up to 2 s, whenever a websocket comes from an origin it does not
know (and again each time, while the answer is a failure); where outbound packets are dropped, any
client could freeze the server that way. Students reach the app by its own name or through nginx,
which refuses foreign origins before they get here (deploy/nginx.conf); the address is only ever
compared with such an origin, so without it a foreign origin is refused at once.
"""

from __future__ import annotations

import argparse

from . import say

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = subparsers.add_parser("serve", help=say("cli.serve_help"), description=say("cli.serve_help"))
    p.add_argument("--app", default="app.py", help=say("cli.serve_app"))
    p.add_argument("streamlit_args", nargs=argparse.REMAINDER, help=say("cli.serve_rest"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..ui.server import run_streamlit  # Streamlit lives in ui/, the edge

    rest = list(args.streamlit_args)
    if rest[:1] == ["--"]:
        rest = rest[1:]
    run_streamlit(args.app, rest)
    return 0
