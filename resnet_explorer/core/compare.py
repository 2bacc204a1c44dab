"""Side-by-side comparisons: the URL encoding of two to four configs, and their totals table.

A comparison lives in the query string as ``c1``…``c4``, one config each, written as its base
preset followed by the fields that differ: ``?c1=plain34&c2=resnet34`` or
``?c1=resnet34;shortcut=A&c2=resnet34&c3=resnet34;shortcut=C``. Short, readable in a chat
message, and every value still goes through :func:`~.config.read_link`'s validation.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence

import pandas as pd

from .analysis import analyze
from .config import (
    PRESETS,
    LinkProblem,
    ResNetConfig,
    _closest,
    config_to_query,
    nearest_preset,
    read_link,
)

__all__ = [
    "MIN_COLUMNS",
    "MAX_COLUMNS",
    "COMPARISONS",
    "DEFAULT_COMPARISON",
    "encode_config",
    "decode_config",
    "comparison_to_query",
    "comparison_from_query",
    "column_label",
    "totals_table",
]

MIN_COLUMNS, MAX_COLUMNS = 2, 4
_R34 = PRESETS["resnet34"]

# One-click comparisons, each making one of the paper's points.
COMPARISONS: dict[str, tuple[ResNetConfig, ...]] = {
    # Table 2 / Fig. 4: the same 34-layer stack with and without shortcuts.
    "plain_vs_residual": (PRESETS["plain34"], _R34),
    # Table 1 / Fig. 5: same stage counts; bottlenecks are deeper at a similar cost.
    "basic_vs_bottleneck": (_R34, PRESETS["resnet50"]),
    # Table 3: options A, B and C on ResNet-34.
    "shortcut_options": tuple(dataclasses.replace(_R34, shortcut=s) for s in "ABC"),
}
DEFAULT_COMPARISON = "plain_vs_residual"
# A column's key: "c" and its number in ASCII digits (str.isdigit() is true for "c²", which int()
# refuses), at most three of them (c10 sorts after c9; a 5,000-digit column is no column).
_COLUMN = re.compile(r"c[0-9]{1,3}")
_COLUMN_KEYS = tuple(f"c{i}" for i in range(1, MAX_COLUMNS + 1))


def encode_config(config: ResNetConfig) -> str:
    """'resnet34;shortcut=A': the base preset, then ';field=value' for each field that differs."""
    query = config_to_query(config, nearest_preset(config))
    return ";".join([query.pop("preset"), *(f"{k}={v}" for k, v in query.items())])


def decode_config(text: str) -> tuple[ResNetConfig, list[LinkProblem]]:
    """Inverse of :func:`encode_config`; never raises (a bad part is reported and costs only itself)."""
    preset, *parts = text.strip().split(";")
    query = {"preset": preset}
    problems = []
    for part in parts:
        name, sep, value = part.partition("=")
        if not sep or not name:
            problems.append(LinkProblem("not_pair", "", part))
            continue
        query[name] = (
            [*query[name], value]
            if isinstance(query.get(name), list)
            else [query[name], value]
            if name in query
            else value
        )
    config, _, more = read_link(query, other_keys=())
    return config, problems + more


def comparison_to_query(configs: Sequence[ResNetConfig]) -> dict[str, str]:
    if not MIN_COLUMNS <= len(configs) <= MAX_COLUMNS:
        raise ValueError(f"configs: got {len(configs)}; allowed: {MIN_COLUMNS} to {MAX_COLUMNS}")
    return {f"c{i}": encode_config(c) for i, c in enumerate(configs, start=1)}


def comparison_from_query(
    query: Mapping[str, str | Sequence[str]],
) -> tuple[list[ResNetConfig], list[LinkProblem]]:
    """Configs from ``c1``…``c4`` in order, plus what was wrong (:class:`LinkProblem`, each a str).

    Never raises: a bad part of a column costs only that part, extra columns are dropped, a
    column given twice is ignored, a key meant as a column but not one (``c²``, ``c-1``) is
    ignored, and fewer than two usable columns give the default comparison, each with a message
    saying so. A value may be a list (a repeated key's values).
    """
    problems = [_not_column(k) for k in query if _looks_like_column(k) and not _COLUMN.fullmatch(k)]
    # int() is safe on a _COLUMN key: one to three ASCII digits.
    keys = sorted((k for k in query if _COLUMN.fullmatch(k)), key=lambda k: int(k[1:]))
    bounds = (MIN_COLUMNS, MAX_COLUMNS)
    texts = {}
    for k in keys:
        value = query[k]
        if not isinstance(value, str):
            value = list(value)
            if len(value) > 1:
                problems.append(LinkProblem("repeated", k, ", ".join(value)))
                continue
            value = value[0] if value else ""
        texts[k] = value
    keys = list(texts)
    if len(keys) > MAX_COLUMNS:
        problems.append(LinkProblem("too_many_columns", "", len(keys), bounds=bounds))
        keys = keys[:MAX_COLUMNS]
    configs = []
    for k in keys:
        config, found = decode_config(texts[k])
        problems += [p.in_column(k) for p in found]
        configs.append(config)
    if len(configs) < MIN_COLUMNS:
        if keys:
            problems.append(LinkProblem("too_few_columns", "", len(configs), bounds=bounds))
        configs = list(COMPARISONS[DEFAULT_COMPARISON])
    return configs, problems


def _looks_like_column(key: str) -> bool:
    """A key meant as a column but not one ("c²", "c-1", "c1 ", "C1"): said, not silently dropped.
    Keys with letters after the c ("color", a tracking parameter) are not the comparison's."""
    text = key.strip()
    return text[:1] in ("c", "C") and len(text) > 1 and not any(ch.isalpha() for ch in text[1:])


def _not_column(key: str) -> LinkProblem:
    # repr: a space or an invisible character in the key shows ('c1 '), where the code span would not.
    return LinkProblem(
        "not_column", "", repr(key), options=_COLUMN_KEYS, suggestion=_closest(key, _COLUMN_KEYS)
    )


def column_label(index: int, config: ResNetConfig) -> str:
    """'1 · plain34' or '2 · resnet34; shortcut=A': the column number keeps labels unique."""
    return f"{index} · {encode_config(config).replace(';', '; ')}"


def totals_table(configs: Sequence[ResNetConfig]) -> pd.DataFrame:
    """One row per config: totals, and their difference from the first config (absolute and %)."""
    rows = []
    for i, c in enumerate(configs, start=1):
        a = analyze(c)
        rows.append(
            {
                "model": column_label(i, c),
                "params": a.total_params,
                "macs": a.total_macs,
                "depth": a.depth,
                "shortcut_params": a.shortcut_params,
                "param_bytes": a.param_bytes,
                "activation_bytes": a.activation_bytes,
            }
        )
    df = pd.DataFrame(rows)
    for col in ("params", "macs"):
        first = df[col].iloc[0]
        df[f"{col}_diff"] = df[col] - first
        df[f"{col}_diff_pct"] = (df[col] - first) / first if first else float("nan")
    return df[
        [
            "model",
            "params",
            "params_diff",
            "params_diff_pct",
            "macs",
            "macs_diff",
            "macs_diff_pct",
            "depth",
            "shortcut_params",
            "param_bytes",
            "activation_bytes",
        ]
    ]
