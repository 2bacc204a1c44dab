"""Strings of the graphs, charts, Compare page and Paper page (keys graph.*, chart.*, compare.*, paper.*)."""

STRINGS: dict[str, dict[str, str]] = {
    # --- graph: node and edge labels -----------------------------------------------------------
    "graph.node.input": {"en": "input", "zh": "输入"},
    "graph.node.output": {"en": "output", "zh": "输出"},
    "graph.node.stem": {"en": "stem", "zh": "主干起始层（stem）"},
    "graph.node.head": {"en": "head", "zh": "分类头"},
    "graph.node.projection": {"en": "projection", "zh": "投影捷径"},
    "graph.shortcut.identity": {"en": "identity", "zh": "恒等"},
    "graph.shortcut.zero-pad": {"en": "zero-pad", "zh": "补零"},
    "graph.shortcut.projection": {"en": "projection", "zh": "投影"},
    "graph.shortcut.none": {"en": "no shortcut", "zh": "无捷径"},
    "graph.shortcuts": {"en": "shortcuts: {kinds}", "zh": "捷径：{kinds}"},
    "graph.counts.params": {"en": "params {n}", "zh": "参数 {n}"},
    "graph.counts.macs": {"en": "MACs {n}", "zh": "乘加 {n}"},
    "graph.tooltip.folded": {"en": "{n} identical blocks folded", "zh": "折叠了 {n} 个相同的块"},
    "graph.tooltip.counts": {"en": "params {params}; MACs {macs}", "zh": "参数 {params}；乘加 {macs}"},
}
