"""Everything that imports Streamlit lives in this package; pages call it as ``ui.<name>``.

- :mod:`.session` — language, the session's config, the link it came from;
- :mod:`.router` — the pages and their translated titles (``app.py`` runs it);
- :mod:`.editor` — the config editor; :mod:`.tables` — tables and block arithmetic;
- :mod:`.visual` — the graph and chart panels; :mod:`.phone` — a phone's layout, chosen by CSS.
"""

from .editor import config_editor, editor_base, model_title
from .phone import metric_columns
from .router import page_setup
from .session import (
    base_preset,
    current_config,
    init_session,
    labels,
    lang,
    set_current_config,
    sync_url,
    tr,
    translator,
    url_errors,
)
from .tables import (
    layers_view,
    show_block_arithmetic,
    show_frame,
    show_layers,
    show_resnext_arithmetic,
    show_table,
    stage_label,
)

__all__ = [
    "page_setup",
    "init_session",
    "lang",
    "tr",
    "translator",
    "labels",
    "current_config",
    "set_current_config",
    "base_preset",
    "config_editor",
    "editor_base",
    "model_title",
    "url_errors",
    "sync_url",
    "stage_label",
    "show_table",
    "show_frame",
    "layers_view",
    "show_layers",
    "metric_columns",
    "show_block_arithmetic",
    "show_resnext_arithmetic",
]
