"""Strings of the Explorer page and the config editor shared by every page."""

STRINGS: dict[str, dict[str, str]] = {
    # Page
    "app.title": {"en": "ResNet Explorer", "zh": "ResNet 探索器"},
    "app.tagline": {
        "en": "Residual networks as He et al. (2015) describe them — built live, every number computed.",
        "zh": "按 He 等人（2015）论文描述的残差网络——实时构建，每个数字都由程序计算得出。",
    },
    "app.model_custom": {"en": "custom (from {preset})", "zh": "自定义（基于 {preset}）"},
    "app.summary": {
        "en": "{name}: {block} blocks, shortcut {shortcut}, stages {stages}, {stem} stem, input {size}×{size}",
        "zh": "{name}：{block}，捷径 {shortcut}，各阶段块数 {stages}，{stem}，输入 {size}×{size}",
    },
    "app.url_problem": {
        "en": "This link has a value the app cannot use — {error}. Showing {preset} instead.",
        "zh": "链接中有无法使用的值——{error}。已改为显示 {preset}。",
    },
    "app.too_big": {
        "en": "This model would need about {need} for its weights and one forward pass, more than the "
              "{limit} this server allows per model. The numbers below are computed from the plan "
              "alone, without allocating anything; building or running it here is refused.",
        "zh": "该模型的权重加一次前向传播约需 {need}，超过本服务器为单个模型设定的上限 {limit}。"
              "下面的数字仅由结构计划算出，没有分配任何内存；在此构建或运行该模型会被拒绝。",
    },
    # Navigation
    "nav.explorer": {"en": "Explorer", "zh": "探索"},
    "nav.compare": {"en": "Compare", "zh": "对比"},
    "nav.paper": {"en": "The paper's tables", "zh": "论文表格"},
    "nav.classify": {"en": "Classify an image", "zh": "图像分类"},
    "nav.training": {"en": "Training lab", "zh": "训练实验室"},
    # Metrics
    "metric.params": {"en": "Parameters", "zh": "参数量"},
    "metric.params_help": {
        "en": "Learnable weights: convolutions, batch-norm γ and β, the FC layer. Of these, batch norm: {bn}; "
              "projection shortcuts: {sc}.",
        "zh": "可学习权重：卷积、批归一化的 γ 和 β、全连接层。其中批归一化 {bn} 个，投影捷径 {sc} 个。",
    },
    "metric.macs": {"en": "Multiply-adds", "zh": "乘加运算量"},
    "metric.macs_help": {
        "en": "Multiply-accumulates (MACs) of convolutions and the FC layer for one {size}×{size} image — "
              "what the paper's Table 1 calls FLOPs. Exactly {exact}.",
        "zh": "对一张 {size}×{size} 图像，卷积和全连接层的乘加次数（MACs）——即论文表 1 所称的 FLOPs。"
              "精确值 {exact}。",
    },
    "metric.depth": {"en": "Depth", "zh": "深度"},
    "metric.depth_help": {
        "en": "Weighted layers on the main path (convolutions and the FC layer), as the paper counts them; "
              "projection shortcuts are not counted.",
        "zh": "主路径上带权重的层数（卷积层与全连接层），与论文的计数方式相同；投影捷径不计入。",
    },
    "metric.param_mem": {"en": "Parameter memory", "zh": "参数内存"},
    "metric.param_mem_help": {"en": "Parameters × 4 bytes (float32).", "zh": "参数量 × 4 字节（float32）。"},
    "metric.act_mem": {"en": "Activation memory", "zh": "激活内存"},
    "metric.act_mem_help": {
        "en": "The outputs of every layer for one image in one forward pass, float32 — roughly what "
              "training keeps for the backward pass.",
        "zh": "一张图像一次前向传播中每一层的输出之和（float32）——大致是训练时为反向传播保留的量。",
    },
    # Views
    "view.label": {"en": "View", "zh": "视图"},
    "view.layers": {"en": "Layers", "zh": "逐层表"},
    "view.stages": {"en": "Stages", "zh": "各阶段"},
    "view.blocks": {"en": "Block arithmetic", "zh": "残差块算术"},
    "view.graph": {"en": "Graph", "zh": "结构图"},
    "view.charts": {"en": "Charts", "zh": "图表"},
    "view.code": {"en": "Code", "zh": "代码"},
    # Layer table
    "layers.stage_filter": {"en": "Stage", "zh": "阶段"},
    "layers.all_stages": {"en": "All stages", "zh": "全部阶段"},
    "layers.fold": {"en": "Fold to block level", "zh": "按残差块折叠"},
    "layers.count": {"en": "{shown} of {total} rows", "zh": "显示 {shown} 行，共 {total} 行"},
    "layers.csv": {"en": "Download CSV", "zh": "下载 CSV"},
    "col.name": {"en": "Layer", "zh": "层"},
    "col.stage": {"en": "Stage", "zh": "阶段"},
    "col.type": {"en": "Type", "zh": "类型"},
    "col.role": {"en": "Path", "zh": "路径"},
    "col.kernel": {"en": "Kernel", "zh": "卷积核"},
    "col.stride": {"en": "Stride", "zh": "步幅"},
    "col.input_shape": {"en": "Input (C×H×W)", "zh": "输入 (C×H×W)"},
    "col.output_shape": {"en": "Output (C×H×W)", "zh": "输出 (C×H×W)"},
    "col.params": {"en": "Parameters", "zh": "参数量"},
    "col.macs": {"en": "Multiply-adds", "zh": "乘加运算量"},
    "col.layers": {"en": "Layers", "zh": "层数"},
    "col.blocks": {"en": "Blocks", "zh": "块数"},
    "col.params_share": {"en": "Share of parameters", "zh": "参数占比"},
    "col.macs_share": {"en": "Share of multiply-adds", "zh": "乘加占比"},
    "role.stem": {"en": "stem", "zh": "输入层"},
    "role.branch": {"en": "residual branch", "zh": "残差分支"},
    "role.shortcut": {"en": "shortcut", "zh": "捷径"},
    "role.post": {"en": "after addition", "zh": "相加之后"},
    "role.head": {"en": "head", "zh": "输出头"},
    "stage.stem": {"en": "stem", "zh": "输入层 (stem)"},
    "stage.head": {"en": "head", "zh": "输出头 (head)"},
    "stage.layer": {"en": "stage {n} ({name})", "zh": "第 {n} 阶段（{name}）"},
    "stages.caption": {
        "en": "Each stage after the first halves the feature map and doubles the width (paper, Table 1).",
        "zh": "第一个阶段之后，每个阶段把特征图边长减半、通道数加倍（论文表 1）。",
    },
    # Block arithmetic
    "blocks.channels": {"en": "Channels of the map (d)", "zh": "特征图通道数 (d)"},
    "blocks.channels_help": {
        "en": "A multiple of 4: the bottleneck's inner width is d/4.",
        "zh": "须为 4 的倍数：瓶颈块的内部宽度为 d/4。",
    },
    "blocks.same_map": {"en": "Both blocks on a {c}-d map", "zh": "两种块都作用于 {c} 维特征图"},
    "blocks.same_map_caption": {
        "en": "The often-quoted comparison: a basic block and a bottleneck on the same {c}-d map.",
        "zh": "常被引用的比较：基本块与瓶颈块作用于同一个 {c} 维特征图。",
    },
    "blocks.fig5": {"en": "The paper's Fig. 5 pairing", "zh": "论文图 5 的配对"},
    "blocks.fig5_caption": {
        "en": "What Fig. 5 actually pairs: a basic block on a {m}-d map beside a bottleneck on a {c}-d map — "
              "similar cost, four times the output width.",
        "zh": "图 5 实际的配对：{m} 维特征图上的基本块与 {c} 维特征图上的瓶颈块——计算量相近，"
              "输出宽度却是四倍。",
    },
    "blocks.basic": {"en": "Basic block (two 3×3 convs)", "zh": "基本块（两个 3×3 卷积）"},
    "blocks.bottleneck": {"en": "Bottleneck (1×1, 3×3, 1×1)", "zh": "瓶颈块（1×1、3×3、1×1）"},
    "blocks.ratio": {"en": "The basic block has {ratio}× the weights.", "zh": "基本块的权重是瓶颈块的 {ratio} 倍。"},
    "blocks.bn": {
        "en": "Batch norm adds γ and β per channel, kept apart from the conv weights above: basic {basic}, "
              "bottleneck {bottleneck}.",
        "zh": "批归一化为每个通道增加 γ 和 β，未计入上面的卷积权重：基本块 {basic} 个，瓶颈块 {bottleneck} 个。",
    },
    "blocks.weights": {"en": "weights", "zh": "个权重"},
    # Code
    "code.caption": {
        "en": "This rebuilds the model shown here with the library (`pip install -r requirements.txt`).",
        "zh": "以下代码用本库重建此处显示的模型（先运行 `pip install -r requirements.txt`）。",
    },
    # Config editor
    "cfg.header": {"en": "Model", "zh": "模型"},
    "cfg.preset": {"en": "Preset", "zh": "预设"},
    "cfg.preset_help": {
        "en": "The paper's ImageNet nets (Table 1), their plain twins, and the CIFAR-10 nets (Sec. 4.2).",
        "zh": "论文中的 ImageNet 网络（表 1）、对应的普通网络，以及 CIFAR-10 网络（第 4.2 节）。",
    },
    "cfg.stages": {"en": "Blocks per stage", "zh": "每阶段块数"},
    "cfg.stages_help": {
        "en": "Comma-separated, 1 to 6 stages of 1 to 500 blocks, e.g. 3,4,6,3.",
        "zh": "用逗号分隔，1 到 6 个阶段，每阶段 1 到 500 个块，例如 3,4,6,3。",
    },
    "cfg.block": {"en": "Block", "zh": "残差块"},
    "cfg.block.basic": {"en": "basic", "zh": "基本块"},
    "cfg.block.bottleneck": {"en": "bottleneck", "zh": "瓶颈块"},
    "cfg.shortcut": {"en": "Shortcut", "zh": "捷径"},
    "cfg.shortcut_help": {
        "en": "Paper Sec. 3.3 — A: zero-padding where shapes change; B: projection where shapes change; "
              "C: projection everywhere; none: the plain net.",
        "zh": "论文第 3.3 节——A：形状改变处补零；B：形状改变处用投影；C：全部用投影；无：普通网络。",
    },
    "cfg.shortcut.A": {"en": "A · zero-pad", "zh": "A · 补零"},
    "cfg.shortcut.B": {"en": "B · projection where needed", "zh": "B · 必要处投影"},
    "cfg.shortcut.C": {"en": "C · projection everywhere", "zh": "C · 全部投影"},
    "cfg.shortcut.none": {"en": "none · plain net", "zh": "无 · 普通网络"},
    "cfg.stem": {"en": "Stem", "zh": "输入层"},
    "cfg.stem.imagenet": {"en": "ImageNet 7×7/2 + pool", "zh": "ImageNet 7×7/2 + 池化"},
    "cfg.stem.cifar": {"en": "CIFAR 3×3", "zh": "CIFAR 3×3"},
    "cfg.stem.deep": {"en": "deep 3×(3×3) + pool", "zh": "深层 3×(3×3) + 池化"},
    "cfg.stride_at": {"en": "Downsample at", "zh": "下采样位置"},
    "cfg.stride_at_help": {
        "en": "Bottleneck only. The paper strides the first 1×1; torchvision strides the 3×3 (\"V1.5\"): "
              "same parameters, more multiply-adds.",
        "zh": "仅瓶颈块。论文在第一个 1×1 卷积处步幅为 2；torchvision 在 3×3 处（“V1.5”）："
              "参数相同，乘加更多。",
    },
    "cfg.stride_at.1x1": {"en": "1×1 (paper)", "zh": "1×1（论文）"},
    "cfg.stride_at.3x3": {"en": "3×3 (V1.5)", "zh": "3×3（V1.5）"},
    "cfg.width": {"en": "Width", "zh": "宽度"},
    "cfg.width_help": {
        "en": "Channels of the first stage (a bottleneck's inner width); each stage doubles it.",
        "zh": "第一阶段的通道数（瓶颈块为内部宽度）；之后每个阶段加倍。",
    },
    "cfg.num_classes": {"en": "Classes", "zh": "类别数"},
    "cfg.num_classes_help": {"en": "Outputs of the FC layer.", "zh": "全连接层的输出数。"},
    "cfg.in_channels": {"en": "Input channels", "zh": "输入通道"},
    "cfg.in_channels_help": {"en": "3 for colour images, 1 for grey.", "zh": "彩色图像为 3，灰度图像为 1。"},
    "cfg.input_size": {"en": "Input size (px)", "zh": "输入尺寸（像素）"},
    "cfg.input_size_help": {"en": "Side of the square input image.", "zh": "正方形输入图像的边长。"},
    "cfg.preact": {"en": "Pre-activation (2016)", "zh": "预激活（2016）"},
    "cfg.preact_help": {
        "en": "BN → ReLU → conv inside the branch, nothing after the addition (He et al., \"Identity "
              "Mappings in Deep Residual Networks\").",
        "zh": "分支内顺序为 BN → ReLU → 卷积，相加之后不再有操作（He 等人，《Identity Mappings in Deep "
              "Residual Networks》）。",
    },
    "cfg.invalid": {
        "en": "Not applied — {error}. The last valid model is still shown.",
        "zh": "未应用——{error}。仍显示上一个有效的模型。",
    },
    "cfg.custom": {
        "en": "Custom: differs from {preset} in {changes}",
        "zh": "自定义：与 {preset} 的不同之处为 {changes}",
    },
}
