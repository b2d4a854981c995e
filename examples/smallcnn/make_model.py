#!/usr/bin/env python3
"""Exports Tessera's bundled example: a small CNN for 1x3x32x32 images.

Writes model.onnx and a reference input/output pair (ONNX TensorProto .pb)
computed by PyTorch, all from a fixed seed:

    /usr/bin/python3 examples/smallcnn/make_model.py examples/smallcnn
"""
import os
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn


class SmallCNN(nn.Module):
    """Conv-BN-ReLU blocks, pooling, a residual add, and a classifier."""

    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1),
                                  nn.BatchNorm2d(16), nn.ReLU())
        self.pool = nn.MaxPool2d(2)
        self.block = nn.Sequential(nn.Conv2d(16, 16, 3, padding=1),
                                   nn.BatchNorm2d(16), nn.ReLU(),
                                   nn.Conv2d(16, 16, 3, padding=1, groups=4),
                                   nn.BatchNorm2d(16))
        self.down = nn.Sequential(nn.Conv2d(16, 32, 3, stride=2, padding=1),
                                  nn.ReLU(), nn.AvgPool2d(2))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                  nn.Linear(32, classes))

    def forward(self, x):
        x = self.pool(self.stem(x))
        x = torch.relu(x + self.block(x))
        return torch.softmax(self.head(self.down(x)), dim=1)


def main(out_dir):
    torch.manual_seed(0)
    model = SmallCNN().eval()
    # Non-trivial BatchNorm statistics, so that folding errors show.
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 1.5)
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        y = model(x)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "model.onnx")
    torch.onnx.export(model, x, path, input_names=["image"],
                      output_names=["probabilities"], opset_version=13)
    onnx.checker.check_model(onnx.load(path))
    data_dir = os.path.join(out_dir, "test_data_set_0")
    os.makedirs(data_dir, exist_ok=True)
    for name, value, tensor_name in (("input_0.pb", x, "image"),
                                     ("output_0.pb", y, "probabilities")):
        tensor = onnx.numpy_helper.from_array(value.numpy().astype(np.float32),
                                              tensor_name)
        with open(os.path.join(data_dir, name), "wb") as f:
            f.write(tensor.SerializeToString())
    print("wrote", path, "and", data_dir)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(__file__))
