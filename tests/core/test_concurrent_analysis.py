"""Many sessions share one process: analysing from many threads at once must give exact numbers.

(torchinfo on a shared module gets this silently wrong; the plan has no shared mutable state.)
"""

from concurrent.futures import ThreadPoolExecutor

import torchvision
from known_answers import RESNET20_PARAMS

from resnet_explorer import PRESETS, analyze

TV = torchvision.models
EXPECTED = {  # torchvision's metadata, the outside truth
    "resnet18": TV.ResNet18_Weights.IMAGENET1K_V1.meta["num_params"],
    "resnet34": TV.ResNet34_Weights.IMAGENET1K_V1.meta["num_params"],
    "resnet50": TV.ResNet50_Weights.IMAGENET1K_V1.meta["num_params"],
    "resnet101": TV.ResNet101_Weights.IMAGENET1K_V1.meta["num_params"],
    "resnet152": TV.ResNet152_Weights.IMAGENET1K_V1.meta["num_params"],
    "resnet20": RESNET20_PARAMS,  # closed form; the paper's Table 6 prints 0.27M
}


def test_sixty_concurrent_sessions_each_get_their_own_numbers() -> None:
    names = list(EXPECTED) * 10
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda n: (n, analyze(PRESETS[n]).total_params), names))
    wrong = [(n, got, EXPECTED[n]) for n, got in results if got != EXPECTED[n]]
    assert not wrong, f"wrong totals under concurrency: {wrong}"
