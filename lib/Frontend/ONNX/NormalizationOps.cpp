//===- NormalizationOps.cpp - ONNX BatchNormalization and Softmax ---------===//

#include "tessera/Frontend/ONNX/ImportContext.h"
#include "tessera/Frontend/ONNX/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace tessera;

namespace {

/// BatchNormalization in inference mode:
/// y = (x - mean) / sqrt(var + epsilon) * scale + bias, per channel (dim 1).
LogicalResult convertBatchNorm(ImportContext &ctx,
                               const onnx::NodeProto &node) {
  if (ctx.getIntAttr(node, "training_mode", 0) != 0 ||
      (node.output_size() > 1 && !node.output(1).empty()))
    return ctx.emitError(node) << "training mode is unsupported: only the "
                                  "inference form of BatchNormalization "
                                  "(one output) is";
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(type))
    return failure();
  SmallVector<Value> operands;
  for (unsigned i = 0; i < 5; ++i) {
    FailureOr<Value> operand = ctx.getInput(node, i);
    if (failed(operand))
      return failure();
    operands.push_back(*operand);
  }
  OpBuilder &b = ctx.builder;
  Location loc = ctx.getLoc(node);
  // Per-channel parameters broadcast along dim 1 of the input.
  for (unsigned i = 1; i < 5; ++i)
    operands[i] = broadcastAlongAxis(b, loc, operands[i], *type, 1);
  double epsilon = ctx.getFloatAttr(node, "epsilon", 1e-5f);
  Value result = elementwise(
      b, loc, operands, *type, [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value eps = scalarConstant(nb, nl, a[0].getType(), epsilon);
        Value centered = arith::SubFOp::create(nb, nl, a[0], a[3]);
        Value variance = arith::AddFOp::create(nb, nl, a[4], eps);
        Value invStd = math::RsqrtOp::create(nb, nl, variance);
        Value normalized = arith::MulFOp::create(nb, nl, centered, invStd);
        Value scaled = arith::MulFOp::create(nb, nl, normalized, a[1]);
        return arith::AddFOp::create(nb, nl, scaled, a[2]);
      });
  ctx.setResult(node, 0, result);
  return success();
}

/// Softmax and LogSoftmax over `axis` (opset 13 and later) or over all dims
/// from `axis` on (earlier opsets, which coerce the input to 2-D).
LogicalResult convertSoftmax(ImportContext &ctx, const onnx::NodeProto &node,
                             bool isLog) {
  FailureOr<Value> input = ctx.getInput(node, 0);
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(input) || failed(type))
    return failure();
  int64_t rank = type->getRank();
  bool perAxis = ctx.getOpset() >= 13;
  int64_t axis = ctx.getIntAttr(node, "axis", perAxis ? -1 : 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return ctx.emitError(node) << "axis is out of range for rank " << rank;
  SmallVector<int64_t> dims;
  for (int64_t i = axis; i < (perAxis ? axis + 1 : rank); ++i)
    dims.push_back(i);

  OpBuilder &b = ctx.builder;
  Location loc = ctx.getLoc(node);
  auto combineMax = [](OpBuilder &nb, Location nl, ValueRange a) {
    return maxScalar(nb, nl, a[0], a[1]);
  };
  auto combineAdd = [](OpBuilder &nb, Location nl, ValueRange a) {
    return addScalar(nb, nl, a[0], a[1]);
  };
  Value maximum =
      reduceKeepDims(b, loc, *input, dims,
                     -std::numeric_limits<double>::infinity(), combineMax);
  Value shifted =
      elementwise(b, loc, {*input, maximum}, *type,
                  [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                    return arith::SubFOp::create(nb, nl, a[0], a[1]);
                  });
  Value exps =
      elementwise(b, loc, {shifted}, *type,
                  [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                    return math::ExpOp::create(nb, nl, a[0]);
                  });
  Value sums = reduceKeepDims(b, loc, exps, dims, 0.0, combineAdd);
  Value result =
      elementwise(b, loc, {isLog ? shifted : exps, sums}, *type,
                  [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                    if (!isLog)
                      return arith::DivFOp::create(nb, nl, a[0], a[1]);
                    Value logSum = math::LogOp::create(nb, nl, a[1]);
                    return arith::SubFOp::create(nb, nl, a[0], logSum);
                  });
  ctx.setResult(node, 0, result);
  return success();
}

} // namespace

void tessera::addNormalizationConverters(ConverterTable &table) {
  table["BatchNormalization"] = convertBatchNorm;
  table["Softmax"] = [](ImportContext &ctx, const onnx::NodeProto &node) {
    return convertSoftmax(ctx, node, /*isLog=*/false);
  };
  table["LogSoftmax"] = [](ImportContext &ctx, const onnx::NodeProto &node) {
    return convertSoftmax(ctx, node, /*isLog=*/true);
  };
}
