"""The translation catalogues are complete, current and searchable, and the app switches between them.

Three promises are checked here: every id has the same text in both languages' catalogues (zh
``msgid`` = the English ``msgstr``, same placeholders, nothing left fuzzy); every id the code
builds from a value (``f"cfg.block.{config.block}"``) exists for every value the code can produce;
and every id in the catalogues is used by some code path (no dead text for a translator to keep
up). That the pages show no English in 简体中文 mode is ``tests/app/test_app_language.py``'s.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import string
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from resnet_explorer.i18n import CATALOGUES, LANGUAGES, STRINGS, t

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")
SOURCES = [
    *sorted((ROOT / "resnet_explorer").rglob("*.py")),
    *sorted((ROOT / "pages").glob("*.py")),
    ROOT / "app.py",
]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@cache
def _catalogue(lang: str) -> dict[str, tuple[str, object]]:
    """id -> (msgid, babel Message) over every area catalogue of ``lang``."""
    out = {}
    for path in sorted((CATALOGUES / lang).glob("*.po")):
        with open(path, "rb") as f:
            for message in read_po(f, locale=lang, abort_invalid=True):
                if message.id and message.context is not None:
                    out[message.context] = (path.stem, message)
    return out


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_key_is_complete_in_every_language(key: str) -> None:
    entry = STRINGS[key]
    assert set(entry) == set(LANGUAGES), f"{key}: languages {sorted(entry)}, expected {sorted(LANGUAGES)}"
    for lang, text in entry.items():
        assert text.strip(), f"{key}: empty {lang} text"
    assert _fields(entry["en"]) == _fields(entry["zh"]), (
        f"{key}: placeholders differ: en {_fields(entry['en'])} vs zh {_fields(entry['zh'])}"
    )


def test_every_language_has_the_same_ids_in_the_same_area() -> None:
    areas = {lang: {k: area for k, (area, _) in _catalogue(lang).items()} for lang in LANGUAGES}
    assert areas["zh"] == areas["en"]


def test_english_msgstr_repeats_its_msgid() -> None:
    wrong = {k: (m.id, m.string) for k, (_, m) in _catalogue("en").items() if m.string != m.id}
    assert not wrong, wrong


def test_chinese_msgid_is_the_current_english() -> None:
    # A zh entry whose msgid is not today's English was translated from an older text: stale.
    en = _catalogue("en")
    stale = {
        k: {"zh msgid": m.id, "en": en[k][1].string}
        for k, (_, m) in _catalogue("zh").items()
        if k in en and m.id != en[k][1].string
    }
    assert not stale, stale


def test_msgid_and_msgstr_have_the_same_placeholders() -> None:
    for lang in LANGUAGES:
        for key, (_, m) in _catalogue(lang).items():
            assert _fields(m.id) == _fields(m.string), f"{lang} {key}: {m.id!r} vs {m.string!r}"
            # Tools (Poedit, msgfmt -c) check braces only on entries flagged python-brace-format.
            assert ("python-brace-format" in m.flags) == bool(_fields(m.id)), f"{lang} {key}: flags {m.flags}"


def test_no_entry_is_fuzzy() -> None:
    fuzzy = [f"{lang}:{k}" for lang in LANGUAGES for k, (_, m) in _catalogue(lang).items() if m.fuzzy]
    assert not fuzzy, fuzzy


def test_chinese_is_actually_chinese() -> None:
    # Short labels may legitimately be the same in both (e.g. "CIFAR 3×3"), but nearly all must differ.
    untranslated = [k for k, e in STRINGS.items() if not CJK.search(e["zh"])]
    assert len(untranslated) <= 0.1 * len(STRINGS), f"zh texts with no Chinese: {untranslated}"


def test_t_fills_placeholders_and_rejects_unknown_keys() -> None:
    assert t("layers.count", "en", shown=3, total=9) == "3 of 9 rows"
    zh = t("layers.count", "zh", shown=3, total=9)
    assert "3" in zh and "9" in zh and CJK.search(zh)
    with pytest.raises(KeyError):
        t("no.such.key", "en")


# --- ids in the code ------------------------------------------------------------------------------


@cache
def _trees() -> dict[Path, ast.Module]:
    return {p: ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in SOURCES}


def _callee(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _pattern(node: ast.JoinedStr) -> str:
    return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)


REASONS = ("_reason", "refusal_reason")  # Classify: (exc, "prefix", ...) -> f"{prefix}.{exc.code}"


@cache
def _dynamic_ids() -> dict[str, list[str]]:
    """Ids the code builds at run time, as patterns (``"cfg.block.{}"``) -> where.

    Found in three shapes: ``t``/``tr`` called with an f-string; ``labels("prefix")`` (a
    format_func showing value v as ``prefix.v``); Classify's ``refusal_reason(exc, "prefix", lang)``.
    """
    found: dict[str, list[str]] = {}
    for path, tree in _trees().items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name, args = _callee(node), node.args
            pattern = None
            if name in ("t", "tr", "tr_run") and isinstance(args[0], ast.JoinedStr):
                pattern = _pattern(args[0])
            elif name == "labels" and isinstance(args[0], ast.Constant):
                pattern = f"{args[0].value}.{{}}"
            elif name in REASONS and len(args) > 1 and isinstance(args[1], ast.Constant):
                pattern = f"{args[1].value}.{{}}"
            if pattern is not None and not pattern.startswith("{}"):  # labels() itself
                found.setdefault(pattern, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


@cache
def _literals() -> set[str]:
    return {
        n.value
        for tree in _trees().values()
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def _module_tuple(relpath: str, name: str) -> tuple[str, ...]:
    """A module-level ``NAME = (...)`` of a file that cannot be imported (a page script)."""
    for node in _trees()[ROOT / relpath].body:
        if isinstance(node, ast.Assign) and any(getattr(t_, "id", None) == name for t_ in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise AssertionError(f"{relpath} has no {name}")


def _strings(node: ast.expr) -> set[str]:
    """The strings an expression can be: a constant, or either branch of ``a if c else b``."""
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    return set()


def _call_constants(relpath: str, callee: str, pos: int = 0) -> set[str]:
    """The string constants passed as argument ``pos`` to ``callee(...)`` in one file."""
    out = set()
    for node in ast.walk(_trees()[ROOT / relpath]):
        if isinstance(node, ast.Call) and _callee(node) == callee and len(node.args) > pos:
            arg = node.args[pos]
            if isinstance(arg, ast.Tuple):  # notes.append(("code", {...}))
                arg = arg.elts[0]
            out |= _strings(arg)
    return out


def _configs() -> list:
    from resnet_explorer import PRESETS

    r50 = PRESETS["resnet50"]
    return [
        PRESETS["resnet18"],
        r50,
        PRESETS["plain34"],
        PRESETS["resnet20"],
        dataclasses.replace(r50, shortcut="C", preact=True, stem="deep"),
    ]


def _stage_names() -> set[str]:
    from resnet_explorer import analyze

    return {s for c in _configs() for s in analyze(c).layers["stage"] if not s.startswith("layer")}


def _roles() -> set[str]:
    from resnet_explorer import analyze

    return {r for c in _configs() for r in analyze(c).layers["role"]}


def _columns() -> set[str]:
    from resnet_explorer import analyze
    from resnet_explorer.core.analysis import fold_to_blocks

    a = analyze(_configs()[1])
    # The Explorer's stage table: the column list it picks (with the two shares it adds).
    picked = next(
        ast.literal_eval(n)
        for n in ast.walk(_trees()[ROOT / "pages/explorer.py"])
        if isinstance(n, ast.List) and "params_share" in _literal_strings(n)
    )
    # show_table drops "block" and "stage" from tables that have a "name" column.
    return {*a.layers.columns, *fold_to_blocks(a.layers).columns} - {"block", "stage"} | set(picked)


def _literal_strings(node: ast.List) -> set[str]:
    return {e.value for e in node.elts if isinstance(e, ast.Constant)}


def _checkpoint_codes() -> set[str]:
    from resnet_explorer.core.checkpoints import CheckpointError

    out, todo = set(), [CheckpointError]
    while todo:
        cls = todo.pop()
        out.add(cls.code)
        todo += cls.__subclasses__()
    return out - {"invalid"}  # the base class is never raised itself


def _paper_statuses() -> set[str]:
    """Every "status" core/paper.py can write: the dicts' "status" values and what
    ``status_at_precision`` returns."""
    out = set()
    for node in ast.walk(_trees()[ROOT / "resnet_explorer/core/paper.py"]):
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=True):
                if isinstance(k, ast.Constant) and k.value == "status":
                    out |= _strings(v)
        if isinstance(node, ast.FunctionDef) and node.name == "status_at_precision":
            returns = [r.value for r in ast.walk(node) if isinstance(r, ast.Return) and r.value]
            out |= {s for r in returns for s in _strings(r)}
    return out


def _charts(name: str) -> Callable[[], Iterable[str]]:
    def values() -> Iterable[str]:
        from resnet_explorer.visual import charts

        return getattr(charts, name)

    return values


def _graph(name: str) -> Callable[[], Iterable[str]]:
    def values() -> Iterable[str]:
        from resnet_explorer.visual import graph

        return getattr(graph, name)

    return values


def _config(name: str) -> Callable[[], Iterable[str]]:
    def values() -> Iterable[str]:
        from resnet_explorer.core import config

        return getattr(config, name)

    return values


def _int_fields() -> Iterable[str]:
    from resnet_explorer.ui.editor import _FAMILY_INT_FIELDS, _INT_FIELDS

    return (*_INT_FIELDS, *_FAMILY_INT_FIELDS)


def _config_fields() -> Iterable[str]:
    # The editor's "differs from" note names any field that differs by its box's label.
    from resnet_explorer.core.config import ResNetConfig

    return [f.name for f in dataclasses.fields(ResNetConfig)]


def _stop_reasons() -> Iterable[str]:
    from resnet_explorer.train.runs import STOP_REASONS

    return STOP_REASONS


def _comparisons() -> Iterable[str]:
    from resnet_explorer.core.compare import COMPARISONS

    return COMPARISONS


METRICS = ("params", "macs")  # the two counts every chart, graph and comparison shows
# Every id pattern the code builds, and the values the code can put into it. Taken from the
# library's own tuples where it has them; otherwise from the code that produces the value
# (the error/step/note codes passed to their constructors) or from what the library computes.
DYNAMIC: dict[str, Callable[[], Iterable[str]]] = {
    "cfg.block.{}": _config("BLOCKS"),
    "cfg.shortcut.{}": _config("SHORTCUTS"),
    "cfg.stem.{}": _config("STEMS"),
    "cfg.stride_at.{}": _config("STRIDE_AT"),
    "cfg.pad_placement.{}": _config("PAD_PLACEMENTS"),
    "cfg.{}": _config_fields,
    "cfg.{}_help": _int_fields,
    "view.{}": lambda: _module_tuple("pages/explorer.py", "VIEWS"),
    "stage.{}": _stage_names,
    "role.{}": _roles,
    "col.{}": _columns,
    "chart.pick.{}": _charts("CHARTS"),
    "chart.caption.{}": _charts("CHARTS"),
    "alt.chart.{}": _charts("CHARTS"),  # each chart's text alternative
    "chart.family.{}": _charts("SWEEP_FAMILIES"),
    "chart.option.{}": lambda: {*_config("SHORTCUTS")()},
    "chart.part.{}": lambda: ("branch", "shortcut"),  # Analysis.stages' branch_*/shortcut_* columns
    "chart.title.overlay_{}": lambda: METRICS,
    "chart.{}": lambda: (*METRICS, "cum_params", "cum_macs", "size", "channels"),
    "arch.ui.{}": lambda: _module_tuple("resnet_explorer/visual/scene.py", "UI_WORDS"),
    "arch.diff.{}": lambda: _module_tuple("resnet_explorer/visual/scene.py", "DIFF_REASONS"),
    "graph.level.{}": _graph("LEVELS"),
    "graph.direction.{}": _graph("RANKDIRS"),
    "graph.inspector.{}": _graph("INSPECTOR_KINDS"),
    "graph.inspector.{}_caption": _graph("INSPECTOR_KINDS"),
    "graph.node.{}": lambda: ("input", "output"),  # graph._label's f-string is for these two kinds
    "graph.counts.{}": lambda: METRICS,
    "graph.shortcut.{}": lambda: ("projection", "none", "identity", "zero-pad"),
    "compare.metric.{}": lambda: METRICS,
    "compare.preset.{}": _comparisons,
    "paper.status.{}": _paper_statuses,
    "paper.why.{}": lambda: _paper_statuses() - {"agree", "computed_only"},
    "classify.source.{}": lambda: ("digits", "upload", "random"),
    "classify.layout.{}": _config("STEMS"),
    "classify.input.{}": lambda: ("sample", "upload", "camera"),
    "classify.imgerr.{}": lambda: {
        code
        for f in ("images", "worker")
        for code in _call_constants(f"resnet_explorer/classify/{f}.py", "ImageInputError")
    },
    "classify.ckpterr.{}": _checkpoint_codes,
    "classify.worker.{}": lambda: _call_constants("resnet_explorer/classify/session.py", "WorkerError"),
    "classify.note.{}": lambda: (
        _call_constants("resnet_explorer/classify/images.py", "append")
        | _call_constants("resnet_explorer/core/checkpoints.py", "Note")
    ),
    "classify.step.{}": lambda: _call_constants("resnet_explorer/classify/images.py", "Step"),
    "classify.problem.{}": lambda: _call_constants("resnet_explorer/core/checkpoints.py", "KeyProblem", 3),
    "train.reason.{}": _stop_reasons,
    "train.grad.limit.{}": lambda: _call_constants("resnet_explorer/train/lab.py", "FlowLimitError"),
    "link.{}": _config("LINK_PROBLEMS"),
    "cfg.error.{}": _config("CONFIG_ERRORS"),
    "preset.group.{}": _config("PRESET_GROUPS"),
    "train.status.{}": lambda: ("diverged", "error"),
    "train.cifar.{}": lambda: ("ready", "download", "offline", "readonly"),
    "train.pair.{}": lambda: ("paper", "explorer"),
    "train.dataset.{}": lambda: ("digits", "cifar10"),
    "train.device.{}": lambda: ("cpu", "cuda"),  # train.loop.default_device's two kinds
}


def test_every_id_the_code_builds_is_listed_here() -> None:
    # A new f"prefix.{value}" id must be added to DYNAMIC with the values it can take.
    unlisted = {p: where for p, where in _dynamic_ids().items() if p not in DYNAMIC}
    assert not unlisted, unlisted
    gone = sorted(set(DYNAMIC) - set(_dynamic_ids()))
    assert not gone, f"DYNAMIC lists patterns no code builds any more: {gone}"


@pytest.mark.parametrize("pattern", sorted(DYNAMIC))
def test_every_variant_of_a_built_id_exists(pattern: str) -> None:
    values = sorted(map(str, DYNAMIC[pattern]()))
    assert values, f"{pattern}: no values"
    missing = [pattern.format(v) for v in values if pattern.format(v) not in STRINGS]
    assert not missing, f"{pattern} built at {_dynamic_ids().get(pattern)}: no catalogue entry for {missing}"


def test_no_dead_ids() -> None:
    built = {pattern.format(v) for pattern, values in DYNAMIC.items() for v in map(str, values())}
    dead = sorted(k for k in STRINGS if k not in _literals() and k not in built)
    assert not dead, f"ids no code path uses (remove them from both catalogues): {dead}"


def test_every_config_error_kind_raised_is_listed() -> None:
    # config_error() builds f"cfg.error.{kind}": a kind raised but not in CONFIG_ERRORS would have
    # no catalogue entry checked above, and a listed kind nothing raises is a dead id.
    from resnet_explorer.core.config import CONFIG_ERRORS

    raised = _call_constants("resnet_explorer/core/config.py", "ConfigError", 1)
    assert raised == set(CONFIG_ERRORS), f"raised {sorted(raised)} vs listed {sorted(CONFIG_ERRORS)}"
