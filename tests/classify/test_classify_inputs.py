"""Bad and awkward inputs for the Classify page, through the library: checkpoints and images.

Each case checks the *specific* refusal (exception type / code) and that the message names what is
wrong and what is allowed. Oracles are outside truths: Pillow's own decoders and EXIF rotation,
torch.save / safetensors files, a pickle that would create a file if it ever ran.
"""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageOps
from safetensors.torch import save as st_save

from resnet_explorer import PRESETS, build_model
from resnet_explorer.classify.images import ImageInputError, load_image
from resnet_explorer.core.checkpoints import (
    KEY_ROWS_PER_PROBLEM,
    CheckpointFormatError,
    CheckpointSizeError,
    KeyMismatchError,
    NonFiniteWeightsError,
    UnsafeCheckpointError,
    max_checkpoint_bytes,
    model_from_checkpoint,
    read_state_dict,
)
from tests.helpers import png_header_only

CFG = PRESETS["resnet20"]  # small: 0.27M parameters


@pytest.fixture(scope="module")
def state() -> OrderedDict[str, torch.Tensor]:
    torch.manual_seed(0)
    return build_model(CFG).state_dict()


def _torch_bytes(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


# --- checkpoints ----------------------------------------------------------------------------------


def test_valid_pt_and_safetensors_load_the_exact_weights(state):
    for data, name in ((_torch_bytes(state), "w.pt"), (st_save(dict(state)), "w.safetensors")):
        model, notes = model_from_checkpoint(data, name, CFG)
        got = model.state_dict()
        # ResNet-20 has option A shortcuts and a bare state dict does not say where their zero channels
        # go: the loader says it used the config's placement, and nothing else.
        assert [(n.code, n.values) for n in notes] == [("padding_assumed", {"placement": "append"})]
        assert all(torch.equal(got[k], state[k]) for k in state), name


class _Payload:
    """Unpickling this would create a file: it must never happen."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


def test_pickle_carrying_code_never_runs(tmp_path, state):
    marker = tmp_path / "pwned"
    data = _torch_bytes({**state, "evil": _Payload(str(marker))})
    # A raw (non-torch) pickle too: the legacy-format path goes through the same unpickler.
    raw = pickle.dumps({"evil": _Payload(str(marker))}, protocol=2)
    for blob, name in ((data, "evil.pt"), (raw, "evil.pth")):
        with pytest.raises((UnsafeCheckpointError, CheckpointFormatError)) as info:
            read_state_dict(blob, name, CFG)
        assert "allowed" in str(info.value).lower()
    assert not marker.exists(), "the pickle's code ran"
    with pytest.raises(UnsafeCheckpointError, match="posix.system|os.system|nt.system"):
        read_state_dict(data, "evil.pt", CFG)


def test_whole_pickled_model_and_numpy_arrays_are_refused(state):
    with pytest.raises(UnsafeCheckpointError, match="whole pickled model") as info:
        read_state_dict(_torch_bytes(build_model(CFG)), "model.pt", CFG)
    assert "state_dict" in str(info.value)
    numpy_dict = {k: v.numpy() for k, v in state.items()}
    with pytest.raises(UnsafeCheckpointError, match="numpy"):
        read_state_dict(_torch_bytes(numpy_dict), "np.pth", CFG)


@pytest.mark.parametrize(
    "data, name, error, words",
    [
        (b"", "x.pt", CheckpointFormatError, "empty"),
        (b"", "x.safetensors", CheckpointFormatError, "empty"),
        (os.urandom(4096), "x.pt", CheckpointFormatError, "not a PyTorch checkpoint"),
        (
            b"\x10\x00\x00\x00\x00\x00\x00\x00" + os.urandom(64),
            "x.safetensors",
            CheckpointFormatError,
            "not a safetensors",
        ),
        (b"hello", "x.onnx", CheckpointFormatError, ".safetensors, .pt, .pth"),
    ],
)
def test_empty_random_and_wrong_type_files(data, name, error, words):
    with pytest.raises(error, match=words):
        read_state_dict(data, name, CFG)


def test_truncated_zip_and_truncated_safetensors(state):
    data = _torch_bytes(state)
    with pytest.raises(CheckpointFormatError, match="damaged or truncated"):
        read_state_dict(data[: len(data) // 2], "half.pt", CFG)
    sdata = st_save(dict(state))
    with pytest.raises(CheckpointFormatError, match="safetensors"):
        read_state_dict(sdata[: len(sdata) - 100], "half.safetensors", CFG)


def test_zip_bomb_is_refused_before_inflating():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
        with archive.open("archive/data/0", "w", force_zip64=True) as record:
            block = b"\x00" * 2**20
            for _ in range(256):  # 256 MiB of zeros, stored in a quarter of a MB
                record.write(block)
    data = buf.getvalue()
    assert len(data) < 8 * 2**20
    with pytest.raises(CheckpointSizeError, match="inflate") as info:
        read_state_dict(data, "bomb.pt", CFG)
    assert "allowed" in str(info.value)


def test_oversize_file_is_refused_by_size_alone():
    cap = max_checkpoint_bytes(CFG)
    with pytest.raises(CheckpointSizeError, match="allowed at most"):
        read_state_dict(b"PK\x03\x04" + b"\x00" * cap, "big.pt", CFG)


def test_module_prefix_and_state_dict_nesting_are_accepted(state):
    wrapped = {"epoch": 7, "state_dict": {f"module.{k}": v for k, v in state.items()}}
    loaded = read_state_dict(_torch_bytes(wrapped), "ddp.pth", CFG)
    assert {n.code for n in loaded.notes} == {"nested", "prefix"}
    assert all(torch.equal(loaded.state_dict[k], state[k]) for k in state)


def test_float64_is_cast_and_missing_bn_counters_are_filled(state):
    doubled = {
        k: (v.double() if v.is_floating_point() else v)
        for k, v in state.items()
        if not k.endswith("num_batches_tracked")
    }
    loaded = read_state_dict(_torch_bytes(doubled), "f64.pt", CFG)
    assert all(v.dtype == torch.float32 for v in loaded.state_dict.values() if v.is_floating_point())
    assert {n.code for n in loaded.notes} == {"cast", "filled"}
    model = build_model(CFG)
    model.load_state_dict(loaded.state_dict, strict=True)


def test_key_problems_come_back_as_a_table(state):
    bad = dict(state)
    del bad["fc.weight"]
    bad["fc.bias"] = torch.zeros(7)
    bad["extra.weight"] = torch.zeros(3)
    with pytest.raises(KeyMismatchError) as info:
        read_state_dict(st_save(bad), "bad.safetensors", CFG)
    rows = {r.key: r for r in info.value.rows}
    assert rows["fc.weight"].problem == "missing" and rows["fc.weight"].expected == "10×64"
    assert rows["fc.bias"].problem == "wrong shape" and rows["fc.bias"].got == "7"
    assert rows["extra.weight"].problem == "unexpected"
    assert "1 missing" in str(info.value) or "missing" in str(info.value)
    # The errors must survive pickling (they come back from the worker process).
    again = pickle.loads(pickle.dumps(info.value))
    assert isinstance(again, KeyMismatchError) and again.rows == info.value.rows


def test_weights_of_another_config():
    deeper = build_model(PRESETS["resnet32"], device="meta")  # 5 blocks per stage instead of 3
    fake = {k: torch.zeros(v.shape, dtype=v.dtype) for k, v in deeper.state_dict().items()}
    with pytest.raises(KeyMismatchError, match="does not fit") as info:
        read_state_dict(st_save(fake), "r32.safetensors", CFG)
    assert {r.problem for r in info.value.rows} == {"unexpected"}
    assert any(r.key.startswith("layer1.4.") for r in info.value.rows)
    # ImageNet ResNet-18 weights (45 MB) for a CIFAR ResNet-20 are refused by size before parsing.
    r18 = build_model(PRESETS["resnet18"], device="meta")
    big = {k: torch.zeros(v.shape, dtype=v.dtype) for k, v in r18.state_dict().items()}
    with pytest.raises(CheckpointSizeError, match="allowed at most"):
        read_state_dict(st_save(big), "r18.safetensors", CFG)


def test_the_key_table_of_a_flood_of_keys_is_bounded_and_keeps_the_missing_ones():
    # A 13 MB safetensors of scalars gave a 200,102-row table, all of it sent back from the worker
    # and drawn. The counts stay whole; the table keeps the first rows of each kind of problem.
    flood = {f"junk.{i}": torch.zeros(()) for i in range(200_102)}
    data = st_save(flood)
    assert 10 * 2**20 < len(data) < 16 * 2**20
    cfg = PRESETS["resnet18"]
    with pytest.raises(KeyMismatchError) as info:
        read_state_dict(data, "flood.safetensors", cfg)
    n_keys = len(build_model(cfg, device="meta").state_dict())
    kinds = {p: sum(r.problem == p for r in info.value.rows) for p in ("unexpected", "missing")}
    assert kinds == {"unexpected": KEY_ROWS_PER_PROBLEM, "missing": KEY_ROWS_PER_PROBLEM}
    assert info.value.values["total"] == 200_102 + n_keys - 20  # 20 num_batches_tracked are filled
    assert info.value.values["shown"] == 2 * KEY_ROWS_PER_PROBLEM
    assert "200102 unexpected" in str(info.value)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_nonfinite_weights_are_refused(state, value):
    bad = dict(state)
    bad["layer1.0.conv1.weight"] = bad["layer1.0.conv1.weight"].clone()
    bad["layer1.0.conv1.weight"][0, 0, 0, 0] = value
    with pytest.raises(NonFiniteWeightsError, match="layer1.0.conv1.weight"):
        read_state_dict(_torch_bytes(bad), "nan.pt", CFG)


def test_loader_never_widens_torch_allowlist(state, tmp_path):
    before = list(torch.serialization.get_safe_globals())
    with pytest.raises(UnsafeCheckpointError):
        read_state_dict(_torch_bytes(build_model(CFG)), "m.pt", CFG)
    read_state_dict(_torch_bytes(state), "ok.pt", CFG)
    assert list(torch.serialization.get_safe_globals()) == before
    source = Path(__file__).resolve().parents[2] / "resnet_explorer"
    for path in source.rglob("*.py"):
        text = path.read_text()
        assert "add_safe_globals(" not in text and "safe_globals([" not in text, path


# --- images ---------------------------------------------------------------------------------------


def _encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def _photo(w: int = 64, h: int = 48) -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF", "BMP"])
def test_allowed_formats_decode(fmt):
    loaded = load_image(_encode(_photo(), fmt))
    assert loaded.format == fmt and loaded.image.mode == "RGB" and loaded.image.size == (64, 48)


@pytest.mark.parametrize(
    "data, code",
    [
        (b"", "empty"),
        (b"this is a text file, not a picture" * 10, "not_image"),
        (os.urandom(2048), "not_image"),
    ],
    ids=["empty", "text", "random"],
)
def test_not_an_image(data, code):
    with pytest.raises(ImageInputError) as info:
        load_image(data)
    assert info.value.code == code and "allowed" in str(info.value).lower()


def test_format_outside_the_list_is_named():
    with pytest.raises(ImageInputError, match="TIFF images are not accepted") as info:
        load_image(_encode(_photo(), "TIFF"))
    assert info.value.code == "format" and "JPEG, PNG, WEBP, GIF, BMP" in str(info.value)


def test_truncated_image():
    data = _encode(_photo(256, 256), "PNG")
    with pytest.raises(ImageInputError) as info:
        load_image(data[: len(data) // 2])
    assert info.value.code == "truncated"
    jpeg = _encode(_photo(256, 256), "JPEG")
    with pytest.raises(ImageInputError) as info:
        load_image(jpeg[: len(jpeg) // 2])
    assert info.value.code == "truncated"


@pytest.mark.parametrize("w, h", [(50_000, 50_000), (10_000, 5_000), (100_000, 20)])
def test_decompression_bomb_and_huge_dimensions_refused_from_the_header(w, h):
    with pytest.raises(ImageInputError) as info:
        load_image(png_header_only(w, h))
    assert info.value.code == "bomb" and "pixels" in str(info.value), str(info.value)


@pytest.mark.parametrize("w, h", [(1, 1), (1, 40), (5, 5)])
def test_tiny_images_refused(w, h):
    with pytest.raises(ImageInputError) as info:
        load_image(_encode(Image.new("RGB", (w, h), "red"), "PNG"))
    assert info.value.code == "too_small" and f"{w}×{h}" in str(info.value)


def test_zero_by_zero_header_refused():
    with pytest.raises(ImageInputError) as info:
        load_image(png_header_only(0, 0))
    assert info.value.code in ("too_small", "not_image")


def test_cmyk_jpeg_converts_like_pillow():
    cmyk = _photo().convert("CMYK")
    data = _encode(cmyk, "JPEG", quality=95)
    loaded = load_image(data)
    expected = Image.open(io.BytesIO(data)).convert("RGB")
    assert ("cmyk", {}) in loaded.notes
    assert np.array_equal(np.asarray(loaded.image), np.asarray(expected))


def test_16bit_grey_keeps_its_range():
    ramp = (np.arange(64 * 64, dtype=np.uint32).reshape(64, 64) * 16).astype(np.uint16)  # 0..65520
    data = _encode(Image.fromarray(ramp), "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")
    loaded = load_image(data)
    arr = np.asarray(loaded.image)[..., 0].astype(int)
    assert arr.min() == 0 and arr.max() == 255, "16-bit range must map to 0..255, not clip"
    assert np.abs(arr - np.round(ramp / 257)).max() <= 1


def test_palette_alpha_and_grey_alpha_composite_on_white():
    rgba = Image.new("RGBA", (32, 32), (255, 0, 0, 0))  # fully transparent red
    rgba.paste((0, 0, 255, 255), (0, 0, 16, 32))  # left half opaque blue
    got = np.asarray(load_image(_encode(rgba, "PNG")).image)
    assert tuple(got[5, 5]) == (0, 0, 255) and tuple(got[5, 25]) == (255, 255, 255)
    la = Image.new("LA", (32, 32), (0, 0))
    got = np.asarray(load_image(_encode(la, "PNG")).image)
    assert (got == 255).all(), "transparent black must show as white paper"
    pal = rgba.convert("P")
    pal.info["transparency"] = 0
    loaded = load_image(_encode(Image.new("P", (32, 32), 0), "GIF", transparency=0))
    assert ("palette", {}) in loaded.notes
    assert (np.asarray(loaded.image) == 255).all()
    opaque_pal = _photo().convert("P")
    assert np.array_equal(
        np.asarray(load_image(_encode(opaque_pal, "PNG")).image), np.asarray(opaque_pal.convert("RGB"))
    )


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_matches_pillow(orientation):
    im = _photo(40, 24)
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = _encode(im, "JPEG", exif=exif.tobytes(), quality=95)
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    loaded = load_image(data)
    assert loaded.image.size == expected.size
    assert np.array_equal(np.asarray(loaded.image), np.asarray(expected))


def test_corrupt_exif_does_not_crash():
    data = _encode(_photo(), "JPEG")
    # Splice an APP1 "Exif" segment with garbage right after the SOI marker.
    junk = b"Exif\x00\x00" + b"MM\x00\x2a\x00\x00\x00\x08" + b"\xff" * 40
    app1 = b"\xff\xe1" + (len(junk) + 2).to_bytes(2, "big") + junk
    broken = data[:2] + app1 + data[2:]
    loaded = load_image(broken)
    assert loaded.image.size == (64, 48)


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_animated_images_give_the_first_frame(fmt):
    frames = [Image.new("RGB", (32, 32), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    kw = {"lossless": True} if fmt == "WEBP" else {}
    data = _encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0, **kw)
    loaded = load_image(data)
    assert ("animated", {}) in loaded.notes
    r, g, b = np.asarray(loaded.image)[16, 16]
    assert r > 200 and g < 50 and b < 50, f"first frame is red; got {(r, g, b)}"
