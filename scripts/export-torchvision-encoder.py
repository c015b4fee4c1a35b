#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write a torchvision image encoder as a TorchScript file for `lepton encoder import`.

Run it on a machine that has torchvision (and, for pretrained weights, the weights file or
torchvision's download cache); carry the written file to the offline workstation.

    scripts/export-torchvision-encoder.py resnet18 resnet18.pt               # ImageNet weights
    scripts/export-torchvision-encoder.py resnet18 resnet18.pt --weights /path/resnet18-f37072fd.pth
    scripts/export-torchvision-encoder.py densenet121 densenet121.pt --random  # random weights (tests)

The file returns the network's last feature map [B, C, h, w] (no global pooling, no classifier):
the workbench pools it with its own spatial attention, so attention maps and Grad-CAM work.
"""
import argparse
import sys

import torch

ARCHITECTURES = ("resnet18", "resnet34", "resnet50", "densenet121", "efficientnet_b0", "mobilenet_v3_small")


def feature_extractor(name, model):
    """The part of a torchvision classifier that ends in its last feature map."""
    if name.startswith("resnet"):
        return torch.nn.Sequential(model.conv1, model.bn1, model.relu, model.maxpool,
                                   model.layer1, model.layer2, model.layer3, model.layer4)
    if name.startswith("densenet"):
        return torch.nn.Sequential(model.features, torch.nn.ReLU(inplace=False))
    return model.features  # efficientnet, mobilenet


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("architecture", choices=ARCHITECTURES)
    parser.add_argument("output", help="the TorchScript file to write")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--weights", help="a state-dict file (.pth) of the architecture, e.g. from torchvision's cache")
    source.add_argument("--random", action="store_true", help="random weights (for tests; no download)")
    parser.add_argument("--seed", type=int, default=0, help="with --random: the seed")
    args = parser.parse_args()

    try:
        import torchvision
    except ImportError:
        sys.exit("torchvision is not installed here (Debian: apt install python3-torchvision)")
    build = getattr(torchvision.models, args.architecture)
    if args.random or args.weights:
        torch.manual_seed(args.seed)
        model = build(weights=None)
        if args.weights:
            model.load_state_dict(torch.load(args.weights, map_location="cpu"))
    else:
        model = build(weights="DEFAULT")  # torchvision's cache, or a download where there is a network
    encoder = feature_extractor(args.architecture, model).eval()
    scripted = torch.jit.script(encoder)
    with torch.no_grad():
        out = scripted(torch.zeros(1, 3, 224, 224))
    scripted.save(args.output)
    print(f"{args.output}: {args.architecture}, returns {tuple(out.shape)} at 224 px; "
          f"import with: lepton encoder import STUDY {args.output} --name {args.architecture}")


if __name__ == "__main__":
    main()
