"""``python -m resnet_explorer weights``: list, fetch or register torchvision's ImageNet weights.

Run ``weights download resnet50`` on a machine with internet before class; the file lands in torch's
cache, where the Classify page (and torchvision itself) finds it. ``--file PATH`` registers a copy
obtained elsewhere (a USB stick), after checking it with the same safe loader as an upload.
"""

from __future__ import annotations

import argparse
import sys

from ..classify import weights as W
from . import CliError, say
from .summary import _table

__all__ = ["register", "offline_advice"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("weights", help="torchvision ImageNet weights: list, download, register a file")
    inner = parser.add_subparsers(dest="weights_command", required=True, parser_class=type(parser))
    listing = inner.add_parser("list", help="which weights exist, and which are in torch's cache")
    listing.set_defaults(func=_list)
    fetch = inner.add_parser("download", help="download into torch's cache (or register a local file)")
    fetch.add_argument("name", choices=W.ARCHS, help="architecture")
    fetch.add_argument("--v2", action="store_true", help="torchvision's V2 weights (resnet50/101/152)")
    fetch.add_argument("--file", metavar="PATH", help="register this file instead of downloading")
    fetch.add_argument(
        "--force",
        action="store_true",
        help="with --file: register a valid state dict even if it is not torchvision's file",
    )
    fetch.set_defaults(func=_download)


def _list(args: argparse.Namespace) -> int:
    print(say("cli.weights.cache", path=W.cache_dir()))
    heads = [
        say(k)
        for k in (
            "cli.weights.col.name",
            "cli.weights.col.version",
            "cli.weights.col.acc1",
            "cli.weights.col.acc5",
            "cli.weights.col.size",
            "cli.weights.col.cached",
            "cli.weights.col.url",
        )
    ]
    rows = [
        [
            w.arch,
            w.version,
            f"{w.acc1:.2f}",
            f"{w.acc5:.2f}",
            f"{w.file_size_mb:.1f}",
            say("cli.weights.yes") if w.is_cached() else say("cli.weights.no"),
            w.url,
        ]
        for w in W.catalogue()
    ]
    print("\n".join(_table(heads, rows, right={2, 3, 4})))
    print(say("cli.weights.accuracies"))
    return 0


def offline_advice(weights: W.PretrainedWeights, reason: str) -> str:
    """What will work when the download cannot: the file fetched elsewhere, given with ``--file`` or
    placed where torch looks (``$TORCH_HOME/hub/checkpoints/<file>``). Never "run the download again"."""
    return say(
        "cli.weights.offline",
        label=weights.label,
        reason=reason,
        url=weights.url,
        command=W.download_command(weights),
        file=weights.file_name,
        cache=W.cache_dir(),
    )


def _reason(exc: W.WeightsDownloadError, weights: W.PretrainedWeights) -> str | None:
    # The library's message is "<reason>: <label> weights are not in torch's cache. ..." when the
    # network failed (then its advice is the command that just failed); None for other failures.
    message = str(exc)
    cut = message.find(f": {weights.label} weights are not in torch's cache")
    return message[:cut] if cut > 0 else None


def _download(args: argparse.Namespace) -> int:
    weights = W.find(args.name, v2=args.v2)
    if args.file:
        path, matches = W.register_file(weights, args.file, force=args.force)
        note = "" if matches else say("cli.weights.forced")
        print(say("cli.weights.registered", file=args.file, label=weights.label, path=path) + note)
        return 0
    if weights.is_cached():
        print(say("cli.weights.cached", path=weights.path))
        return 0
    print(say("cli.weights.downloading", url=weights.url, path=weights.path), file=sys.stderr)
    last = [-1]

    def progress(done: int, total: int) -> None:
        percent = int(100 * done / total) if total else -1
        if percent != last[0] and (percent % 5 == 0 or done == total):
            last[0] = percent
            size = f" / {total / 2**20:.1f} MB ({percent}%)" if total else ""
            print(f"\r  {done / 2**20:7.1f} MB{size}", end="", file=sys.stderr, flush=True)

    try:
        path = W.download(weights, progress)
    except W.WeightsDownloadError as exc:
        reason = _reason(exc, weights)
        raise CliError(str(exc) if reason is None else offline_advice(weights, reason)) from None
    finally:
        if last[0] != -1:
            print(file=sys.stderr)  # end the progress line
    print(say("cli.weights.saved", path=path))
    return 0
