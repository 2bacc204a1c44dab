"""Strings of the Classify page and the weights sources (keys ``classify.*`` and ``weights.*``)."""

STRINGS: dict[str, dict[str, str]] = {
    "classify.title": {"en": "Classify an image", "zh": "图像分类"},
    "classify.intro": {
        "en": "Send a photo through a residual network and watch it flow: the preprocessing, the feature maps "
              "after the stem and each stage, the five most likely classes and where the network looked "
              "(class activation map).",
        "zh": "把一张照片送进残差网络，看它如何一步步流过：预处理、stem 与每个阶段之后的特征图、最可能的五个类别，"
              "以及网络“看”向哪里（类激活图 CAM）。"},
    "classify.current_config": {"en": "Current model: **{name}**", "zh": "当前模型：**{name}**"},
    "classify.custom_config": {"en": "custom configuration", "zh": "自定义配置"},
    "classify.source": {"en": "Weights", "zh": "权重来源"},
    "classify.source.digits": {"en": "Digits model (offline, ships with the app)",
                               "zh": "手写数字模型（离线，随应用提供）"},
    "classify.source.lab": {"en": "Trained in the lab: {label}", "zh": "训练实验室中训练的：{label}"},
    "classify.source.upload": {"en": "Upload a checkpoint", "zh": "上传检查点"},
    "classify.source.random": {"en": "Random initialisation (untrained)", "zh": "随机初始化（未训练）"},
    "classify.digits_label": {"en": "offline digits model", "zh": "离线手写数字模型"},
    "classify.digits_card": {
        "en": "A CIFAR-style ResNet trained by this project on scikit-learn's digits ({n_train} training "
              "images). Measured accuracy on {n_test} held-out digits: **{acc}**. Made with `{command}`.",
        "zh": "本项目用 scikit-learn 手写数字数据训练的 CIFAR 式 ResNet（训练图像 {n_train} 张）。"
              "在 {n_test} 张留出测试数字上实测准确率：**{acc}**。生成命令：`{command}`。"},
    "classify.ckpt_help": {
        "en": "A checkpoint for the current model ({name}): `.safetensors` (preferred) or a `.pt`/`.pth` "
              "state dict. It is checked before use and never runs code; it stays in your session only.",
        "zh": "适用于当前模型（{name}）的检查点：`.safetensors`（推荐）或 `.pt`/`.pth` 状态字典。"
              "使用前会先检查，绝不执行其中的代码；它只留在你自己的会话中。"},
    "classify.ckpt_upload": {"en": "Checkpoint file", "zh": "检查点文件"},
    "classify.seed": {"en": "Seed of the random initialisation", "zh": "随机初始化的种子"},
    "classify.random_label": {"en": "random initialisation, seed {seed}", "zh": "随机初始化，种子 {seed}"},
    "classify.untrained": {"en": "Untrained — predictions are meaningless. Use it to watch shapes and "
                                 "feature maps, not answers.",
                           "zh": "未训练——预测毫无意义。可用来观察形状和特征图，而不是看答案。"},
    "classify.in_use": {
        "en": "Weights in use: **{label}** · architecture {model} · input {channels}×{size}×{size}",
        "zh": "正在使用的权重：**{label}** · 结构 {model} · 输入 {channels}×{size}×{size}"},
    "classify.input": {"en": "Image", "zh": "图像"},
    "classify.input.sample": {"en": "Sample", "zh": "示例"},
    "classify.input.upload": {"en": "Upload", "zh": "上传"},
    "classify.input.camera": {"en": "Camera", "zh": "摄像头"},
    "classify.image_upload": {"en": "An image (JPEG, PNG, WebP, GIF or BMP)",
                              "zh": "一张图像（JPEG、PNG、WebP、GIF 或 BMP）"},
    "classify.camera": {"en": "Take a photo", "zh": "拍一张照片"},
    "classify.photo_sample": {"en": "Sample photo (ships with scikit-learn)",
                              "zh": "示例照片（随 scikit-learn 提供）"},
    "classify.digit_sample": {"en": "Held-out digit (never seen in training)", "zh": "留出的测试数字（训练中从未见过）"},
    "classify.digit_option": {"en": "#{i} — true label {label}", "zh": "第 {i} 张 — 真实标签 {label}"},
    "classify.digit_truth": {"en": "true label: {label}", "zh": "真实标签：{label}"},
    "classify.queued": {"en": "Busy: {n} classification(s) from other users ahead of yours — queued, it "
                              "starts by itself.",
                        "zh": "忙碌中：前面还有其他用户的 {n} 个分类任务——已排队，会自动开始。"},
    "classify.running": {"en": "Classifying…", "zh": "正在分类……"},
    "classify.waiting": {"en": "Pick weights and an image to classify.", "zh": "请选择权重和一张图像进行分类。"},
    "classify.ckpt_refused": {"en": "Checkpoint refused. {reason}", "zh": "检查点被拒绝。{reason}"},
    "classify.image_refused": {"en": "Image refused. {reason}", "zh": "图像被拒绝。{reason}"},
    "classify.failed": {"en": "Could not classify: {reason}", "zh": "无法分类：{reason}"},
    "classify.col.key": {"en": "key", "zh": "键名"},
    "classify.col.expected": {"en": "expected shape", "zh": "应有形状"},
    "classify.col.got": {"en": "shape in file", "zh": "文件中的形状"},
    "classify.col.problem": {"en": "problem", "zh": "问题"},
    "classify.problem.missing": {"en": "missing", "zh": "缺失"},
    "classify.problem.unexpected": {"en": "unexpected", "zh": "多余"},
    "classify.problem.wrong shape": {"en": "wrong shape", "zh": "形状不符"},
    "classify.problem.not a tensor": {"en": "not a tensor", "zh": "不是张量"},
    "classify.problem.wrong dtype": {"en": "wrong dtype", "zh": "数据类型不符"},
    "classify.top1": {"en": "Prediction", "zh": "预测"},
    "classify.time": {"en": "Inference time (one forward pass)", "zh": "推理时间（一次前向传播）"},
    "classify.threads": {"en": "CPU threads", "zh": "CPU 线程数"},
    "classify.english_only": {"en": "ImageNet class names are shown in English only.",
                              "zh": "ImageNet 类别名称只有英文，未作翻译。"},
    "classify.chart_title": {"en": "Top {k} classes", "zh": "前 {k} 个类别"},
    "classify.chart_axis": {"en": "probability (softmax)", "zh": "概率（softmax）"},
    "classify.cam_class": {"en": "Class activation map for", "zh": "类激活图对应的类别"},
    "classify.cam_caption": {"en": "Where the evidence for “{name}” lies", "zh": "“{name}”的证据所在位置"},
    "classify.cam_explain": {
        "en": "CAM (Zhou et al. 2016) is exact for a ResNet: the head averages each channel of the last "
              "feature map and applies one linear layer, so the class score is the average of Σₖ wₖ·Aₖ over "
              "the map. Yellow: most evidence for the class; dark blue: least.",
        "zh": "对 ResNet 而言 CAM（Zhou 等，2016）是精确的：输出头先对最后特征图的每个通道取全局平均，再接一个线性层，"
              "所以类别得分正是 Σₖ wₖ·Aₖ 在整张图上的平均值。黄色：该类证据最多；深蓝：最少。"},
    "classify.steps": {"en": "Preprocessing, step by step", "zh": "预处理，一步一步"},
    "classify.step.original": {"en": "original", "zh": "原图"},
    "classify.step.resized": {"en": "resized to {size} px", "zh": "缩放到 {size} 像素"},
    "classify.step.cropped": {"en": "centre crop {size} px", "zh": "中心裁剪 {size} 像素"},
    "classify.step.normalised": {
        "en": "normalised (mean {mean}, std {std}; shown ±3σ)",
        "zh": "标准化（均值 {mean}，标准差 {std}；按 ±3σ 显示）"},
    "classify.step.grey": {"en": "grey", "zh": "灰度"},
    "classify.step.inverted": {"en": "inverted, paper removed", "zh": "反相并去除纸张底色"},
    "classify.step.cropped_ink": {"en": "cropped to the ink", "zh": "裁剪到笔迹"},
    "classify.step.padded": {"en": "padded to a square", "zh": "补齐为正方形"},
    "classify.step.bitmap": {"en": "32×32 bitmap", "zh": "32×32 位图"},
    "classify.step.counts": {"en": "ink per 4×4 block (0..16)", "zh": "每个 4×4 块中的笔迹数（0..16）"},
    "classify.step.digits8": {"en": "8×8 digit, as in the data set", "zh": "8×8 数字，与数据集格式一致"},
    "classify.maps": {"en": "Feature maps after the stem and each stage", "zh": "stem 与每个阶段之后的特征图"},
    "classify.maps_explain": {
        "en": "The 8 most active channels (highest mean activation) of each map, each scaled to its own range.",
        "zh": "每张特征图中平均激活最高的 8 个通道，各自按自身数值范围缩放显示。"},
    "classify.map_caption": {"en": "{stage}: {c}×{h}×{w} · channels {channels}",
                             "zh": "{stage}：{c}×{h}×{w} · 通道 {channels}"},
    "classify.note.animated": {"en": "Animated image: the first frame is used.", "zh": "动图：使用第一帧。"},
    "classify.note.exif_unreadable": {"en": "The EXIF data is damaged; orientation ignored.",
                                      "zh": "EXIF 数据已损坏，忽略方向信息。"},
    "classify.note.rotated": {"en": "Rotated upright as its EXIF orientation ({orientation}) asks.",
                              "zh": "已按 EXIF 方向信息（{orientation}）旋转摆正。"},
    "classify.note.depth16": {"en": "16-bit grey image ({mode}) scaled to 8 bits.",
                              "zh": "16 位灰度图（{mode}）已缩放为 8 位。"},
    "classify.note.cmyk": {"en": "CMYK image converted to RGB.", "zh": "CMYK 图像已转换为 RGB。"},
    "classify.note.palette": {"en": "Palette image converted to RGB.", "zh": "调色板图像已转换为 RGB。"},
    "classify.note.alpha": {"en": "Transparent parts ({mode}) placed on white.",
                            "zh": "透明部分（{mode}）已铺在白色背景上。"},
    "classify.note.nested": {"en": "Used the state dict nested under “{key}”.",
                             "zh": "使用了嵌套在“{key}”下的状态字典。"},
    "classify.note.prefix": {"en": "Removed the “{prefix}” prefix from every key.",
                             "zh": "已去掉每个键名前的“{prefix}”前缀。"},
    "classify.note.filled": {"en": "{n} BatchNorm counters (num_batches_tracked) were absent; set to 0.",
                             "zh": "缺少 {n} 个 BatchNorm 计数器（num_batches_tracked），已设为 0。"},
    "classify.note.cast": {"en": "Cast {n} {dtype} tensors to float32.", "zh": "已将 {n} 个 {dtype} 张量转换为 float32。"},
    "weights.imagenet_option": {"en": "ImageNet: {label} (top-1 {acc1}%, {cached})",
                                "zh": "ImageNet：{label}（top-1 {acc1}%，{cached}）"},
    "weights.cached": {"en": "ready", "zh": "已就绪"},
    "weights.not_cached": {"en": "not downloaded", "zh": "未下载"},
    "weights.no_imagenet": {
        "en": "No ImageNet weights exist for {name}: torchvision ships them only for resnet18/34/50/101/152 "
              "exactly. Choose one of those in the Explorer, or use the digits model.",
        "zh": "{name} 没有 ImageNet 权重：torchvision 只为完全一致的 resnet18/34/50/101/152 提供权重。"
              "可在探索器中选择其中之一，或使用手写数字模型。"},
    "weights.offline": {
        "en": "The {label} weights are not on this machine. Expected file: `{path}` (from {url}). "
              "Fetch them ahead of class with the command below, on a machine with internet.",
        "zh": "本机上没有 {label} 权重。需要的文件：`{path}`（来自 {url}）。"
              "请在联网的机器上提前运行下面的命令获取。"},
    "weights.download_button": {"en": "Download now ({mb} MB)", "zh": "立即下载（{mb} MB）"},
    "weights.downloading": {"en": "Downloading {label}…", "zh": "正在下载 {label}……"},
    "weights.progress": {"en": "{done} of {total} MB", "zh": "已下载 {done} / {total} MB"},
    "weights.download_failed": {"en": "Download failed: {error}", "zh": "下载失败：{error}"},
}
