"""ResNet Explorer — the entry point: ``streamlit run app.py``.

A router and nothing else (``resnet_explorer.ui.router``): it sets up each browser session and
runs the page the address names, from ``pages/``.
"""

# With multiprocessing's "spawn", a worker process imports the script Streamlit is running as
# ``__mp_main__``; it must draw nothing and start nothing, so the app runs only as ``__main__``.
if __name__ == "__main__":
    from resnet_explorer.ui import router

    router.run()
