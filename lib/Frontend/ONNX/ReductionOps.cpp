//===- ReductionOps.cpp - ONNX Reduce* operators --------------------------===//
//
// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1,
// ReduceL2, ReduceSumSquare, ReduceLogSum and ReduceLogSumExp: an optional
// elementwise map of the input, one reduction over the reduced axes (kept
// with size 1), an optional elementwise map of the result, and a reshape
// when keepdims = 0.
//
//===----------------------------------------------------------------------===//

#include "tessera/Frontend/ONNX/ImportContext.h"
#include "tessera/Frontend/ONNX/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <algorithm>
#include <limits>

using namespace mlir;
using namespace tessera;

namespace {

enum class ReduceKind {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  L1,
  L2,
  SumSquare,
  LogSum,
  LogSumExp
};

/// Whether `kind` only makes sense for floating-point elements.
bool needsFloat(ReduceKind kind) {
  return kind == ReduceKind::Mean || kind == ReduceKind::L2 ||
         kind == ReduceKind::LogSum || kind == ReduceKind::LogSumExp;
}

/// The identity of max (`highest` = false: the lowest value) or of min
/// (`highest` = true: the highest value) for `type`.
TypedAttr extremeAttr(Builder &b, Type type, bool highest, bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return b.getFloatAttr(floatType,
                          highest ? std::numeric_limits<double>::infinity()
                                  : -std::numeric_limits<double>::infinity());
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value = isUnsigned ? (highest ? APInt::getMaxValue(width)
                                      : APInt::getMinValue(width))
                           : (highest ? APInt::getSignedMaxValue(width)
                                      : APInt::getSignedMinValue(width));
  return b.getIntegerAttr(type, value);
}

/// The reduced axes of `node` in [0, rank), sorted and unique: the `axes`
/// attribute, or the `axes` input from the opset where it became one
/// (ReduceSum 13, the others 18). An empty result with `noop` set means the
/// node is the identity.
FailureOr<SmallVector<int64_t>> getReducedAxes(ImportContext &ctx,
                                               const onnx::NodeProto &node,
                                               int64_t rank, bool &noop) {
  int64_t axesInputOpset = node.op_type() == "ReduceSum" ? 13 : 18;
  SmallVector<int64_t> axes;
  noop = false;
  if (ctx.getOpset() >= axesInputOpset) {
    if (ctx.hasInput(node, 1)) {
      FailureOr<SmallVector<int64_t>> constantAxes =
          ctx.getConstantInts(node, 1);
      if (failed(constantAxes))
        return failure();
      axes = *constantAxes;
    }
    noop = axes.empty() && ctx.getIntAttr(node, "noop_with_empty_axes", 0);
    if (noop)
      return axes;
  } else {
    axes = ctx.getIntsAttr(node, "axes");
  }
  if (axes.empty()) {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
    return axes;
  }
  for (int64_t &axis : axes) {
    if (axis < -rank || axis >= rank)
      return ctx.emitError(node)
             << "axis " << axis << " is out of range for rank " << rank;
    if (axis < 0)
      axis += rank;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

LogicalResult convertReduce(ImportContext &ctx, const onnx::NodeProto &node,
                            ReduceKind kind) {
  FailureOr<Value> input = ctx.getInput(node, 0);
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(input) || failed(type))
    return failure();
  auto inputType = cast<RankedTensorType>(input->getType());
  Type elementType = inputType.getElementType();
  if (needsFloat(kind) && !isa<FloatType>(elementType))
    return ctx.emitError(node) << "only float element types are supported";
  bool noop;
  FailureOr<SmallVector<int64_t>> axes =
      getReducedAxes(ctx, node, inputType.getRank(), noop);
  if (failed(axes))
    return failure();
  OpBuilder &b = ctx.builder;
  Location loc = ctx.getLoc(node);
  if (noop) {
    ctx.setResult(node, 0, reshape(b, loc, *input, *type));
    return success();
  }
  bool isUnsigned = isUnsignedONNXType(ctx.getDataType(node.input(0)));
  int64_t count = 1;
  for (int64_t axis : *axes)
    count *= inputType.getDimSize(axis);

  // The elementwise map before the reduction.
  Value operand = *input;
  Value maximum;
  auto mapInput = [&](ScalarBody body) {
    operand = elementwise(b, loc, {operand}, inputType, body);
  };
  switch (kind) {
  case ReduceKind::L1:
    mapInput([&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
      if (isa<FloatType>(a[0].getType()))
        return math::AbsFOp::create(nb, nl, a[0]);
      if (isUnsigned)
        return a[0];
      return math::AbsIOp::create(nb, nl, a[0]);
    });
    break;
  case ReduceKind::L2:
  case ReduceKind::SumSquare:
    mapInput([](OpBuilder &nb, Location nl, ValueRange a) {
      return mulScalar(nb, nl, a[0], a[0]);
    });
    break;
  case ReduceKind::LogSumExp: {
    // exp(x - max) with the max over the reduced axes, added back after the
    // log, so that large inputs do not overflow.
    maximum = reduceKeepDims(b, loc, *input, *axes,
                             -std::numeric_limits<double>::infinity(),
                             [](OpBuilder &nb, Location nl, ValueRange a) {
                               return maxScalar(nb, nl, a[0], a[1]);
                             });
    operand =
        elementwise(b, loc, {*input, maximum}, inputType,
                    [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                      Value shifted = arith::SubFOp::create(nb, nl, a[0], a[1]);
                      return math::ExpOp::create(nb, nl, shifted);
                    });
    break;
  }
  default:
    break;
  }

  // The reduction, keeping the reduced dims.
  Value reduced;
  auto combineAdd = [](OpBuilder &nb, Location nl, ValueRange a) {
    return addScalar(nb, nl, a[0], a[1]);
  };
  switch (kind) {
  case ReduceKind::Max:
  case ReduceKind::Min: {
    bool isMax = kind == ReduceKind::Max;
    reduced = reduceKeepDims(
        b, loc, operand, *axes,
        extremeAttr(b, elementType, /*highest=*/!isMax, isUnsigned),
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          return isMax ? maxScalar(nb, nl, a[0], a[1], isUnsigned)
                       : minScalar(nb, nl, a[0], a[1], isUnsigned);
        });
    break;
  }
  case ReduceKind::Prod:
    reduced = reduceKeepDims(b, loc, operand, *axes, 1.0,
                             [](OpBuilder &nb, Location nl, ValueRange a) {
                               return mulScalar(nb, nl, a[0], a[1]);
                             });
    break;
  default:
    reduced = reduceKeepDims(b, loc, operand, *axes, 0.0, combineAdd);
    break;
  }

  // The elementwise map after the reduction.
  auto reducedType = cast<RankedTensorType>(reduced.getType());
  auto mapResult = [&](ValueRange operands, ScalarBody body) {
    reduced = elementwise(b, loc, operands, reducedType, body);
  };
  switch (kind) {
  case ReduceKind::Mean:
    mapResult({reduced}, [&](OpBuilder &nb, Location nl, ValueRange a) {
      Value scale = scalarConstant(nb, nl, a[0].getType(), 1.0 / count);
      return mulScalar(nb, nl, a[0], scale);
    });
    break;
  case ReduceKind::L2:
    mapResult({reduced}, [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
      return math::SqrtOp::create(nb, nl, a[0]);
    });
    break;
  case ReduceKind::LogSum:
    mapResult({reduced}, [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
      return math::LogOp::create(nb, nl, a[0]);
    });
    break;
  case ReduceKind::LogSumExp:
    mapResult({reduced, maximum},
              [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                Value log = math::LogOp::create(nb, nl, a[0]);
                return arith::AddFOp::create(nb, nl, log, a[1]);
              });
    break;
  default:
    break;
  }
  ctx.setResult(node, 0, reshape(b, loc, reduced, *type));
  return success();
}

} // namespace

#define REDUCTION(NAME, KIND)                                                  \
  table[NAME] = [](ImportContext &ctx, const onnx::NodeProto &node) {          \
    return convertReduce(ctx, node, ReduceKind::KIND);                         \
  }

void tessera::addReductionConverters(ConverterTable &table) {
  REDUCTION("ReduceSum", Sum);
  REDUCTION("ReduceMean", Mean);
  REDUCTION("ReduceMax", Max);
  REDUCTION("ReduceMin", Min);
  REDUCTION("ReduceProd", Prod);
  REDUCTION("ReduceL1", L1);
  REDUCTION("ReduceL2", L2);
  REDUCTION("ReduceSumSquare", SumSquare);
  REDUCTION("ReduceLogSum", LogSum);
  REDUCTION("ReduceLogSumExp", LogSumExp);
}
