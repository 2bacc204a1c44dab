"""Classify: a real image through the model you built, with real weights, safely.

Widgets and layout only. The choices and the job loop are ``resnet_explorer.classify.session``
(pure), the panels ``resnet_explorer.ui.classify``; the work runs in the server's one bounded worker
process, started with a blank ``__main__`` so it never imports this script.
"""

import streamlit as st

from resnet_explorer import ui
from resnet_explorer.ui import classify as panels


def main() -> None:
    ui.page_setup("classify.title", ":material/image_search:")
    tr = ui.translator()
    st.title(tr("classify.title"))
    st.caption(tr("classify.intro"))

    # The result beside its inputs, so a 1366×768 projector shows the prediction on the first screen.
    inputs, outcome = st.columns([2, 3], gap="large")
    with inputs:
        source = panels.weights_panel(ui.current_config())
        job_input = panels.image_panel(source)
    with outcome:
        panels.run_if_changed(source, job_input)
        shown = panels.outcome_panel(source, job_input)
    if shown:
        panels.steps_panel()
        panels.maps_panel()


# Streamlit runs a page as __main__. A worker process started with "spawn" imports whichever page
# script was running at that moment as __mp_main__; it must draw nothing and start nothing.
if __name__ == "__main__":
    main()
