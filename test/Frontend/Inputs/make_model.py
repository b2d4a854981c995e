#!/usr/bin/env python3
"""Writes small ONNX models for Tessera's lit tests.

Usage: make_model.py KIND OUT.onnx [--with-data]

Kinds (float32, opset 13 unless said):
  relu              x: [2,3] -> Relu
  dynamic           x: [N,3] (dim_param 'N') -> Relu
  unsupported-op    an Einsum node named 'my_node'
  bad-opset         Relu under opset 99
  custom-domain     node 'custom_node' of op MyOp, domain 'com.example'
  conv-bn-relu      x: [1,2,5,5] -> Conv 3x3 (pads 1, bias) ->
                    BatchNormalization -> Relu, weights as initializers
  gemm              a: [2,3] -> Gemm(transB=1, alpha=0.5, bias [4]) -> [2,4]
  matmul-batched    a: [2,1,3,4] x initializer [5,4,6] -> [2,5,3,6]
  external-data     the gemm model with its initializers in weights.bin
                    beside OUT.onnx
  duplicate-output  Relu and an Identity of it, both graph outputs
  reduce-sum        x: [2,3,4] -> ReduceSum with constant axes [0,-1]
                    (keepdims 0) -> [3], with no axes (all, keepdims 1)
                    -> [1,1,1], and noop_with_empty_axes -> [2,3,4]
  view-flatten      x: [2,3,4] -> Relu -> Reshape to [N, -1] with N from
                    Shape -> Gather -> Unsqueeze -> Concat (torch's
                    x.view(x.size(0), -1)) -> [2,12]
  truncated         the first half of the relu model's bytes
  garbage           256 random bytes (fixed seed)

With --with-data, a model with static inputs also gets OUT.input_<i>.npy
(random, fixed seed) and OUT.output_<i>.npy (computed with numpy) beside it,
for `tessera-run --input ... --expect ...`.
"""

import argparse
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
FLOAT = TensorProto.FLOAT


def rng():
    return np.random.default_rng(1234)


def make(name, nodes, inputs, outputs, initializers=(), opset=OPSET,
         extra_opsets=()):
    graph = helper.make_graph(nodes, name, inputs, outputs,
                              initializer=list(initializers))
    opsets = [helper.make_opsetid("", opset)]
    opsets += [helper.make_opsetid(d, v) for d, v in extra_opsets]
    model = helper.make_model(graph, opset_imports=opsets,
                              producer_name="tessera-tests")
    model.ir_version = 8
    return model


def value(name, shape):
    return helper.make_tensor_value_info(name, FLOAT, shape)


def init(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def relu_model():
    model = make("relu", [helper.make_node("Relu", ["x"], ["y"])],
                 [value("x", [2, 3])], [value("y", [2, 3])])

    def ref(x):
        return [np.maximum(x, 0)]
    return model, ref


def dynamic_model():
    model = make("dynamic", [helper.make_node("Relu", ["x"], ["y"])],
                 [value("x", ["N", 3])], [value("y", ["N", 3])])
    return model, None


def unsupported_op_model():
    node = helper.make_node("Einsum", ["x", "x"], ["y"], name="my_node",
                            equation="ij,ij->ij")
    model = make("unsupported", [node], [value("x", [2, 3])],
                 [value("y", [2, 3])])
    return model, None


def bad_opset_model():
    model = make("bad_opset", [helper.make_node("Relu", ["x"], ["y"])],
                 [value("x", [2, 3])], [value("y", [2, 3])], opset=99)
    return model, None


def custom_domain_model():
    node = helper.make_node("MyOp", ["x"], ["y"], name="custom_node",
                            domain="com.example")
    model = make("custom", [node], [value("x", [2, 3])], [value("y", [2, 3])],
                 extra_opsets=[("com.example", 1)])
    return model, None


def conv_bn_relu_model():
    r = rng()
    w = r.standard_normal((3, 2, 3, 3)).astype(np.float32)
    b = r.standard_normal(3).astype(np.float32)
    scale = r.uniform(0.5, 1.5, 3).astype(np.float32)
    bias = r.standard_normal(3).astype(np.float32)
    mean = r.standard_normal(3).astype(np.float32)
    var = r.uniform(0.5, 2.0, 3).astype(np.float32)
    eps = 1e-5
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization",
                         ["c", "scale", "bias", "mean", "var"], ["n"],
                         name="bn", epsilon=eps),
        helper.make_node("Relu", ["n"], ["y"], name="relu"),
    ]
    model = make("conv_bn_relu", nodes, [value("x", [1, 2, 5, 5])],
                 [value("y", [1, 3, 5, 5])],
                 [init("w", w), init("b", b), init("scale", scale),
                  init("bias", bias), init("mean", mean), init("var", var)])

    def ref(x):
        xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
        out = np.zeros((1, 3, 5, 5), np.float64)
        for i in range(5):
            for j in range(5):
                patch = xp[:, :, i:i + 3, j:j + 3]
                out[:, :, i, j] = np.einsum("nchw,mchw->nm", patch, w)
        out += b.reshape(1, 3, 1, 1)
        c = lambda v: v.reshape(1, 3, 1, 1)
        out = (out - c(mean)) / np.sqrt(c(var) + eps) * c(scale) + c(bias)
        return [np.maximum(out, 0)]
    return model, ref


def gemm_parts():
    r = rng()
    w = r.standard_normal((4, 3)).astype(np.float32)  # transB: [N, K]
    c = r.standard_normal(4).astype(np.float32)
    node = helper.make_node("Gemm", ["a", "w", "c"], ["y"], name="gemm",
                            transB=1, alpha=0.5)

    def ref(a):
        return [0.5 * (a.astype(np.float64) @ w.T) + c]
    return node, w, c, ref


def gemm_model():
    node, w, c, ref = gemm_parts()
    model = make("gemm", [node], [value("a", [2, 3])], [value("y", [2, 4])],
                 [init("w", w), init("c", c)])
    return model, ref


def external_data_model():
    node, w, c, ref = gemm_parts()
    model = make("external_data", [node], [value("a", [2, 3])],
                 [value("y", [2, 4])], [init("w", w), init("c", c)])
    return model, ref


def duplicate_output_model():
    # y and its Identity z are both graph outputs: one value returned twice.
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu"),
             helper.make_node("Identity", ["y"], ["z"], name="identity")]
    model = make("duplicate_output", nodes, [value("x", [2, 3])],
                 [value("y", [2, 3]), value("z", [2, 3])])

    def ref(x):
        y = np.maximum(x, 0)
        return [y, y]
    return model, ref


def matmul_batched_model():
    r = rng()
    b = r.standard_normal((5, 4, 6)).astype(np.float32)
    model = make("matmul_batched",
                 [helper.make_node("MatMul", ["a", "b"], ["y"], name="mm")],
                 [value("a", [2, 1, 3, 4])], [value("y", [2, 5, 3, 6])],
                 [init("b", b)])

    def ref(a):
        return [np.matmul(a.astype(np.float64), b)]
    return model, ref


def reduce_sum_model():
    axes = numpy_helper.from_array(np.array([0, -1], np.int64), "axes")
    nodes = [
        helper.make_node("ReduceSum", ["x", "axes"], ["y"], name="sum_axes",
                         keepdims=0),
        helper.make_node("ReduceSum", ["x"], ["z"], name="sum_all"),
        helper.make_node("ReduceSum", ["x"], ["w"], name="sum_noop",
                         noop_with_empty_axes=1),
    ]
    model = make("reduce_sum", nodes, [value("x", [2, 3, 4])],
                 [value("y", [3]), value("z", [1, 1, 1]),
                  value("w", [2, 3, 4])], [axes])

    def ref(x):
        x64 = x.astype(np.float64)
        return [x64.sum(axis=(0, 2)), x64.sum(keepdims=True), x]
    return model, ref


def view_flatten_model():
    int64 = lambda name, a: numpy_helper.from_array(np.array(a, np.int64),
                                                    name)
    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu"),
        helper.make_node("Shape", ["r"], ["shape"], name="shape"),
        helper.make_node("Gather", ["shape", "zero"], ["n"], name="gather",
                         axis=0),
        helper.make_node("Unsqueeze", ["n", "axis0"], ["n1"],
                         name="unsqueeze"),
        helper.make_node("Concat", ["n1", "minus_one"], ["target"],
                         name="concat", axis=0),
        helper.make_node("Reshape", ["r", "target"], ["y"], name="reshape"),
    ]
    model = make("view_flatten", nodes, [value("x", [2, 3, 4])],
                 [value("y", [2, 12])],
                 [int64("zero", 0), int64("axis0", [0]),
                  int64("minus_one", [-1])])

    def ref(x):
        return [np.maximum(x, 0).reshape(2, 12)]
    return model, ref


KINDS = {
    "relu": relu_model,
    "dynamic": dynamic_model,
    "unsupported-op": unsupported_op_model,
    "bad-opset": bad_opset_model,
    "custom-domain": custom_domain_model,
    "conv-bn-relu": conv_bn_relu_model,
    "gemm": gemm_model,
    "matmul-batched": matmul_batched_model,
    "external-data": external_data_model,
    "duplicate-output": duplicate_output_model,
    "reduce-sum": reduce_sum_model,
    "view-flatten": view_flatten_model,
}


def write_data(model, ref, out):
    r = rng()
    initializers = {t.name for t in model.graph.initializer}
    inputs = []
    for info in model.graph.input:
        if info.name in initializers:
            continue
        shape = [d.dim_value for d in info.type.tensor_type.shape.dim]
        inputs.append(r.uniform(-1, 1, shape).astype(np.float32))
    outputs = ref(*inputs)
    stem = out[:-5] if out.endswith(".onnx") else out
    for i, array in enumerate(inputs):
        np.save("%s.input_%d.npy" % (stem, i), array)
    for i, array in enumerate(outputs):
        np.save("%s.output_%d.npy" % (stem, i), array.astype(np.float32))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind",
                        choices=sorted(KINDS) + ["truncated", "garbage"])
    parser.add_argument("out")
    parser.add_argument("--with-data", action="store_true",
                        help="also write OUT.input_<i>.npy and "
                             "OUT.output_<i>.npy")
    args = parser.parse_args()

    if args.kind == "truncated":
        data = relu_model()[0].SerializeToString()
        with open(args.out, "wb") as f:
            f.write(data[:len(data) // 2])
        return 0
    if args.kind == "garbage":
        with open(args.out, "wb") as f:
            f.write(np.random.default_rng(7).bytes(256))
        return 0

    model, ref = KINDS[args.kind]()
    if args.kind == "external-data":
        # All initializers go to one file, weights.bin, beside the model
        # (onnx 1.12 names the option all_tensors_to_one_file).
        onnx.save_model(model, args.out, save_as_external_data=True,
                        all_tensors_to_one_file=True,
                        location="weights.bin", size_threshold=0)
    else:
        onnx.save_model(model, args.out)
    if args.with_data:
        if ref is None:
            parser.error("kind '%s' has no reference data" % args.kind)
        write_data(model, ref, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
