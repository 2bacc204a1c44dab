"""The Explorer's elements and nothing else: a yardstick for ``bench_load.py``.

A page with the same widgets, metrics, table, headings and layout blocks as the Explorer's first run
(``?preset=resnet18``), in the same sidebar/main split, under an ``st.navigation`` of six pages, but
with no library behind it: fixed labels, fixed numbers, no model, no plan. What a session costs here
is what Streamlit itself charges for drawing such a page; what the Explorer costs above it is ours.

``bench_load.py`` counts the element types of both first runs from the protocol and prints any
difference, so this file is checked against the page it stands for each time the benchmark runs.
It imports only Streamlit and pandas (which ``st.dataframe`` needs anyway).
"""

import pandas as pd
import streamlit as st

# A ResNet-18 layer table's shape: a row per stage and block summary, eight columns of text.
ROWS, COLUMNS = 12, 8
# The architecture picture is a components-v2 element; here one with no script and no data: what
# Streamlit charges for mounting such an element, not what our picture costs above it.
PICTURE = st.components.v2.component("skeleton_picture", html="<div></div>")


def explorer() -> None:
    st.html("<style>.st-key-lang-box { display: none; }</style>")  # the page's language, as every page
    with st.container(key="lang-box"):
        st.html("<span></span>")
    side = st.sidebar
    side.segmented_control("Language", ["English", "中文"], default="English", key="lang")
    side.text_input("Link", "", key="link")
    for i in range(5):  # preset, stem, downsampling, shortcut, norm...
        side.selectbox(f"Menu {i}", ["a", "b", "c", "d"], key=f"menu{i}")
    for i, column in enumerate(side.columns(2), start=5):  # block type and stride position, side by side
        column.selectbox(f"Menu {i}", ["a", "b", "c", "d"], key=f"menu{i}")
    with side.expander("Stages"):
        columns = st.columns(4)
        for i in range(9):  # blocks per stage, widths, groups, input size...
            columns[i % 4].number_input(f"Number {i}", 1, 4096, 64, key=f"number{i}")
        for i in range(4):
            st.toggle(f"Switch {i}", key=f"switch{i}")
    st.title("ResNet-18")
    st.caption("A line about the model.")
    for i, column in enumerate(st.columns(5)):
        column.metric(f"Metric {i}", f"{11_689_512 + i:,}")
    PICTURE(key="picture")
    st.segmented_control("View", ["Table", "Graph", "Charts"], default="Table", key="view")
    st.header("Layers")
    table = pd.DataFrame({f"column {j}": [f"{i * j:,}" for i in range(ROWS)] for j in range(COLUMNS)})
    st.dataframe(table, hide_index=True)
    with st.container(horizontal=True):
        st.download_button("CSV", "a,b\n1,2\n", "layers.csv")
    st.subheader("Notes")
    st.caption("A note.")
    st.caption("Another note.")


def other() -> None:
    st.write("Another page.")


pages = [st.Page(explorer, title="Explorer", default=True)]
pages += [st.Page(other, title=f"Page {i}", url_path=f"page{i}") for i in range(1, 6)]
st.navigation(pages).run()
