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
SKIP = st.components.v2.component("skeleton_skip", html="<a></a>")


def explorer() -> None:
    st.html("<style>.st-key-lang-box { display: none; }</style>")  # the page's language, as every page
    st.html("<style>@media (max-width: 640px) { .x { display: none; } }</style>")  # the phone's rules
    st.html("<style>a:focus-visible { outline: 2px solid; }</style>")  # contrast and focus rules
    with st.container(key="lang-box"):
        st.html("<span></span>")
    side = st.sidebar
    side.segmented_control("Language", ["English", "中文"], default="English", key="lang")
    side.header("Model")
    with side.container(key="skip"):  # the skip link to the picture, a components-v2 element too
        SKIP(key="skip_link")
    side.selectbox("Menu 0", ["a", "b", "c", "d"], key="menu0")  # preset
    side.text_input("Link", "", key="link")  # blocks per stage
    side.selectbox("Menu 1", ["a", "b", "c", "d"], key="menu1")  # shortcut
    left, right = side.columns(2)  # block type and downsampling, side by side
    left.selectbox("Menu 2", ["a", "b", "c", "d"], key="menu2")
    right.selectbox("Menu 3", ["a", "b", "c", "d"], key="menu3")
    for row in range(2):  # width and classes, input channels and size
        for i, column in enumerate(side.columns(2)):
            column.number_input(f"Number {2 * row + i}", 1, 4096, 64, key=f"number{2 * row + i}")
    side.selectbox("Menu 4", ["a", "b", "c", "d"], key="menu4")  # stem
    side.toggle("Switch 0", key="switch0")  # pre-activation
    with side.expander("Successors"):
        for row in range(2):  # groups and width per group, stem width and SE reduction
            for i, column in enumerate(st.columns(2)):
                column.number_input(f"Number {4 + 2 * row + i}", 1, 4096, 64, key=f"number{4 + 2 * row + i}")
        st.toggle("Switch 1", key="switch1")
        st.number_input("Number 8", 0.0, 1.0, 0.0, key="number8")
        st.toggle("Switch 2", key="switch2")
        st.selectbox("Menu 5", ["a", "b", "c", "d"], key="menu5")
    side.container(key="closer")  # where a phone's sidebar is folded away after a change
    side.caption("A note.")
    st.title("ResNet-18")
    st.caption("A line about the model.")
    st.subheader("ResNet-18 · ImageNet")
    for i, column in enumerate(st.container(key="metrics").columns(5)):
        column.metric(f"Metric {i}", f"{11_689_512 + i:,}")
    PICTURE(key="picture")
    st.segmented_control("View", ["Table", "Graph", "Charts"], default="Table", key="view")
    left, right = st.columns(2)
    left.selectbox("Menu 6", ["a", "b", "c", "d"], key="menu6")  # the stage
    right.toggle("Switch 3", key="switch3")  # fold to blocks
    right.container(key="phone_toggle").toggle("All columns", key="all_columns")
    st.caption("Rows shown.")
    table = pd.DataFrame({f"column {j}": [f"{i * j:,}" for i in range(ROWS)] for j in range(COLUMNS)})
    # The desktop's table and the phone's four columns, each in a container CSS shows or hides
    st.container(key="wide_table").dataframe(table, hide_index=True)
    st.container(key="phone_table").dataframe(table.iloc[:, :4], hide_index=True)
    st.download_button("CSV", "a,b\n1,2\n", "layers.csv")


def other() -> None:
    st.write("Another page.")


pages = [st.Page(explorer, title="Explorer", default=True)]
pages += [st.Page(other, title=f"Page {i}", url_path=f"page{i}") for i in range(1, 6)]
st.navigation(pages).run()
