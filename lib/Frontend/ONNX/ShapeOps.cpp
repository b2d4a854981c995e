//===- ShapeOps.cpp - ONNX data movement and constant operators -----------===//
//
// Reshape-like ops (their result shape comes from shape inference),
// Transpose, Concat, pass-through ops and Constant.
//
//===----------------------------------------------------------------------===//

#include "tessera/Frontend/ONNX/ImportContext.h"
#include "tessera/Frontend/ONNX/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <numeric>

using namespace mlir;
using namespace tessera;

namespace {

/// Flatten, Reshape, Squeeze, Unsqueeze: a row-major reshape of input 0 to
/// the inferred result shape.
LogicalResult convertReshapeLike(ImportContext &ctx,
                                 const onnx::NodeProto &node) {
  FailureOr<Value> input = ctx.getInput(node, 0);
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(input) || failed(type))
    return failure();
  ctx.setResult(node, 0, reshape(ctx.builder, ctx.getLoc(node), *input, *type));
  return success();
}

/// Identity and Dropout (inference: no mask, output = input).
LogicalResult convertPassThrough(ImportContext &ctx,
                                 const onnx::NodeProto &node) {
  for (int i = 1; i < node.output_size(); ++i)
    if (!node.output(i).empty())
      return ctx.emitError(node) << "only the first output is supported "
                                    "(inference mode)";
  FailureOr<Value> input = ctx.getInput(node, 0);
  if (failed(input))
    return failure();
  ctx.setResult(node, 0, *input);
  return success();
}

LogicalResult convertTranspose(ImportContext &ctx,
                               const onnx::NodeProto &node) {
  FailureOr<Value> input = ctx.getInput(node, 0);
  if (failed(input))
    return failure();
  int64_t rank = cast<RankedTensorType>(input->getType()).getRank();
  SmallVector<int64_t> perm = ctx.getIntsAttr(node, "perm");
  if (perm.empty()) {
    perm.resize(rank);
    std::iota(perm.rbegin(), perm.rend(), 0);
  }
  if (static_cast<int64_t>(perm.size()) != rank)
    return ctx.emitError(node) << "perm has " << perm.size()
                               << " entries for an input of rank " << rank;
  ctx.setResult(node, 0,
                transpose(ctx.builder, ctx.getLoc(node), *input, perm));
  return success();
}

LogicalResult convertConcat(ImportContext &ctx, const onnx::NodeProto &node) {
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(type))
    return failure();
  int64_t rank = type->getRank();
  int64_t axis = ctx.getIntAttr(node, "axis", 0);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return ctx.emitError(node) << "axis is out of range for rank " << rank;
  OpBuilder &b = ctx.builder;
  Location loc = ctx.getLoc(node);
  Value result =
      tensor::EmptyOp::create(b, loc, type->getShape(), type->getElementType());
  int64_t offset = 0;
  for (unsigned i = 0, e = ctx.getNumInputs(node); i < e; ++i) {
    FailureOr<Value> input = ctx.getInput(node, i);
    if (failed(input))
      return failure();
    auto inputType = cast<RankedTensorType>(input->getType());
    SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
    offsets[axis] = offset;
    offset += inputType.getDimSize(axis);
    result = tensor::InsertSliceOp::create(b, loc, *input, result, ValueRange{},
                                           ValueRange{}, ValueRange{}, offsets,
                                           inputType.getShape(), strides);
  }
  ctx.setResult(node, 0, result);
  return success();
}

/// Pad in constant mode with non-negative pads.
LogicalResult convertPad(ImportContext &ctx, const onnx::NodeProto &node) {
  FailureOr<Value> input = ctx.getInput(node, 0);
  if (failed(input))
    return failure();
  std::string mode = ctx.getStringAttr(node, "mode", "constant");
  if (mode != "constant")
    return ctx.emitError(node)
           << "only mode 'constant' is supported, got '" << mode << "'";
  SmallVector<int64_t> pads;
  double value = 0.0;
  if (ctx.getOpset() < 11) {
    pads = ctx.getIntsAttr(node, "pads");
    value = ctx.getFloatAttr(node, "value", 0.0f);
  } else {
    FailureOr<SmallVector<int64_t>> constantPads = ctx.getConstantInts(node, 1);
    if (failed(constantPads))
      return failure();
    pads = *constantPads;
    if (ctx.hasInput(node, 2)) {
      FailureOr<SmallVector<double>> padValue = ctx.getConstantDoubles(node, 2);
      if (failed(padValue))
        return failure();
      value = padValue->empty() ? 0.0 : padValue->front();
    }
    if (ctx.hasInput(node, 3))
      return ctx.emitError(node) << "the 'axes' input is unsupported";
  }
  int64_t rank = cast<RankedTensorType>(input->getType()).getRank();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return ctx.emitError(node) << "'pads' must have " << 2 * rank << " entries";
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return ctx.emitError(node) << "negative pads (cropping) are unsupported";
  ArrayRef<int64_t> padsRef(pads);
  ctx.setResult(node, 0,
                pad(ctx.builder, ctx.getLoc(node), *input,
                    padsRef.take_front(rank), padsRef.drop_front(rank), value));
  return success();
}

LogicalResult convertConstant(ImportContext &ctx, const onnx::NodeProto &node) {
  const onnx::AttributeProto *value = ctx.findAttr(node, "value");
  if (!value || !value->has_t())
    return ctx.emitError(node) << "only Constant nodes with a 'value' tensor "
                                  "are supported";
  std::string error;
  DenseElementsAttr attr =
      tensorToAttr(ctx.builder.getContext(), value->t(), ctx.modelDir, error);
  if (!attr)
    return ctx.emitError(node) << error;
  ctx.bindConstant(node.output(0), value->t());
  ctx.setResult(node, 0,
                arith::ConstantOp::create(ctx.builder, ctx.getLoc(node), attr));
  return success();
}

} // namespace

void tessera::addShapeConverters(ConverterTable &table) {
  for (StringRef name : {"Flatten", "Reshape", "Squeeze", "Unsqueeze"})
    table[name] = convertReshapeLike;
  table["Identity"] = convertPassThrough;
  table["Dropout"] = convertPassThrough;
  table["Transpose"] = convertTranspose;
  table["Concat"] = convertConcat;
  table["Pad"] = convertPad;
  table["Constant"] = convertConstant;
}
