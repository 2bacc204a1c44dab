"""Strings of the graphs, charts, Compare page and Paper page (keys graph.*, chart.*, compare.*, paper.*)."""

STRINGS: dict[str, dict[str, str]] = {
    # --- graph: node and edge labels -----------------------------------------------------------
    "graph.node.input": {"en": "input", "zh": "输入"},
    "graph.node.output": {"en": "output", "zh": "输出"},
    "graph.node.stem": {"en": "stem", "zh": "输入层（stem）"},
    "graph.node.head": {"en": "head", "zh": "输出头（head）"},
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

    # --- charts ------------------------------------------------------------------------------------
    "chart.params": {"en": "parameters", "zh": "参数量"},
    "chart.macs": {"en": "multiply-adds (MACs)", "zh": "乘加运算量（MACs）"},
    "chart.part.branch": {"en": "residual branch", "zh": "残差分支"},
    "chart.part.shortcut": {"en": "shortcut", "zh": "捷径"},
    "chart.stage_total": {"en": "stage total", "zh": "该阶段合计"},
    "chart.total": {"en": "total", "zh": "合计"},
    "chart.this_layer": {"en": "this layer", "zh": "本层"},
    "chart.cum_params": {"en": "cumulative parameters", "zh": "累计参数量"},
    "chart.cum_macs": {"en": "cumulative MACs", "zh": "累计乘加运算量"},
    "chart.depth": {"en": "depth (weighted layers)", "zh": "深度（带权重的层数）"},
    "chart.size": {"en": "feature-map size (px)", "zh": "特征图边长（像素）"},
    "chart.channels": {"en": "channels", "zh": "通道数"},
    "chart.receptive_field": {"en": "receptive field", "zh": "感受野"},
    "chart.receptive_field_px": {"en": "receptive field (px)", "zh": "感受野（像素）"},
    "chart.jump": {"en": "step between outputs", "zh": "相邻输出的步长"},
    "chart.input_size": {"en": "input size {size} px", "zh": "输入尺寸 {size} 像素"},
    "chart.current": {"en": "this model", "zh": "当前模型"},
    "chart.family.basic": {"en": "basic blocks (ImageNet)", "zh": "基本块（ImageNet）"},
    "chart.family.bottleneck": {"en": "bottleneck blocks (ImageNet)", "zh": "瓶颈块（ImageNet）"},
    "chart.family.cifar": {"en": "CIFAR-10, 6n+2", "zh": "CIFAR-10，6n+2 层"},
    "chart.option.none": {"en": "plain (no shortcut)", "zh": "普通网络（无捷径）"},
    "chart.option.A": {"en": "A: zero-pad", "zh": "A：补零"},
    "chart.option.B": {"en": "B: project where needed", "zh": "B：仅在需要处投影"},
    "chart.option.C": {"en": "C: project everywhere", "zh": "C：全部投影"},
    "chart.title.stages": {"en": "Parameters and MACs per stage", "zh": "各阶段的参数量与乘加运算量"},
    "chart.title.overlay_params": {"en": "Parameters per stage", "zh": "各阶段参数量"},
    "chart.title.overlay_macs": {"en": "MACs per stage", "zh": "各阶段乘加运算量"},
    "chart.title.cumulative": {"en": "Cumulative along depth", "zh": "沿深度累计"},
    "chart.title.feature_maps": {"en": "Feature-map size and channels along depth",
                                 "zh": "沿深度的特征图尺寸与通道数"},
    "chart.title.receptive_field": {"en": "Receptive field of the main path along depth",
                                    "zh": "主路径感受野随深度的变化"},
    "chart.title.depth_sweep": {"en": "Parameters and MACs against depth", "zh": "参数量和乘加运算量随深度的变化"},
    "chart.title.shortcut_options": {"en": "Shortcut options A / B / C at this depth",
                                     "zh": "同一深度下的捷径方案 A / B / C"},

    # --- graph panel -------------------------------------------------------------------------------
    "graph.level": {"en": "Detail", "zh": "细节层级"},
    "graph.level.network": {"en": "network", "zh": "网络"},
    "graph.level.blocks": {"en": "blocks", "zh": "块"},
    "graph.level.layers": {"en": "layers", "zh": "层"},
    "graph.fold": {"en": "Fold repeated blocks (×N)", "zh": "折叠重复的块（×N）"},
    "graph.fold_help": {
        "en": "Consecutive blocks with the same shapes, widths and shortcut are drawn once, marked ×N, "
              "with the run's total parameters and MACs.",
        "zh": "形状、宽度和捷径都相同的连续块只画一次，标记为 ×N，并显示这一组块的参数量和乘加运算量之和。"},
    "graph.stage": {"en": "Stage", "zh": "阶段"},
    "graph.stage.all": {"en": "whole network", "zh": "整个网络"},
    "graph.direction": {"en": "Direction", "zh": "方向"},
    "graph.direction.TB": {"en": "↓ top to bottom", "zh": "↓ 自上而下"},
    "graph.direction.LR": {"en": "→ left to right", "zh": "→ 从左到右"},
    "graph.counts": {"en": "Parameters and MACs", "zh": "参数量与乘加运算量"},
    "graph.legend": {
        "en": "Edges carry the tensor shape (channels×height×width). Shortcuts: grey = identity, "
              "orange dashed = zero-padding (option A), orange through a 1×1 conv + BN = projection "
              "(options B/C); plain nets have none. ⊕ is the addition; a double border marks folded blocks. "
              "Hover a node for exact counts.",
        "zh": "每条边上标注张量形状（通道×高×宽）。捷径：灰色 = 恒等映射，橙色虚线 = 补零（方案 A），"
              "经过 1×1 卷积 + BN 的橙色线 = 投影（方案 B/C）；普通网络没有捷径。⊕ 表示相加；双边框表示折叠的块。"
              "鼠标悬停在节点上可查看精确数值。"},
    "graph.big.confirm": {"en": "Draw all {n} nodes anyway", "zh": "仍然画出全部 {n} 个节点"},
    "graph.big.info": {
        "en": "This graph has {n} nodes (more than {limit}): the browser would take long to lay it out and "
              "it would not fit a screen. Fold repeated blocks, pick one stage, or choose a coarser level.",
        "zh": "这张图有 {n} 个节点（超过 {limit} 个）：浏览器排版会很慢，屏幕也放不下。"
              "请折叠重复的块、只看一个阶段，或选择更粗的层级。"},
    "graph.lr_hint": {
        "en": "Left to right, a long graph is shrunk to the page width. Pick one stage, fold repeated blocks, "
              "or draw top to bottom to read the labels.",
        "zh": "从左到右排列时，较长的图会被缩小到页面宽度。请只看一个阶段、折叠重复的块，或改为自上而下，以便看清标签。"},
    "graph.download_dot": {"en": "Download DOT", "zh": "下载 DOT 源文件"},
    "graph.download_svg": {"en": "Download SVG", "zh": "下载 SVG"},
    "graph.no_dot": {
        "en": "SVG download needs Graphviz's dot program (apt-get install graphviz).",
        "zh": "下载 SVG 需要 Graphviz 的 dot 程序（apt-get install graphviz）。"},
    "graph.inspector": {"en": "Block inspector", "zh": "残差块检查器"},
    "graph.inspector.kind": {"en": "Block", "zh": "块类型"},
    "graph.inspector.basic": {"en": "basic", "zh": "基本块"},
    "graph.inspector.bottleneck": {"en": "bottleneck", "zh": "瓶颈块"},
    "graph.inspector.preact": {"en": "pre-activation", "zh": "预激活块"},
    "graph.inspector.basic_caption": {
        "en": "Basic block on a {c}-d map, as in Fig. 2 and Fig. 5 (left): two 3×3 convs, identity shortcut.",
        "zh": "{c} 维特征图上的基本块，对应论文图 2 和图 5（左）：两个 3×3 卷积，恒等捷径。"},
    "graph.inspector.bottleneck_caption": {
        "en": "Bottleneck block on a {c}-d map, as in Fig. 5 (right): 1×1 reduces to {m}, 3×3, 1×1 "
              "restores {c}.",
        "zh": "{c} 维特征图上的瓶颈块，对应论文图 5（右）：1×1 降到 {m} 维，3×3，再用 1×1 恢复到 {c} 维。"},
    "graph.inspector.preact_caption": {
        "en": "Pre-activation block on a {c}-d map (He et al. 2016, arXiv 1603.05027): BN → ReLU → conv, "
              "nothing after the addition.",
        "zh": "{c} 维特征图上的预激活块（He 等，2016，arXiv 1603.05027）：BN → ReLU → 卷积，相加之后不再做任何运算。"},
    "graph.inspector.weights": {"en": "Conv weights of this block: `{terms} = {total}`",
                                "zh": "该块的卷积权重：`{terms} = {total}`"},
    "graph.inspector.bn": {"en": "plus {bn} BN parameters (γ, β) in the branch.",
                           "zh": "另有分支中 BN 的 {bn} 个参数（γ、β）。"},
    # --- charts panel ------------------------------------------------------------------------------
    "chart.pick": {"en": "Chart", "zh": "图表"},
    "chart.pick.stages": {"en": "per stage", "zh": "各阶段"},
    "chart.pick.cumulative": {"en": "cumulative", "zh": "累计"},
    "chart.pick.feature_maps": {"en": "feature maps", "zh": "特征图"},
    "chart.pick.receptive_field": {"en": "receptive field", "zh": "感受野"},
    "chart.pick.depth_sweep": {"en": "depth sweep", "zh": "深度扫描"},
    "chart.pick.shortcut_options": {"en": "options A / B / C", "zh": "方案 A / B / C"},
    "chart.caption.stages": {
        "en": "Each bar is split into the residual branch and the shortcut (projection convs and their BN). "
              "MACs count convolutions and the FC layer, as the paper's FLOPs do.",
        "zh": "每根柱子分为残差分支和捷径（投影卷积及其 BN）两部分。乘加运算量只计卷积层和全连接层，与论文的 FLOPs 口径一致。"},
    "chart.caption.cumulative": {
        "en": "Running totals after each weighted layer of the main path; the last point equals the model's "
              "totals. Late stages hold most parameters; MACs grow evenly, since each stage halves the map "
              "and doubles the width.",
        "zh": "主路径上每个带权重的层之后的累计值；最后一个点等于模型总量。参数大多集中在后面的阶段；"
              "而乘加运算量增长较均匀，因为每个阶段特征图减半、宽度加倍。"},
    "chart.caption.feature_maps": {
        "en": "Log scales: the map halves and the width doubles at each stage (Table 1), keeping the cost per "
              "layer about constant.",
        "zh": "对数坐标：每个阶段特征图边长减半、通道数加倍（表 1），使每层的计算量大致不变。"},
    "chart.caption.receptive_field": {
        "en": "The input region one output unit can see through the residual branches "
              "(r += (k−1)·step, step ×= stride). Shortcuts see less; the effective field is smaller still.",
        "zh": "经由残差分支，一个输出单元能看到的输入区域（r += (k−1)·步长，步长 ×= stride）。"
              "经捷径的路径看到的更少；有效感受野还要更小。"},
    "chart.caption.depth_sweep": {
        "en": "The paper's families on log–log axes: basic blocks (ResNet-10/18/34), bottlenecks "
              "(50/101/152, and ResNet-200 from the 2016 paper), and the CIFAR-10 nets (6n+2). "
              "The star is the model you are exploring.",
        "zh": "论文中的几组网络（双对数坐标）：基本块（ResNet-10/18/34）、瓶颈块（50/101/152，以及 2016 年论文中的 "
              "ResNet-200）、CIFAR-10 网络（6n+2）。星号是你正在查看的模型。"},
    "chart.caption.shortcut_options": {
        "en": "The same network with each shortcut option (Sec. 3.3); ★ marks the current one. A adds nothing; "
              "C's projections on every shortcut are costly for bottleneck nets, whose shortcuts are "
              "4× wider than their 3×3 convs: compare B and C above.",
        "zh": "同一网络采用不同捷径方案（第 3.3 节）；★ 标记当前方案。A 不增加参数；C 在所有捷径上都做投影，"
              "对瓶颈块网络代价很大，因为其捷径的宽度是 3×3 卷积的 4 倍：请比较上图中的 B 和 C。"},

    # --- Compare page ------------------------------------------------------------------------------
    "compare.title": {"en": "Compare", "zh": "对比"},
    "compare.intro": {
        "en": "Two to four models side by side. Edit any column; the link in the address bar holds the whole "
              "comparison, so you can share it.",
        "zh": "并排对比两到四个模型。每一列都可以修改；地址栏中的链接保存了整个对比，可以直接分享。"},
    "compare.url_problem": {"en": "Problem in the link: {error}", "zh": "链接有问题：{error}"},
    "compare.preset.plain_vs_residual": {"en": "plain-34 vs ResNet-34", "zh": "普通 34 层 vs ResNet-34"},
    "compare.preset.basic_vs_bottleneck": {"en": "basic vs bottleneck (34 vs 50)",
                                           "zh": "基本块 vs 瓶颈块（34 vs 50）"},
    "compare.preset.shortcut_options": {"en": "shortcuts A vs B vs C", "zh": "捷径 A vs B vs C"},
    "compare.add": {"en": "Add a column", "zh": "添加一列"},
    "compare.remove": {"en": "Remove", "zh": "移除"},
    "compare.totals": {"en": "Totals", "zh": "总计"},
    "compare.totals_caption": {
        "en": "Differences are against the first column. MACs at each model's input size; memory in float32.",
        "zh": "差值均相对于第一列。乘加运算量按各模型自己的输入尺寸计算；内存按 float32 计。"},
    "compare.col.model": {"en": "model", "zh": "模型"},
    "compare.col.params": {"en": "parameters", "zh": "参数量"},
    "compare.col.params_diff": {"en": "Δ parameters", "zh": "参数量差值"},
    "compare.col.params_diff_pct": {"en": "Δ parameters %", "zh": "参数量差值 %"},
    "compare.col.macs": {"en": "MACs", "zh": "乘加运算量"},
    "compare.col.macs_diff": {"en": "Δ MACs", "zh": "乘加差值"},
    "compare.col.macs_diff_pct": {"en": "Δ MACs %", "zh": "乘加差值 %"},
    "compare.col.depth": {"en": "depth", "zh": "深度"},
    "compare.col.shortcut_params": {"en": "shortcut parameters", "zh": "捷径参数量"},
    "compare.col.param_bytes": {"en": "parameter memory", "zh": "参数内存"},
    "compare.col.activation_bytes": {"en": "activation memory", "zh": "激活内存"},
    "compare.per_stage": {"en": "Per stage", "zh": "各阶段"},
    "compare.metric": {"en": "Quantity", "zh": "指标"},
    "compare.metric.params": {"en": "parameters", "zh": "参数量"},
    "compare.metric.macs": {"en": "MACs", "zh": "乘加运算量"},
    "compare.graphs": {"en": "Graphs", "zh": "结构图"},
    "compare.graphs_caption": {
        "en": "Repeated blocks are folded (×N). The Explorer's Graph view shows every level and unfolds them.",
        "zh": "重复的块已折叠（×N）。在“探索”页的结构图视图中可以查看所有层级并展开。"},

    # --- Paper page --------------------------------------------------------------------------------
    "paper.title": {"en": "The paper's tables", "zh": "论文中的表格"},
    "paper.intro": {
        "en": "{source}. Every \"computed\" column is worked out here from the network's plan; published "
              "figures are quoted, with their source. Each row says whether they agree, and why not.",
        "zh": "{source}。所有“计算值”列都由本程序根据网络结构算出；“已发表”列是引用的原文数据并注明出处。"
              "每一行都标明两者是否一致，不一致时说明原因。"},
    "paper.loading": {"en": "Rebuilding the tables…", "zh": "正在重建表格…"},
    "paper.status.agree": {"en": "✓ agrees", "zh": "✓ 一致"},
    "paper.status.last_digit": {"en": "≈ last digit", "zh": "≈ 末位不同"},
    "paper.status.differs": {"en": "✗ differs", "zh": "✗ 不一致"},
    "paper.status.computed_only": {"en": "— no published count", "zh": "— 无发表数值"},
    "paper.why.last_digit": {
        "en": "Computed {computed}; the paper prints {published}: one unit off in the last printed digit "
              "(the paper cuts off here, where other rows round).",
        "zh": "计算值为 {computed}，论文印的是 {published}：只差最后一位的一个单位（这里论文是截断的，其他行则是四舍五入）。"},
    "paper.why.differs": {
        "en": "Computed {computed}; the paper prints {published}.",
        "zh": "计算值为 {computed}，论文印的是 {published}。"},
    "paper.t1.title": {"en": "Table 1: architectures and FLOPs (ImageNet, 224×224)",
                       "zh": "表 1：网络结构与 FLOPs（ImageNet，224×224）"},
    "paper.t1.stride_note": {
        "en": "The paper puts a bottleneck's downsampling stride on its first 1×1 conv; torchvision's "
              "ResNet-50/101/152 (\"V1.5\") put it on the 3×3. Same parameters, more MACs "
              "(×10⁹, paper → V1.5): {pairs}. The computed FLOPs column above uses the paper's layout.",
        "zh": "论文把瓶颈块的下采样步长放在第一个 1×1 卷积上；torchvision 的 ResNet-50/101/152（“V1.5”）"
              "放在 3×3 卷积上。参数量相同，乘加运算更多（×10⁹，论文 → V1.5）：{pairs}。上表中计算的 FLOPs 采用论文的结构。"},
    "paper.t3.title": {"en": "Table 3: shortcut options and deeper models (ImageNet validation)",
                       "zh": "表 3：捷径方案与更深的模型（ImageNet 验证集）"},
    "paper.t3.caption": {
        "en": "Errors are quoted from Table 3 (10-crop testing). Parameters and MACs are computed here "
              "(the paper's 1×1 stride); Table 3 prints no parameter counts, so option-B models are "
              "checked against torchvision's num_params. Option A adds no parameters: ResNet-34 A has "
              "exactly plain-34's count.",
        "zh": "错误率引用自表 3（10-crop 测试）。参数量和乘加运算量由本程序计算（采用论文的 1×1 步长）；"
              "表 3 没有给出参数量，因此方案 B 的模型与 torchvision 的 num_params 对照。方案 A 不增加参数："
              "ResNet-34 A 的参数量与普通 34 层网络完全相同。"},
    "paper.t6.title": {"en": "Table 6: CIFAR-10 (6n+2 layers, option A)",
                       "zh": "表 6：CIFAR-10（6n+2 层，方案 A）"},
    "paper.t6.caption": {
        "en": "Published parameter counts are compared at the precision the paper prints them; test errors "
              "are quoted from Table 6 (for ResNet-110 the paper reports the best of 5 runs).",
        "zh": "已发表的参数量按论文印出的精度比较；测试错误率引用自表 6（ResNet-110 为论文 5 次运行中的最好结果）。"},
    "paper.tv.title": {"en": "torchvision's ImageNet weights", "zh": "torchvision 的 ImageNet 权重"},
    "paper.tv.caption": {
        "en": "Read from torchvision's ResNet*_Weights metadata (shipped with torchvision, nothing downloaded). "
              "Accuracies are 1-crop (one 224×224 center crop). V2 weights use a newer training recipe, "
              "not the paper's.",
        "zh": "读取自 torchvision 的 ResNet*_Weights 元数据（随 torchvision 一起安装，无需下载）。"
              "准确率为 1-crop（单个 224×224 中心裁剪）。V2 权重使用更新的训练方法，而非论文的方法。"},
    "paper.crops": {
        "en": "The paper's errors are 10-crop, torchvision's accuracies 1-crop: do not compare the two columns "
              "directly (and error = 100 − accuracy).",
        "zh": "论文的错误率是 10-crop 测试结果，torchvision 的准确率是 1-crop：两者不能直接比较（错误率 = 100 − 准确率）。"},
    "paper.col.model": {"en": "model", "zh": "模型"},
    "paper.col.blocks": {"en": "blocks per stage (computed)", "zh": "每阶段块数（计算）"},
    "paper.col.blocks_published": {"en": "blocks (Table 1)", "zh": "块数（表 1）"},
    "paper.col.output_sizes": {"en": "output sizes (computed)", "zh": "输出尺寸（计算）"},
    "paper.col.output_sizes_published": {"en": "output sizes (Table 1)", "zh": "输出尺寸（表 1）"},
    "paper.col.macs_paper": {"en": "MACs (computed, paper stride)", "zh": "乘加（计算，论文步长）"},
    "paper.col.gmacs_paper": {"en": "×10⁹ (computed)", "zh": "×10⁹（计算）"},
    "paper.col.flops_published": {"en": "FLOPs ×10⁹ (Table 1)", "zh": "FLOPs ×10⁹（表 1）"},
    "paper.col.status": {"en": "agreement", "zh": "是否一致"},
    "paper.col.gmacs_v15": {"en": "×10⁹ MACs, V1.5 (computed)", "zh": "×10⁹ 乘加，V1.5（计算）"},
    "paper.col.shortcut": {"en": "shortcut", "zh": "捷径"},
    "paper.col.params": {"en": "parameters (computed)", "zh": "参数量（计算）"},
    "paper.col.params_tv": {"en": "parameters (torchvision)", "zh": "参数量（torchvision）"},
    "paper.col.macs": {"en": "MACs (computed)", "zh": "乘加（计算）"},
    "paper.col.top1_10crop": {"en": "top-1 err % (10-crop, Table 3)", "zh": "top-1 错误率 %（10-crop，表 3）"},
    "paper.col.top5_10crop": {"en": "top-5 err % (10-crop, Table 3)", "zh": "top-5 错误率 %（10-crop，表 3）"},
    "paper.col.layers": {"en": "layers", "zh": "层数"},
    "paper.col.params_m": {"en": "params, M (computed)", "zh": "参数量，百万（计算）"},
    "paper.col.params_published_m": {"en": "params, M (Table 6)", "zh": "参数量，百万（表 6）"},
    "paper.col.cifar_error": {"en": "error % (Table 6)", "zh": "错误率 %（表 6）"},
    "paper.col.weights": {"en": "weights", "zh": "权重"},
    "paper.col.acc1_1crop": {"en": "acc@1 % (1-crop)", "zh": "acc@1 %（1-crop）"},
    "paper.col.acc5_1crop": {"en": "acc@5 % (1-crop)", "zh": "acc@5 %（1-crop）"},
    "paper.col.gflops_tv": {"en": "GFLOPS (torchvision)", "zh": "GFLOPS（torchvision）"},
}
