"""Training lab: watch the degradation problem happen, and watch shortcuts fix it.

Widgets and layout only. The panels are in ``resnet_explorer.ui.training``, the policy in
``resnet_explorer.train.lab``; runs go to a spawned process per run (``train.runs``). Start sits on
the first screen of a 1366x768 projector; the settings and the gradient flow follow below it. With
"spawn", a child process imports this file as its main module (``__mp_main__``): everything is inside
``main()``, called only by Streamlit.
"""

import streamlit as st

from resnet_explorer import ui
from resnet_explorer.ui import training as panels


def main() -> None:
    ui.page_setup("train.title", ":material/show_chart:")
    tr = ui.translator()
    panels.init_state()
    st.title(tr("train.title"))
    st.markdown(tr("train.intro"))

    models = panels.pick_models(tr)
    buttons = st.container()  # Start and Stop, filled once the settings below are read
    live = st.container()  # the run's bar and curves, right under the buttons

    st.header(tr("train.settings.header"))
    dataset, size, settings, error = panels.read_settings(tr)
    request = panels.prepare_run(tr, models, dataset, size, settings, error)
    with buttons:
        panels.start_stop_buttons(tr, request)

    st.header(tr("train.grad.header"))
    panels.show_gradient_flow(tr, models, explorer=st.session_state["train.pair"] == "explorer")

    with live:  # drawn last, in the place kept for it above
        panels.run_panel(tr)


if __name__ == "__main__":  # Streamlit runs pages as __main__; a spawned child imports it as __mp_main__
    main()
