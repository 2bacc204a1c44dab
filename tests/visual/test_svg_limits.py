"""The SVG export runs Graphviz's ``dot`` in a bounded process: time, output and memory caps, one at a time.

Issue 11: an unfolded ResNet-1202 at layer level took 85 s and 1.24 GB per click in the server.
The outside truth here is Graphviz itself: the SVG it writes must hold one ``<g class="node">`` per
node we drew, and a graph it cannot draw within a cap must stop it, with the page saying which cap.
"""

from __future__ import annotations

import os
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import open_app

from resnet_explorer import PRESETS
from resnet_explorer.i18n import t
from resnet_explorer.visual import graph as G

pytestmark = pytest.mark.skipif(
    not G.has_dot(), reason="Graphviz's dot is not installed (apt-get install graphviz)"
)
SVG = "{http://www.w3.org/2000/svg}"


def _dot_children() -> list[int]:
    """Live ``dot`` processes whose parent is this test process (from /proc: comm and ppid)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # ended while we looked
        comm, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
        if comm == "dot" and rest[0] != "Z" and int(rest[1]) == os.getpid():
            found.append(int(stat.parent.name))
    return found


def _no_dot_children() -> bool:
    return not _dot_children()


def test_svg_has_one_node_group_per_drawn_node():
    g = G.extract(PRESETS["resnet18"], "layers")
    root = ET.fromstring(G.render_svg(G.to_digraph(g)))
    nodes = [e for e in root.iter(f"{SVG}g") if e.get("class") == "node"]
    assert len(nodes) == len(g.nodes)


def test_time_cap_stops_dot_on_the_unfolded_resnet1202():
    # Graphviz needs tens of seconds for its ~4,200 nodes; one second is far below that on any machine.
    dot = G.to_digraph(G.extract(PRESETS["resnet1202"], "layers", fold=False))
    with pytest.raises(G.SvgLimitError) as info:
        G.render_svg(dot, seconds=1)
    assert info.value.reason == "seconds" and info.value.limit == 1
    assert _no_dot_children()


def test_output_cap_stops_dot():
    dot = G.to_digraph(G.extract(PRESETS["resnet18"], "layers"))  # ~95 kB of SVG
    with pytest.raises(G.SvgLimitError) as info:
        G.render_svg(dot, max_bytes=20_000)
    assert info.value.reason == "bytes" and info.value.limit == 20_000
    assert _no_dot_children()


def test_memory_cap_stops_dot():
    # dot with its font libraries needs ~80 MB of address space for ResNet-152's layers.
    dot = G.to_digraph(G.extract(PRESETS["resnet152"], "layers", fold=False))
    with pytest.raises(G.SvgLimitError) as info:
        G.render_svg(dot, memory_bytes=48 * 2**20)
    assert info.value.reason == "memory"
    assert _no_dot_children()


def test_one_drawing_at_a_time_for_the_whole_server():
    dot = G.to_digraph(G.extract(PRESETS["resnet18"], "blocks"))
    started, done = threading.Event(), threading.Event()
    big = G.to_digraph(G.extract(PRESETS["resnet1202"], "layers", fold=False))

    def slow() -> None:
        started.set()
        with pytest.raises(G.SvgLimitError):
            G.render_svg(big, seconds=5)
        done.set()

    worker = threading.Thread(target=slow)
    worker.start()
    started.wait()
    # The slow drawing holds the one slot from before its dot starts until it is stopped.
    while not _dot_children() and not done.is_set():
        done.wait(0.05)
    with pytest.raises(G.SvgLimitError) as info:
        G.render_svg(dot)
    assert info.value.reason == "busy"
    worker.join()
    assert G.render_svg(dot).lstrip().startswith(b"<?xml")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_offers_the_file_or_names_the_cap(lang, monkeypatch):
    at = open_app("pages/explorer.py", {"preset": "resnet18", "lang": lang}).run()
    at.segmented_control(key="view").set_value("graph").run()
    at.button(key="graph.svg").click().run()
    assert not at.exception
    assert [b for b in at.get("download_button") if b.proto.id and "dl_svg" in b.proto.id]
    # The same click with a cap the drawing cannot meet: no file, the message in the user's language.
    monkeypatch.setattr(G, "SVG_MAX_BYTES", 1000)
    at.button(key="graph.svg").click().run()
    assert not at.exception
    assert not [b for b in at.get("download_button") if "dl_svg" in b.proto.id]
    assert [w.value for w in at.warning] == [t("svg.limit.bytes", lang, limit="1000 B")]
