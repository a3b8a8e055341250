"""The vision fixes and code actions (TL201-TL204).

timm and torchvision are not installed here, so the edited scripts are parsed and every timm
model, `torchvision.transforms.v2` member and constructor keyword they use is looked up in the
tables the rules are built on (taken from timm 1.0 and torchvision 0.29). Each edit must also
remove its finding; TL201's rewritten scripts run against a stand-in `timm` whose
`create_model` checks its arguments and returns a small torch model.
"""

from __future__ import annotations

import ast
import difflib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.cases import Invalid
from tests.cases import TL201_handwritten_backbone as tl201
from tests.cases import TL202_torchvision_backbone as tl202
from tests.cases import TL203_legacy_transforms as tl203
from tests.cases import TL204_manual_numpy_augmentation as tl204
from torchlint.analysis.context import ModuleContext
from torchlint.config import Config
from torchlint.engine import analyze
from torchlint.fixing.fixer import fix_all, run_action
from torchlint.rules.vision._models import (
    BACKBONE_VARIANTS,
    RESNET_LAYOUTS,
    TIMM_MODELS,
    TORCHVISION_CLASSIFIERS,
    TORCHVISION_TO_TIMM,
    V2,
    VIT_LAYOUTS,
)
from torchlint.rules.vision.tl201_handwritten_backbone import BLOCK_NAMES
from torchlint.rules.vision.tl203_legacy_transforms import V2_FUNCTIONAL, V2_TRANSFORMS

#: `torchvision.transforms.__all__` (v1, with autoaugment's names).
V1_TRANSFORMS = [
    "Compose", "ToTensor", "PILToTensor", "ConvertImageDtype", "ToPILImage", "Normalize", "Resize", "CenterCrop",
    "Pad", "Lambda", "RandomApply", "RandomChoice", "RandomOrder", "RandomCrop", "RandomHorizontalFlip",
    "RandomVerticalFlip", "RandomResizedCrop", "FiveCrop", "TenCrop", "LinearTransformation", "ColorJitter",
    "RandomRotation", "RandomAffine", "Grayscale", "RandomGrayscale", "RandomPerspective", "RandomErasing",
    "GaussianBlur", "InterpolationMode", "RandomInvert", "RandomPosterize", "RandomSolarize",
    "RandomAdjustSharpness", "RandomAutocontrast", "RandomEqualize", "ElasticTransform", "AutoAugmentPolicy",
    "AutoAugment", "RandAugment", "TrivialAugmentWide", "AugMix",
]  # fmt: skip

#: Constructor parameters of the v2 transforms the actions write (torchvision 0.29).
V2_SIGNATURES = {
    "Compose": ("transforms",),
    "RandomApply": ("transforms", "p"),
    "RandomChoice": ("transforms", "p"),
    "RandomHorizontalFlip": ("p",),
    "RandomVerticalFlip": ("p",),
    "RandomRotation": ("degrees", "interpolation", "expand", "center", "fill"),
    "ToImage": (),
    "ToDtype": ("dtype", "scale"),
}
#: Keywords `timm.create_model` takes for every model.
TIMM_KEYWORDS = {"pretrained", "num_classes", "in_chans"}


def _script(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _act(source: str, code: str) -> str:
    """``source`` after the code action of the first ``code`` finding that offers one."""
    finding = next(f for f in analyze(source, "train.py", Config(select=(code,))) if f.actions)
    result = run_action(source, finding, finding.actions[0])
    assert result != source
    return result


def _fix(source: str, code: str) -> str:
    return fix_all(source, "train.py", Config(select=(code,)), unsafe=True).source


def check_timm_and_v2_names(source: str) -> None:
    """The code parses; its timm models, v2 members and their keywords all exist."""
    tree = ast.parse(source)
    ctx = ModuleContext(source, tree, "train.py")
    for node in ctx.nodes(ast.Name, ast.Attribute):
        name = ctx.qualname(node) or ""
        if name.startswith(V2 + "."):
            member, _, rest = name[len(V2) + 1 :].partition(".")
            assert member in V2_TRANSFORMS, name
            if member == "functional" and rest:
                assert rest.partition(".")[0] in V2_FUNCTIONAL, name
    for call in ctx.nodes(ast.Call):
        name = ctx.qualname(call.func) or ""
        if name == "timm.create_model":
            model = call.args[0]
            assert isinstance(model, ast.Constant) and model.value in TIMM_MODELS, ast.dump(model)
            assert {kw.arg for kw in call.keywords} <= TIMM_KEYWORDS
        member = name[len(V2) + 1 :]
        if name.startswith(V2 + ".") and member in V2_SIGNATURES:
            params = V2_SIGNATURES[member]
            assert len(call.args) <= len(params) and {kw.arg for kw in call.keywords} <= set(params), ctx.text(call)


def _only_inserts(before: str, after: str) -> bool:
    """Every line of ``before`` is still in ``after``, in order."""
    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    return all(tag == "insert" for tag, *_ in matcher.get_opcodes() if tag != "equal")


def _invalid_sources(module, with_action: bool = False) -> list[str]:
    cases = [case for case in module.CASES if isinstance(case, Invalid)]
    return [case.source for case in cases if case.action is not None or not with_action]


# -- the tables -----------------------------------------------------------------------------


def test_torchvision_map_points_at_known_timm_models() -> None:
    assert set(TORCHVISION_TO_TIMM) <= TORCHVISION_CLASSIFIERS
    assert set(TORCHVISION_TO_TIMM.values()) <= TIMM_MODELS


def test_backbone_tables_name_known_timm_models() -> None:
    named = {name for variants in BACKBONE_VARIANTS.values() for name in variants.values()}
    named |= set(RESNET_LAYOUTS.values()) | set(VIT_LAYOUTS.values()) | set(BLOCK_NAMES.values())
    assert named <= TIMM_MODELS
    assert all("" in variants for variants in BACKBONE_VARIANTS.values()), "every family needs a default"


def test_v2_has_every_v1_transform() -> None:
    assert set(V1_TRANSFORMS) <= V2_TRANSFORMS
    assert set(V2_SIGNATURES) <= V2_TRANSFORMS


# -- the edits ------------------------------------------------------------------------------


@pytest.mark.parametrize("source", _invalid_sources(tl201, with_action=True))
def test_backbone_action_uses_a_timm_model(source: str) -> None:
    result = _act(source, "TL201")
    check_timm_and_v2_names(result)
    assert "timm.create_model(" in result and "import timm" in result


def _findings_at(source: str, code: str) -> set[str]:
    """The source lines the ``code`` findings are on (an edit moves the lines around them)."""
    lines = source.splitlines()
    return {lines[f.line - 1].strip() for f in analyze(source, "train.py", Config(select=(code,)))}


@pytest.mark.parametrize("source", _invalid_sources(tl201, with_action=True))
def test_backbone_action_removes_every_finding_it_offers_on(source: str) -> None:
    """The backbone and the blocks deleted with it are no longer reported."""
    findings = analyze(source, "train.py", Config(select=("TL201",)))
    action = next(f.actions[0] for f in findings if f.actions)
    lines = source.splitlines()
    acted = {lines[f.line - 1].strip() for f in findings if action in f.actions}
    assert acted and not acted & _findings_at(run_action(source, findings[0], action), "TL201")


#: A stand-in for timm: ``create_model`` accepts only names and keywords timm 1.0 has.
TIMM_STUB = f"""
import torch

MODELS = {sorted(TIMM_MODELS)!r}


def create_model(name, pretrained=False, num_classes=1000, in_chans=3):
    assert name in MODELS and pretrained is False, name
    return torch.nn.Sequential(
        torch.nn.Conv2d(in_chans, 8, 3), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(8, num_classes)
    )
"""


@pytest.mark.parametrize(
    ("index", "driver"),
    [
        (0, "assert net(torch.randn(2, 3, 32, 32)).shape == (2, 10)"),
        (15, "test(); assert ResNet50()(torch.randn(1, 3, 32, 32)).shape == (1, 10)"),
        (17, "assert net(torch.randn(1, 3, 32, 32)).shape == (1, 1000)"),
        (18, "assert model(torch.randn(1, 3, 64, 64)).shape == (1, 200)"),
        (22, "assert resnet18()(torch.randn(1, 3, 32, 32)).shape == (1, 100)"),
    ],
)
def test_backbone_action_result_runs(index: int, driver: str, tmp_path: Path) -> None:
    """What the action leaves (the deleted classes, helpers and imports included) runs."""
    pytest.importorskip("torch")
    case = tl201.CASES[index]
    assert isinstance(case, Invalid) and case.action is not None
    (tmp_path / "timm.py").write_text(TIMM_STUB)
    script = tmp_path / "train.py"
    script.write_text(_act(case.source, "TL201") + f"\nimport torch\n\n{driver}\n")
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("source", _invalid_sources(tl202))
def test_torchvision_fix_uses_a_timm_model(source: str) -> None:
    check_timm_and_v2_names(_fix(source, "TL202"))


def test_headless_fix_maps_to_num_classes_0_and_drops_the_identity_head() -> None:
    source = _script(
        """
        import torch.nn as nn
        import torchvision


        class Encoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.net = torchvision.models.resnet50(weights="DEFAULT")
                self.net.fc = nn.Identity()
                self.proj = nn.Linear(2048, 128)
        """
    )
    result = _fix(source, "TL202")
    check_timm_and_v2_names(result)
    assert 'self.net = timm.create_model("resnet50", pretrained=True, num_classes=0)' in result
    assert "Identity" not in result and "import torchvision" not in result
    assert analyze(result, "train.py", Config(select=("TL202",))) == []


@pytest.mark.parametrize("source", _invalid_sources(tl203))
def test_transforms_fix_uses_only_v2_names(source: str) -> None:
    result = _fix(source, "TL203")
    check_timm_and_v2_names(result)
    remaining = analyze(result, "train.py", Config(select=("TL203",)))
    assert all(f.fix is None for f in remaining)
    assert not [f for f in remaining if "ToTensor" in f.message]


@pytest.mark.parametrize("source", _invalid_sources(tl204, with_action=True))
def test_augmentation_action_adds_a_valid_pipeline_and_keeps_the_code(source: str) -> None:
    result = _act(source, "TL204")
    check_timm_and_v2_names(result)
    assert _only_inserts(source, result)
    assert "from torchvision.transforms import v2" in result


@pytest.mark.parametrize("source", _invalid_sources(tl204, with_action=True))
def test_augmentation_scaffold_says_what_is_left_and_is_inserted_once(source: str) -> None:
    """The pipeline is a scaffold (the manual flips stay until the user calls it): the title says
    so, the comment says what to do, and the findings it was offered on offer it no more."""
    findings = analyze(source, "train.py", Config(select=("TL204",)))
    finding = next(f for f in findings if f.actions)
    action = finding.actions[0]
    assert "scaffold" in action.title and "delete the manual flips" in action.title
    result = run_action(source, finding, action)
    assert "then delete the manual flip" in result
    lines = source.splitlines()
    served = {lines[f.line - 1].strip() for f in findings if f.actions and f.actions[0].plan == action.plan}
    result_lines = result.splitlines()
    again = [f for f in analyze(result, "train.py", Config(select=("TL204",))) if result_lines[f.line - 1].strip() in served]
    assert again and not any(f.actions for f in again)


TRAIN_SCRIPT = _script(
    """
    import argparse
    import random

    import numpy as np
    import torch
    import torchvision.transforms as T
    from torch.utils.data import DataLoader, Dataset
    from torchvision import models


    class TileDataset(Dataset):
        def __init__(self, tiles, labels, train):
            self.tiles, self.labels, self.train = tiles, labels, train
            self.normalize = T.Compose([T.ToTensor(), T.Normalize((0.5,) * 3, (0.5,) * 3)])

        def __len__(self):
            return len(self.tiles)

        def __getitem__(self, i):
            tile = self.tiles[i]
            if self.train:
                if random.random() < 0.5:
                    tile = tile[:, ::-1]
                tile = np.rot90(tile, k=random.randint(0, 3))
            return self.normalize(np.ascontiguousarray(tile)), self.labels[i]


    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("--classes", type=int, default=10)
        args = parser.parse_args()
        model = models.resnet50(weights=models.ResNet50_Weights.IMAGENET1K_V2, num_classes=args.classes)
        data = TileDataset(np.zeros((8, 64, 64, 3), np.uint8), [0] * 8, train=True)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        for images, labels in DataLoader(data, batch_size=4):
            loss = torch.nn.functional.cross_entropy(model(images), torch.tensor(labels))
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()


    if __name__ == "__main__":
        main()
    """
)


def test_a_training_script_after_every_vision_edit() -> None:
    """The fixes of TL202/TL203 and the action of TL204 together leave valid timm and v2 code."""
    source = _act(TRAIN_SCRIPT, "TL204")
    for code in ("TL202", "TL203"):
        source = _fix(source, code)
    check_timm_and_v2_names(source)
    assert 'timm.create_model("resnet50", pretrained=True, num_classes=args.classes)' in source
    assert "import torchvision.transforms.v2 as T" in source
    assert "v2.RandomHorizontalFlip(p=0.5)" in source and "v2.RandomChoice(" in source
    remaining = analyze(source, "train.py", Config(select=("TL202", "TL203")))
    assert remaining == []


@pytest.mark.parametrize(
    ("class_name", "call", "expected"),
    [
        ("ResNet", "ResNet(Bottleneck, [3, 4, 23, 3], num_classes=5)", "resnet101"),
        ("ResNet50", "ResNet50(num_classes=5)", "resnet50"),
        ("VGG19_BN", "VGG19_BN(num_classes=5)", "vgg19_bn"),
        ("EfficientNetB7", "EfficientNetB7(num_classes=5)", "tf_efficientnet_b7"),
        ("ConvNeXtSmall", "ConvNeXtSmall(num_classes=5)", "convnext_small"),
        ("ViT", "ViT(embed_dim=192, patch_size=16, num_classes=5)", "vit_tiny_patch16_224"),
        ("SwinTransformerV2", "SwinTransformerV2(num_classes=5)", "swinv2_tiny_window8_256"),
        ("DenseNet", "DenseNet(growth_rate=12, num_classes=5)", "densenet121"),
    ],
)
def test_backbone_names_map_to_timm_models(class_name: str, call: str, expected: str) -> None:
    source = _script(
        f"""
        import torch.nn as nn


        class Bottleneck(nn.Module):
            pass


        class {class_name}(nn.Module):
            def __init__(self, block=None, layers=None, embed_dim=768, patch_size=16, growth_rate=32, num_classes=1000):
                super().__init__()
                self.stem = nn.Conv2d(3, embed_dim, patch_size, patch_size)
                self.head = nn.Linear(embed_dim, num_classes)


        model = {call}
        """
    )
    result = _act(source, "TL201")
    check_timm_and_v2_names(result)
    assert f'timm.create_model("{expected}", pretrained=False, num_classes=5)' in result


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        (["if random.random() < 0.2:", "    img = np.fliplr(img)"], "v2.RandomHorizontalFlip(p=0.2)"),
        (["if random.random() > 0.8:", "    img = img[:, ::-1]"], "v2.RandomHorizontalFlip(p=0.2)"),
        (["if np.random.rand() < 0.3:", "    pass", "else:", "    img = np.flipud(img)"], "v2.RandomVerticalFlip(p=0.7)"),
        (["flip = random.random() < 0.25", "if flip:", "    img = img[::-1]"], "v2.RandomVerticalFlip(p=0.25)"),
        (
            ["if random.choice([True, False]):", "    img = np.rot90(img, 2)"],
            "v2.RandomApply([v2.RandomRotation(degrees=(180, 180), expand=True)], p=0.5)",
        ),
    ],
)
def test_augmentation_pipeline_draws_like_the_manual_code(decision: list[str], expected: str) -> None:
    body = "".join(f"    {line}\n" for line in decision)
    source = f"import random\n\nimport numpy as np\n\n\ndef augment(img):\n{body}    return img\n"
    result = _act(source, "TL204")
    check_timm_and_v2_names(result)
    assert f"train_augment = v2.Compose([{expected}])" in result
