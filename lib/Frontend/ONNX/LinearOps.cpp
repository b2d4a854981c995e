//===- LinearOps.cpp - ONNX MatMul, Gemm and Conv -------------------------===//
//
// Contractions as linalg.generic ops whose indexing maps carry the
// transposes, batch broadcasting, strides, dilations and groups.
//
//===----------------------------------------------------------------------===//

#include "tessera/Frontend/ONNX/ImportContext.h"
#include "tessera/Frontend/ONNX/LinalgBuilders.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;
using namespace tessera;

namespace {

/// A contraction `out[o] += lhs[l] * rhs[r]` over `numLoops` loops whose
/// last `numReduction` loops are reductions; `maps` index lhs, rhs and out.
Value contract(OpBuilder &b, Location loc, Value lhs, Value rhs,
               RankedTensorType outType, ArrayRef<AffineMap> maps,
               unsigned numReduction) {
  unsigned numLoops = maps.front().getNumDims();
  SmallVector<utils::IteratorType> iterators(numLoops - numReduction,
                                             utils::IteratorType::parallel);
  iterators.append(numReduction, utils::IteratorType::reduction);
  Value init = filledTensor(b, loc, outType, 0.0);
  return linalg::GenericOp::create(
             b, loc, TypeRange{outType}, ValueRange{lhs, rhs}, ValueRange{init},
             maps, iterators,
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               Value product = mulScalar(nb, nloc, args[0], args[1]);
               linalg::YieldOp::create(nb, nloc,
                                       addScalar(nb, nloc, args[2], product));
             })
      .getResult(0);
}

LogicalResult convertMatMul(ImportContext &ctx, const onnx::NodeProto &node) {
  FailureOr<Value> lhs = ctx.getInput(node, 0);
  FailureOr<Value> rhs = ctx.getInput(node, 1);
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(lhs) || failed(rhs) || failed(type))
    return failure();
  OpBuilder &b = ctx.builder;
  Location loc = ctx.getLoc(node);
  MLIRContext *mctx = b.getContext();
  Type elementType = type->getElementType();

  // Promote 1-D operands to matrices, as numpy.matmul does.
  auto asMatrix = [&](Value v, bool isLhs) {
    auto vType = cast<RankedTensorType>(v.getType());
    if (vType.getRank() != 1)
      return v;
    SmallVector<int64_t> shape = {vType.getDimSize(0)};
    shape.insert(isLhs ? shape.begin() : shape.end(), 1);
    return reshape(b, loc, v, RankedTensorType::get(shape, elementType));
  };
  Value a = asMatrix(*lhs, true), c = asMatrix(*rhs, false);
  ArrayRef<int64_t> aShape = cast<RankedTensorType>(a.getType()).getShape();
  ArrayRef<int64_t> cShape = cast<RankedTensorType>(c.getType()).getShape();
  int64_t batchRank = std::max(aShape.size(), cShape.size()) - 2;
  SmallVector<int64_t> outShape;
  for (int64_t i = 0; i < batchRank; ++i) {
    auto dimOf = [&](ArrayRef<int64_t> shape) -> int64_t {
      int64_t index = i - (batchRank - (int64_t)shape.size() + 2);
      return index < 0 ? 1 : shape[index];
    };
    outShape.push_back(std::max(dimOf(aShape), dimOf(cShape)));
  }
  int64_t m = aShape[aShape.size() - 2], n = cShape.back();
  outShape.append({m, n});
  int64_t outRank = outShape.size();
  // Loops: batch..., m, n, k.
  auto operandMap = [&](ArrayRef<int64_t> shape, AffineExpr row,
                        AffineExpr col) {
    SmallVector<AffineExpr> exprs;
    int64_t leading = batchRank - (shape.size() - 2);
    for (int64_t i = 0; i + 2 < (int64_t)shape.size(); ++i)
      exprs.push_back(shape[i] == 1 && outShape[leading + i] != 1
                          ? getAffineConstantExpr(0, mctx)
                          : getAffineDimExpr(leading + i, mctx));
    exprs.append({row, col});
    return AffineMap::get(outRank + 1, 0, exprs, mctx);
  };
  AffineExpr mExpr = getAffineDimExpr(outRank - 2, mctx);
  AffineExpr nExpr = getAffineDimExpr(outRank - 1, mctx);
  AffineExpr kExpr = getAffineDimExpr(outRank, mctx);
  SmallVector<AffineMap> maps = {
      operandMap(aShape, mExpr, kExpr), operandMap(cShape, kExpr, nExpr),
      AffineMap::getMultiDimIdentityMap(outRank, mctx)};
  maps.back() = AffineMap::get(outRank + 1, 0, maps.back().getResults(), mctx);
  auto outType = RankedTensorType::get(outShape, elementType);
  Value product = contract(b, loc, a, c, outType, maps, 1);
  ctx.setResult(node, 0, reshape(b, loc, product, *type));
  return success();
}

LogicalResult convertGemm(ImportContext &ctx, const onnx::NodeProto &node) {
  FailureOr<Value> lhs = ctx.getInput(node, 0);
  FailureOr<Value> rhs = ctx.getInput(node, 1);
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(lhs) || failed(rhs) || failed(type))
    return failure();
  OpBuilder &b = ctx.builder;
  Location loc = ctx.getLoc(node);
  MLIRContext *mctx = b.getContext();
  bool transA = ctx.getIntAttr(node, "transA", 0);
  bool transB = ctx.getIntAttr(node, "transB", 0);
  double alpha = ctx.getFloatAttr(node, "alpha", 1.0f);
  double beta = ctx.getFloatAttr(node, "beta", 1.0f);

  AffineExpr m = getAffineDimExpr(0, mctx), n = getAffineDimExpr(1, mctx),
             k = getAffineDimExpr(2, mctx);
  SmallVector<AffineMap> maps = {
      AffineMap::get(3, 0,
                     transA ? ArrayRef<AffineExpr>{k, m}
                            : ArrayRef<AffineExpr>{m, k},
                     mctx),
      AffineMap::get(3, 0,
                     transB ? ArrayRef<AffineExpr>{n, k}
                            : ArrayRef<AffineExpr>{k, n},
                     mctx),
      AffineMap::get(3, 0, {m, n}, mctx)};
  Value result = contract(b, loc, *lhs, *rhs, *type, maps, 1);

  SmallVector<Value> operands = {result};
  if (ctx.hasInput(node, 2)) {
    FailureOr<Value> bias = ctx.getInput(node, 2);
    if (failed(bias))
      return failure();
    operands.push_back(*bias);
  }
  if (alpha != 1.0 || operands.size() > 1) {
    bool hasBias = operands.size() > 1;
    result = elementwise(
        b, loc, operands, *type, [&](OpBuilder &nb, Location nl, ValueRange a) {
          Type t = a[0].getType();
          Value y = a[0];
          if (alpha != 1.0)
            y = mulScalar(nb, nl, y, scalarConstant(nb, nl, t, alpha));
          if (!hasBias)
            return y;
          Value c = a[1];
          if (beta != 1.0)
            c = mulScalar(nb, nl, c, scalarConstant(nb, nl, t, beta));
          return addScalar(nb, nl, y, c);
        });
  }
  ctx.setResult(node, 0, result);
  return success();
}

LogicalResult convertConv(ImportContext &ctx, const onnx::NodeProto &node) {
  FailureOr<Value> input = ctx.getInput(node, 0);
  FailureOr<Value> weight = ctx.getInput(node, 1);
  FailureOr<RankedTensorType> type = ctx.getResultType(node, 0);
  if (failed(input) || failed(weight) || failed(type))
    return failure();
  OpBuilder &b = ctx.builder;
  Location loc = ctx.getLoc(node);
  MLIRContext *mctx = b.getContext();
  auto inputType = cast<RankedTensorType>(input->getType());
  auto weightType = cast<RankedTensorType>(weight->getType());
  int64_t rank = inputType.getRank() - 2;
  if (rank < 1 || weightType.getRank() != rank + 2)
    return ctx.emitError(node) << "expects input and weight of the same rank, "
                                  "at least 3";
  int64_t groups = ctx.getIntAttr(node, "group", 1);
  int64_t batch = inputType.getDimSize(0), channels = inputType.getDimSize(1);
  int64_t features = weightType.getDimSize(0);
  if (groups <= 0 || channels % groups || features % groups ||
      weightType.getDimSize(1) != channels / groups)
    return ctx.emitError(node)
           << "group " << groups << " does not divide " << channels
           << " input channels and " << features << " output channels";
  FailureOr<WindowGeometry> window =
      getWindowGeometry(ctx, node, inputType.getShape().drop_front(2),
                        weightType.getShape().drop_front(2));
  if (failed(window))
    return failure();

  SmallVector<int64_t> low(2, 0), high(2, 0);
  low.append(window->padsBegin);
  high.append(window->padsEnd);
  Value padded = pad(b, loc, *input, low, high, 0.0);
  Type elementType = type->getElementType();
  int64_t cg = channels / groups, mg = features / groups;
  SmallVector<int64_t> paddedShape(
      cast<RankedTensorType>(padded.getType()).getShape());

  // Grouped layout: input [N, G, C/G, X...], weight [G, M/G, C/G, K...],
  // output [N, G, M/G, O...].
  SmallVector<int64_t> inShape = {batch, groups, cg};
  inShape.append(paddedShape.begin() + 2, paddedShape.end());
  SmallVector<int64_t> wShape = {groups, mg, cg};
  wShape.append(window->kernel);
  SmallVector<int64_t> outShape = {batch, groups, mg};
  outShape.append(type->getShape().begin() + 2, type->getShape().end());
  Value groupedInput =
      reshape(b, loc, padded, RankedTensorType::get(inShape, elementType));
  Value groupedWeight =
      reshape(b, loc, *weight, RankedTensorType::get(wShape, elementType));

  // Loops: n, g, m, o_0..o_{r-1}, c, k_0..k_{r-1}.
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, mctx); };
  int64_t numLoops = 4 + 2 * rank;
  AffineExpr n = dim(0), g = dim(1), m = dim(2), c = dim(3 + rank);
  SmallVector<AffineExpr> inExprs = {n, g, c}, wExprs = {g, m, c},
                          outExprs = {n, g, m};
  for (int64_t i = 0; i < rank; ++i) {
    AffineExpr o = dim(3 + i), k = dim(4 + rank + i);
    inExprs.push_back(o * window->strides[i] + k * window->dilations[i]);
    wExprs.push_back(k);
    outExprs.push_back(o);
  }
  SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, inExprs, mctx),
                                 AffineMap::get(numLoops, 0, wExprs, mctx),
                                 AffineMap::get(numLoops, 0, outExprs, mctx)};
  Value result =
      contract(b, loc, groupedInput, groupedWeight,
               RankedTensorType::get(outShape, elementType), maps, 1 + rank);
  result = reshape(b, loc, result, *type);

  if (ctx.hasInput(node, 2)) {
    FailureOr<Value> bias = ctx.getInput(node, 2);
    if (failed(bias))
      return failure();
    SmallVector<int64_t> biasShape(rank + 1, 1);
    biasShape[0] = features;
    Value column =
        reshape(b, loc, *bias, RankedTensorType::get(biasShape, elementType));
    result = elementwise(b, loc, {result, column}, *type,
                         [](OpBuilder &nb, Location nl, ValueRange a) {
                           return addScalar(nb, nl, a[0], a[1]);
                         });
  }
  ctx.setResult(node, 0, result);
  return success();
}

} // namespace

void tessera::addLinearConverters(ConverterTable &table) {
  table["MatMul"] = convertMatMul;
  table["Gemm"] = convertGemm;
  table["Conv"] = convertConv;
}
