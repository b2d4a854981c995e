#!/usr/bin/env python3
"""Exports torchvision image classifiers to ONNX for Tessera's benchmarks.

Each model gets random weights from a fixed seed (no download), is put in
eval mode and exported for a 1x3x224x224 input, together with a random input
and PyTorch's output for it as an ONNX test data set:

    OUT/<name>/model.onnx
    OUT/<name>/test_data_set_0/input_0.pb    (TensorProto, "input")
    OUT/<name>/test_data_set_0/output_0.pb   (TensorProto, "logits")

which `tessera-run model.so --test-data OUT/<name>/test_data_set_0` reads.
Models already exported are skipped unless --force is given. Usage:

    /usr/bin/python3 bench/models/export.py --out build/bench-models [names...]
"""
import argparse
import os
import shutil
import sys
import tempfile

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torchvision

# Opset of the exported models: Tessera's frontend supports 1 to 17; 13 is
# the first with Softmax over one axis and Clip/Pad bounds as inputs, and
# keeps ReduceMean's axes an attribute.
OPSET = 13
SEED = 0

# Constructor keyword arguments of each model (all with weights=None).
MODELS = {
    "resnet18": {},
    "resnet50": {},
    "mobilenet_v2": {},
    "squeezenet1_1": {},
    "googlenet": {"aux_logits": False, "init_weights": True,
                  "transform_input": False},
    "efficientnet_b0": {},
    "mnasnet1_0": {},
    "densenet121": {},
    "resnext50_32x4d": {},
}


def build_model(name):
    """The model `name` with seeded random weights, in eval mode."""
    torch.manual_seed(SEED)
    model = getattr(torchvision.models, name)(weights=None, **MODELS[name])
    model.eval()
    # Non-trivial BatchNorm statistics (fresh ones are mean 0, variance 1),
    # so that a wrong normalisation shows in the output.
    generator = torch.Generator().manual_seed(SEED + 1)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                n = module.num_features
                module.running_mean.copy_(
                    (torch.rand(n, generator=generator) - 0.5) * 0.2)
                module.running_var.copy_(
                    0.8 + 0.4 * torch.rand(n, generator=generator))
    return model


def write_tensor(path, array, name):
    tensor = onnx.numpy_helper.from_array(array.astype(np.float32), name)
    with open(path, "wb") as f:
        f.write(tensor.SerializeToString())


def export(name, out_dir, force=False):
    """Exports model `name` into out_dir/name; returns False if skipped."""
    model_dir = os.path.join(out_dir, name)
    done = [os.path.join(model_dir, "model.onnx"),
            os.path.join(model_dir, "test_data_set_0", "input_0.pb"),
            os.path.join(model_dir, "test_data_set_0", "output_0.pb")]
    if not force and all(os.path.exists(path) for path in done):
        return False
    model = build_model(name)
    x = torch.randn(1, 3, 224, 224,
                    generator=torch.Generator().manual_seed(SEED + 2))
    with torch.no_grad():
        y = model(x)
    # Write into a temporary directory beside the final one and rename it,
    # so that an interrupted export leaves nothing half-written behind.
    os.makedirs(out_dir, exist_ok=True)
    tmp_dir = tempfile.mkdtemp(prefix=name + ".", dir=out_dir)
    try:
        path = os.path.join(tmp_dir, "model.onnx")
        torch.onnx.export(model, x, path, input_names=["input"],
                          output_names=["logits"], opset_version=OPSET,
                          do_constant_folding=True,
                          training=torch.onnx.TrainingMode.EVAL)
        onnx.checker.check_model(path)
        data_dir = os.path.join(tmp_dir, "test_data_set_0")
        os.makedirs(data_dir)
        write_tensor(os.path.join(data_dir, "input_0.pb"), x.numpy(), "input")
        write_tensor(os.path.join(data_dir, "output_0.pb"), y.numpy(),
                     "logits")
        if os.path.exists(model_dir):
            shutil.rmtree(model_dir)
        os.rename(tmp_dir, model_dir)
    finally:
        if os.path.exists(tmp_dir):
            shutil.rmtree(tmp_dir)
    return True


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True,
                        help="output directory (one subdirectory per model)")
    parser.add_argument("--force", action="store_true",
                        help="export again models that already exist")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="models to export (default: all of %s)" %
                        ", ".join(MODELS))
    args = parser.parse_args(argv)
    names = args.names or list(MODELS)
    unknown = [name for name in names if name not in MODELS]
    if unknown:
        parser.error("unknown model(s) %s; known: %s" %
                     (", ".join(unknown), ", ".join(MODELS)))
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    for name in names:
        if export(name, args.out, args.force):
            print("exported", os.path.join(args.out, name))
        else:
            print("exists  ", os.path.join(args.out, name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
