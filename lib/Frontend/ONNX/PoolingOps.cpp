//===- PoolingOps.cpp - ONNX pooling operators ----------------------------===//
//
// MaxPool and AveragePool as windowed reductions (linalg.generic with a
// window-shaped operand that gives the kernel loops their extent), and the
// global pools as reductions over the spatial dims.
//
//===----------------------------------------------------------------------===//

#include "tessera/Frontend/ONNX/ImportContext.h"
#include "tessera/Frontend/ONNX/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace tessera;

namespace {

/// A pooling node's input, padded so that every window of the output lies
/// inside it, and the geometry of its windows.
struct PooledInput {
  Value padded;
  WindowGeometry window;
};

/// Pads the input of a pooling node with `padValue`: the explicit pads plus,
/// with ceil_mode, what the last windows need past the end.
FailureOr<PooledInput> padPoolingInput(ImportContext &ctx,
                                       const onnx::NodeProto &node, Value input,
                                       RankedTensorType resultType,
                                       double padValue) {
  auto inputType = cast<RankedTensorType>(input.getType());
  ArrayRef<int64_t> spatial = inputType.getShape().drop_front(2);
  SmallVector<int64_t> kernel = ctx.getIntsAttr(node, "kernel_shape");
  FailureOr<WindowGeometry> window =
      getWindowGeometry(ctx, node, spatial, kernel);
  if (failed(window))
    return failure();
  SmallVector<int64_t> low = {0, 0}, high = {0, 0};
  for (auto [i, size] : llvm::enumerate(spatial)) {
    int64_t out = resultType.getDimSize(2 + i);
    int64_t needed = (out - 1) * window->strides[i] +
                     (window->kernel[i] - 1) * window->dilations[i] + 1;
    int64_t available = size + window->padsBegin[i] + window->padsEnd[i];
    low.push_back(window->padsBegin[i]);
    high.push_back(window->padsEnd[i] +
                   std::max<int64_t>(needed - available, 0));
  }
  Value padded = pad(ctx.builder, ctx.getLoc(node), input, low, high, padValue);
  return PooledInput{padded, *window};
}

/// Reduces every window of `input` (already padded) into a tensor of
/// `resultType`, starting from `init`.
Value reduceWindows(OpBuilder &b, Location loc, Value input,
                    RankedTensorType resultType, const WindowGeometry &window,
                    double init, ScalarBody combine) {
  MLIRContext *mctx = b.getContext();
  int64_t rank = window.kernel.size();
  int64_t numLoops = 2 + 2 * rank;
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, mctx); };
  SmallVector<AffineExpr> inExprs = {dim(0), dim(1)}, windowExprs,
                          outExprs = {dim(0), dim(1)};
  for (int64_t i = 0; i < rank; ++i) {
    AffineExpr o = dim(2 + i), k = dim(2 + rank + i);
    inExprs.push_back(o * window.strides[i] + k * window.dilations[i]);
    windowExprs.push_back(k);
    outExprs.push_back(o);
  }
  SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, inExprs, mctx),
                                 AffineMap::get(numLoops, 0, windowExprs, mctx),
                                 AffineMap::get(numLoops, 0, outExprs, mctx)};
  SmallVector<utils::IteratorType> iterators(2 + rank,
                                             utils::IteratorType::parallel);
  iterators.append(rank, utils::IteratorType::reduction);
  Value windowShape = tensor::EmptyOp::create(b, loc, window.kernel,
                                              resultType.getElementType());
  Value accumulator = filledTensor(b, loc, resultType, init);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{input, windowShape},
             ValueRange{accumulator}, maps, iterators,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               Value result = combine(nb, nl, ValueRange{args[2], args[0]});
               linalg::YieldOp::create(nb, nl, result);
             })
      .getResult(0);
}

LogicalResult convertMaxPool(ImportContext &ctx, const onnx::NodeProto &node) {
  if (node.output_size() > 1 && !node.output(1).empty())
    return ctx.emitError(node) << "the Indices output of MaxPool is "
                                  "unsupported";
  if (ctx.getIntAttr(node, "storage_order", 0) != 0)
    return ctx.emitError(node) << "storage_order=1 is unsupported";
  FailureOr<Value> input = ctx.getInput(node, 0);
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(input) || failed(type))
    return failure();
  bool isUnsigned = isUnsignedONNXType(ctx.getDataType(node.input(0)));
  double lowest = 0.0;
  if (isa<FloatType>(type->getElementType()))
    lowest = -std::numeric_limits<double>::infinity();
  else if (!isUnsigned)
    lowest =
        APInt::getSignedMinValue(type->getElementTypeBitWidth()).getSExtValue();
  FailureOr<PooledInput> pooled =
      padPoolingInput(ctx, node, *input, *type, lowest);
  if (failed(pooled))
    return failure();
  Value result = reduceWindows(
      ctx.builder, ctx.getLoc(node), pooled->padded, *type, pooled->window,
      lowest, [&](OpBuilder &b, Location loc, ValueRange args) {
        return maxScalar(b, loc, args[0], args[1], isUnsigned);
      });
  ctx.setResult(node, 0, result);
  return success();
}

/// The number of window taps averaged for each output position of one
/// spatial dim.
SmallVector<int64_t> countTaps(int64_t size, int64_t out, int64_t kernel,
                               int64_t stride, int64_t dilation,
                               int64_t padBegin, int64_t padEnd,
                               bool includePad) {
  int64_t lo = includePad ? -padBegin : 0;
  int64_t hi = includePad ? size + padEnd : size;
  SmallVector<int64_t> counts;
  for (int64_t o = 0; o < out; ++o) {
    int64_t count = 0;
    for (int64_t k = 0; k < kernel; ++k) {
      int64_t position = o * stride + k * dilation - padBegin;
      count += position >= lo && position < hi;
    }
    counts.push_back(count);
  }
  return counts;
}

LogicalResult convertAveragePool(ImportContext &ctx,
                                 const onnx::NodeProto &node) {
  FailureOr<Value> input = ctx.getInput(node, 0);
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(input) || failed(type))
    return failure();
  FailureOr<PooledInput> pooled = padPoolingInput(ctx, node, *input, *type, 0);
  if (failed(pooled))
    return failure();
  OpBuilder &b = ctx.builder;
  Location loc = ctx.getLoc(node);
  Value sums = reduceWindows(b, loc, pooled->padded, *type, pooled->window, 0,
                             [](OpBuilder &nb, Location nl, ValueRange args) {
                               return addScalar(nb, nl, args[0], args[1]);
                             });

  // The divisor of each output position: the product over spatial dims of
  // the taps that count (inside the input, or inside the explicit padding).
  bool includePad = ctx.getIntAttr(node, "count_include_pad", 0);
  auto inputType = cast<RankedTensorType>(input->getType());
  const WindowGeometry &w = pooled->window;
  ArrayRef<int64_t> outSpatial = type->getShape().drop_front(2);
  SmallVector<SmallVector<int64_t>> taps;
  for (size_t i = 0; i < outSpatial.size(); ++i)
    taps.push_back(countTaps(inputType.getDimSize(2 + i), outSpatial[i],
                             w.kernel[i], w.strides[i], w.dilations[i],
                             w.padsBegin[i], w.padsEnd[i], includePad));
  auto divisorType = RankedTensorType::get(outSpatial, type->getElementType());
  SmallVector<APFloat> reciprocals;
  SmallVector<int64_t> index(outSpatial.size(), 0);
  for (int64_t linear = 0; linear < divisorType.getNumElements(); ++linear) {
    int64_t count = 1;
    for (size_t i = 0; i < outSpatial.size(); ++i)
      count *= taps[i][index[i]];
    APFloat value(count ? 1.0 / count : 0.0);
    bool lost;
    value.convert(cast<FloatType>(type->getElementType()).getFloatSemantics(),
                  APFloat::rmNearestTiesToEven, &lost);
    reciprocals.push_back(value);
    for (int64_t i = outSpatial.size() - 1; i >= 0; --i) {
      if (++index[i] < outSpatial[i])
        break;
      index[i] = 0;
    }
  }
  Value divisor = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(divisorType, reciprocals));
  Value result = elementwise(b, loc, {sums, divisor}, *type,
                             [](OpBuilder &nb, Location nl, ValueRange args) {
                               return mulScalar(nb, nl, args[0], args[1]);
                             });
  ctx.setResult(node, 0, result);
  return success();
}

/// GlobalAveragePool and GlobalMaxPool: reductions over all spatial dims.
LogicalResult convertGlobalPool(ImportContext &ctx, const onnx::NodeProto &node,
                                bool isMax) {
  FailureOr<Value> input = ctx.getInput(node, 0);
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(input) || failed(type))
    return failure();
  OpBuilder &b = ctx.builder;
  Location loc = ctx.getLoc(node);
  auto inputType = cast<RankedTensorType>(input->getType());
  SmallVector<int64_t> dims;
  int64_t count = 1;
  for (int64_t i = 2; i < inputType.getRank(); ++i) {
    dims.push_back(i);
    count *= inputType.getDimSize(i);
  }
  Value result =
      reduceKeepDims(b, loc, *input, dims,
                     isMax ? -std::numeric_limits<double>::infinity() : 0.0,
                     [&](OpBuilder &nb, Location nl, ValueRange args) {
                       return isMax ? maxScalar(nb, nl, args[0], args[1])
                                    : addScalar(nb, nl, args[0], args[1]);
                     });
  if (!isMax)
    result = elementwise(b, loc, {result}, *type,
                         [&](OpBuilder &nb, Location nl, ValueRange args) {
                           Value scale = scalarConstant(
                               nb, nl, args[0].getType(), 1.0 / count);
                           return mulScalar(nb, nl, args[0], scale);
                         });
  ctx.setResult(node, 0, result);
  return success();
}

} // namespace

void tessera::addPoolingConverters(ConverterTable &table) {
  table["MaxPool"] = convertMaxPool;
  table["AveragePool"] = convertAveragePool;
  table["GlobalAveragePool"] = [](ImportContext &ctx,
                                  const onnx::NodeProto &node) {
    return convertGlobalPool(ctx, node, /*isMax=*/false);
  };
  table["GlobalMaxPool"] = [](ImportContext &ctx, const onnx::NodeProto &node) {
    return convertGlobalPool(ctx, node, /*isMax=*/true);
  };
}
