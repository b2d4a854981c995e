#!/usr/bin/env python3
"""Writes a CNN with a long skip connection, for memory-plan.test.

    x [1,8,32,32] -> Conv1x1+Relu -> a [1,2,32,32] ------------------+
    x -> Conv3x3+Relu -> b [1,16,32,32] -> Conv3x3+Relu -> c -> Conv1x1 -> Add -> y

`a` is small and lives across the two large convolutions, so a scratchpad
that just fits their working set forces a spill (or a smarter order).
Writes OUT.onnx, OUT.input_0.npy and OUT.output_0.npy (numpy reference).
Usage: make_skip_model.py OUT
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def conv(x, w, b, pad):
    """NCHW convolution, stride 1, in float64."""
    n, c, h, wd = x.shape
    k = w.shape[2]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((n, w.shape[0], h, wd))
    for i in range(k):
        for j in range(k):
            patch = xp[:, :, i:i + h, j:j + wd]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    return out + b.reshape(1, -1, 1, 1)


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(7)
    def weight(o, c, k):
        return (rng.standard_normal((o, c, k, k)) / np.sqrt(c * k * k)).astype(np.float32)
    def bias(o):
        return (0.1 * rng.standard_normal(o)).astype(np.float32)
    params = {"wa": weight(2, 8, 1), "ba": bias(2), "wb": weight(16, 8, 3),
              "bb": bias(16), "wc": weight(16, 16, 3), "bc": bias(16),
              "wd": weight(2, 16, 1), "bd": bias(2)}
    nodes = [
        helper.make_node("Conv", ["x", "wa", "ba"], ["a0"], name="conv_a"),
        helper.make_node("Relu", ["a0"], ["a"], name="relu_a"),
        helper.make_node("Conv", ["x", "wb", "bb"], ["b0"], name="conv_b",
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["b0"], ["b"], name="relu_b"),
        helper.make_node("Conv", ["b", "wc", "bc"], ["c0"], name="conv_c",
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c0"], ["c"], name="relu_c"),
        helper.make_node("Conv", ["c", "wd", "bd"], ["d"], name="conv_d"),
        helper.make_node("Add", ["a", "d"], ["y"], name="add"),
    ]
    graph = helper.make_graph(
        nodes, "skip",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 32, 32])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 32, 32])],
        [numpy_helper.from_array(v, k) for k, v in params.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, out + ".onnx")

    x = rng.standard_normal((1, 8, 32, 32)).astype(np.float32)
    p = {k: v.astype(np.float64) for k, v in params.items()}
    relu = lambda t: np.maximum(t, 0)
    a = relu(conv(x, p["wa"], p["ba"], 0))
    b = relu(conv(x, p["wb"], p["bb"], 1))
    c = relu(conv(b, p["wc"], p["bc"], 1))
    y = a + conv(c, p["wd"], p["bd"], 0)
    np.save(out + ".input_0.npy", x)
    np.save(out + ".output_0.npy", y.astype(np.float32))


if __name__ == "__main__":
    main()
