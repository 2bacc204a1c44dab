"""``python -m resnet_explorer weights``: list, fetch or register torchvision's ImageNet weights.

Run ``weights download resnet50`` on a machine with internet before class; the file lands in torch's
cache, where the Classify page (and torchvision itself) finds it. ``--file PATH`` registers a copy
obtained elsewhere (a USB stick), after checking it with the same safe loader as an upload.
"""

from __future__ import annotations

import argparse
import sys

from ..classify import weights as W

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("weights", help="torchvision ImageNet weights: list, download, register a file")
    inner = parser.add_subparsers(dest="weights_command", required=True, parser_class=type(parser))
    listing = inner.add_parser("list", help="which weights exist, and which are in torch's cache")
    listing.set_defaults(func=_list)
    fetch = inner.add_parser("download", help="download into torch's cache (or register a local file)")
    fetch.add_argument("name", choices=W.ARCHS, help="architecture")
    fetch.add_argument("--v2", action="store_true", help="torchvision's V2 weights (resnet50/101/152)")
    fetch.add_argument("--file", metavar="PATH", help="register this file instead of downloading")
    fetch.add_argument("--force", action="store_true",
                       help="with --file: register a valid state dict even if it is not torchvision's file")
    fetch.set_defaults(func=_download)


def _list(args: argparse.Namespace) -> int:
    print(f"cache: {W.cache_dir()}")
    print(f"{'name':<10} {'version':<14} {'acc@1':>6} {'acc@5':>6} {'size MB':>8}  {'cached':<6}  url")
    for w in W.catalogue():
        print(f"{w.arch:<10} {w.version:<14} {w.acc1:>6.2f} {w.acc5:>6.2f} {w.file_size_mb:>8.1f}  "
              f"{'yes' if w.is_cached() else 'no':<6}  {w.url}")
    print("accuracies: ImageNet-1K validation, 1 crop (torchvision's figures; the paper reports "
          "10-crop errors)")
    return 0


def _download(args: argparse.Namespace) -> int:
    weights = W.find(args.name, v2=args.v2)
    if args.file:
        path, matches = W.register_file(weights, args.file, force=args.force)
        note = "" if matches else " (not torchvision's published file: registered because of --force)"
        print(f"registered {args.file} as {weights.label}: {path}{note}")
        return 0
    if weights.is_cached():
        print(f"already cached: {weights.path}")
        return 0
    print(f"downloading {weights.url}\n  -> {weights.path}", file=sys.stderr)
    last = [-1]

    def progress(done: int, total: int) -> None:
        percent = int(100 * done / total) if total else -1
        if percent != last[0] and (percent % 5 == 0 or done == total):
            last[0] = percent
            size = f" / {total / 2**20:.1f} MB ({percent}%)" if total else ""
            print(f"\r  {done / 2**20:7.1f} MB{size}", end="", file=sys.stderr, flush=True)

    path = W.download(weights, progress)
    print(f"\nsaved {path}")
    return 0
