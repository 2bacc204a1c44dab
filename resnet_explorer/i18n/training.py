"""Strings of the Training lab (keys ``train.*``)."""

STRINGS: dict[str, dict[str, str]] = {
    "train.title": {"en": "Training lab", "zh": "训练实验室"},
    "train.intro": {
        "en": "The paper's central finding: a deeper *plain* network trains **worse** than a shallower one — "
              "its training error is higher, so this is not overfitting (He et al. 2015, Fig. 1 and Fig. 6). "
              "Shortcut connections remove this *degradation problem*. Train the nets side by side and watch.",
        "zh": "论文的核心发现：更深的*普通*网络反而比浅的训练得**更差**——它的训练误差更高，所以这不是过拟合"
              "（He 等 2015，图 1 与图 6）。捷径连接消除了这种*退化问题*。把网络并排训练，亲眼看看。"},
    # gradient flow
    "train.grad.header": {"en": "1 · Before training: gradients and activations at initialisation",
                          "zh": "1 · 训练之前：初始化时的梯度与激活"},
    "train.grad.caption": {
        "en": "One forward and backward pass of a fresh {plain} and {res} on the same {n} training images "
              "(seed {seed}). Early layers of the plain net get gradients {ratio_plain}× those of its last "
              "layers; in the residual net the ratio is {ratio_res}×.",
        "zh": "在相同的 {n} 张训练图像上（随机种子 {seed}），对新初始化的 {plain} 与 {res} 各做一次前向与反向传播。"
              "普通网络前几层的梯度是最后几层的 {ratio_plain} 倍；残差网络中这一比值为 {ratio_res} 倍。"},
    "train.grad.note": {
        "en": "The paper rules out *vanishing* gradients (BN keeps them healthy, Sec. 4.1). Measured here, "
              "the plain net's gradients instead grow towards its first layers — deep BN nets without "
              "shortcuts are badly conditioned; the shortcuts keep every layer's gradient on one scale.",
        "zh": "论文排除了梯度*消失*（BN 让梯度保持正常，第 4.1 节）。这里的实测显示，普通网络的梯度反而越靠近前几层越大——"
              "没有捷径的深层 BN 网络条件很差；捷径让每一层的梯度保持在同一量级。"},
    "train.grad.norm_title": {"en": "Gradient norm of each weighted layer", "zh": "每个带权重层的梯度范数"},
    "train.grad.act_title": {"en": "Activation std after the stem and each block",
                             "zh": "stem 及每个块之后激活值的标准差"},
    "train.grad.layer": {"en": "weighted layer (input → output)", "zh": "带权重的层（输入 → 输出）"},
    "train.grad.block": {"en": "block (0 = after the stem)", "zh": "块（0 = stem 之后）"},
    "train.grad.norm": {"en": "‖∂loss/∂W‖ (log scale)", "zh": "‖∂损失/∂W‖（对数坐标）"},
    "train.grad.std": {"en": "standard deviation", "zh": "标准差"},
    "train.grad.error": {"en": "Gradient flow not available for this pair: {error}",
                         "zh": "无法为这对网络计算梯度流：{error}"},
    # settings
    "train.settings.header": {"en": "2 · Train side by side", "zh": "2 · 并排训练"},
    "train.pair.label": {"en": "Networks", "zh": "网络"},
    "train.pair.paper": {"en": "plain-N and ResNet-N (paper's CIFAR nets)",
                         "zh": "plain-N 与 ResNet-N（论文的 CIFAR 网络）"},
    "train.pair.explorer": {"en": "Explorer's model and its plain twin", "zh": "“探索”页的模型及其普通孪生网络"},
    "train.depth": {"en": "Depth N (6n+2 layers)", "zh": "深度 N（6n+2 层）"},
    "train.reference": {"en": "Also train plain-20 as the shallow reference",
                        "zh": "同时训练 plain-20 作为浅层对照"},
    "train.dataset": {"en": "Dataset", "zh": "数据集"},
    "train.dataset.digits": {"en": "Digits (scikit-learn, offline, 8×8 upsampled)",
                             "zh": "手写数字（scikit-learn，离线，8×8 上采样）"},
    "train.dataset.cifar10": {"en": "CIFAR-10 (torchvision download)", "zh": "CIFAR-10（torchvision 下载）"},
    "train.cifar.offline": {"en": "CIFAR-10 needs internet; not reachable from this server ({detail}). "
                                  "Use the digits, which ship offline.",
                            "zh": "CIFAR-10 需要联网，但本服务器无法访问（{detail}）。请使用随应用离线提供的手写数字数据集。"},
    "train.cifar.download": {"en": "CIFAR-10 is not on this server yet: starting a run downloads it "
                                   "(about 170 MB) first. On a CPU the run uses its first {limit} images.",
                             "zh": "本服务器上还没有 CIFAR-10：开始训练时会先下载（约 170 MB）。在 CPU 上只使用前 {limit} 张图像。"},
    "train.cifar.ready": {"en": "CIFAR-10 is on this server. On a CPU the run uses its first {limit} images.",
                          "zh": "本服务器已有 CIFAR-10。在 CPU 上只使用前 {limit} 张图像。"},
    "train.input_size": {"en": "Input size (px)", "zh": "输入尺寸（像素）"},
    "train.epochs": {"en": "Epochs", "zh": "训练轮数（epoch）"},
    "train.batch_size": {"en": "Batch size", "zh": "批大小"},
    "train.lr": {"en": "Learning rate", "zh": "学习率"},
    "train.seed": {"en": "Seed (same seed, same run)", "zh": "随机种子（种子相同，结果相同）"},
    "train.recipe": {
        "en": "Recipe (He et al. 2015, Sec. 4.2): SGD, momentum 0.9, weight decay 1e-4, learning rate divided "
              "by 10 at 1/2 and 3/4 of the run. {n_train} training / {n_test} held-out images at {size} px; "
              "{steps} steps per model; on {device}.",
        "zh": "训练方法（He 等 2015，第 4.2 节）：SGD，动量 0.9，权重衰减 1e-4，学习率在训练进行到 1/2 与 3/4 时各除以 10。"
              "{n_train} 张训练图像 / {n_test} 张留出测试图像，{size} 像素；每个模型 {steps} 步；设备：{device}。"},
    "train.start": {"en": "Start training", "zh": "开始训练"},
    "train.stop": {"en": "Stop", "zh": "停止"},
    "train.bad_setting": {"en": "Cannot start: {error}", "zh": "无法开始：{error}"},
    "train.explorer_bad": {"en": "The Explorer's model cannot be trained on {dataset}: {error}",
                           "zh": "“探索”页的模型无法在 {dataset} 上训练：{error}"},
    "train.busy": {"en": "Queued: all {cap} training slot(s) on this server are busy{eta}. Your run starts "
                         "as soon as one frees up — keep this tab open, or press Stop to cancel.",
                   "zh": "排队中：本服务器的 {cap} 个训练名额都在使用{eta}。一旦有空位，你的训练会自动开始——请保持此页面打开，"
                         "或按“停止”取消。"},
    "train.busy_eta": {"en": " (the next one ends in about {s} s)", "zh": "（下一个大约 {s} 秒后结束）"},
    # live
    "train.starting": {"en": "Starting the training process…", "zh": "正在启动训练进程……"},
    "train.progress": {"en": "Epoch {epoch}/{epochs} · {label} · step {step}/{total} · about {left} left",
                       "zh": "第 {epoch}/{epochs} 轮 · {label} · 第 {step}/{total} 步 · 约剩 {left}"},
    "train.curves_title": {"en": "Error per epoch (thin dashed: training, bold: test)",
                           "zh": "每轮误差（细虚线：训练误差，粗实线：测试误差）"},
    "train.epoch_axis": {"en": "epoch", "zh": "轮（epoch）"},
    "train.error_axis": {"en": "error (%)", "zh": "误差（%）"},
    "train.train_error": {"en": "{label} training", "zh": "{label} 训练"},
    "train.test_error": {"en": "{label} test", "zh": "{label} 测试"},
    # outcome
    "train.custom": {"en": "custom", "zh": "自定义"},
    "train.plain_twin": {"en": "{name} (plain)", "zh": "{name}（普通网络）"},
    "train.min_s": {"en": "{m} min {s} s", "zh": "{m} 分 {s} 秒"},
    "train.s": {"en": "{s} s", "zh": "{s} 秒"},
    "train.reason.stopped": {"en": "stopped", "zh": "已停止"},
    "train.reason.user": {"en": "stopped by you", "zh": "由你手动停止"},
    "train.reason.left": {"en": "the page was closed or left", "zh": "页面已关闭或离开"},
    "train.reason.replaced": {"en": "replaced by a new run", "zh": "被新的训练取代"},
    "train.reason.shutdown": {"en": "the server is shutting down", "zh": "服务器正在关闭"},
    "train.after_steps": {"en": "{reason} after {done} of {total} steps", "zh": "{reason}（已完成 {done}/{total} 步）"},
    "train.status.done": {"en": "Finished in {s} s.", "zh": "训练完成，用时 {s} 秒。"},
    "train.status.stopped": {"en": "Stopped: {message}.", "zh": "已停止：{message}。"},
    "train.status.diverged": {"en": "The loss became NaN or infinite, so the run stopped: {message}",
                              "zh": "损失变成了 NaN 或无穷大，训练已停止：{message}"},
    "train.status.error": {"en": "The run failed: {message}", "zh": "训练失败：{message}"},
    "train.status.abandoned": {"en": "The run stopped because its page was left.",
                               "zh": "由于离开了页面，训练已停止。"},
    "train.result.degradation": {
        "en": "{deep} ended at {deep_err}% training error, above {shallow}'s {shallow_err}%: the deeper plain "
              "net trains worse — the degradation problem (Fig. 1).",
        "zh": "{deep} 最终训练误差为 {deep_err}%，高于 {shallow} 的 {shallow_err}%：更深的普通网络训练得更差——这就是退化问题（图 1）。"},
    "train.result.no_degradation": {
        "en": "{deep} ended at {deep_err}% training error, not above {shallow}'s {shallow_err}%: no degradation "
              "in this run (try more depth or the default settings).",
        "zh": "{deep} 最终训练误差为 {deep_err}%，不高于 {shallow} 的 {shallow_err}%：本次训练没有出现退化"
              "（可以试试更深的网络或默认设置）。"},
    "train.result.shortcuts_help": {
        "en": "{res} ended at {res_err}% training error, below {plain}'s {plain_err}%: with the same layers, "
              "the shortcuts make the deep net trainable.",
        "zh": "{res} 最终训练误差为 {res_err}%，低于 {plain} 的 {plain_err}%：层数相同，捷径让深层网络变得可训练。"},
    "train.result.shortcuts_no_help": {
        "en": "{res} ended at {res_err}% training error, not below {plain}'s {plain_err}%: in this run the "
              "shortcuts did not help.",
        "zh": "{res} 最终训练误差为 {res_err}%，不低于 {plain} 的 {plain_err}%：本次训练中捷径没有带来帮助。"},
    "train.result.test": {"en": "Held-out test error at the end: {items}.", "zh": "最终留出测试误差：{items}。"},
    "train.downloads": {"en": "Results", "zh": "结果"},
    "train.csv": {"en": "Curves (CSV)", "zh": "曲线（CSV）"},
    "train.model_download": {"en": "{label} (.safetensors, {acc}% test accuracy)",
                             "zh": "{label}（.safetensors，测试准确率 {acc}%）"},
    "train.use_classify": {"en": "Use {label} on the Classify page", "zh": "在分类页面使用 {label}"},
    "train.use_ready": {"en": "{label} is ready on the Classify page.", "zh": "{label} 已可在分类页面使用。"},
}
