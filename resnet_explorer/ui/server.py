"""Streamlit's server, run in this process for ``resnet-explorer serve`` (see ``cli/serve.py`` for why).

Here, at the edge where Streamlit lives, because the CLI package does not import Streamlit.
"""

from __future__ import annotations

__all__ = ["no_external_address", "run_streamlit"]


def no_external_address() -> None:
    """Streamlit's external-address lookup, made once here: it answers "none" without a request."""
    from streamlit import net_util

    net_util.get_external_ip = lambda: None


def run_streamlit(app: str, options: list[str]) -> None:
    """``streamlit run app *options`` in this process, without the external-address lookup; Streamlit's
    click command ends by exiting."""
    from streamlit.web import cli as streamlit_cli

    no_external_address()
    streamlit_cli.main(["run", app, *options], prog_name="streamlit", standalone_mode=True)
