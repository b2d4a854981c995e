//===- LinalgBuilders.cpp - Tensor computations in linalg -----------------===//

#include "tessera/Frontend/ONNX/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

using namespace mlir;

/// `value` as an attribute of `type` (a float or integer type).
static TypedAttr scalarAttr(Builder &b, Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return b.getFloatAttr(floatType, value);
  return b.getIntegerAttr(type, static_cast<int64_t>(value));
}

Value tessera::scalarConstant(OpBuilder &b, Location loc, Type type,
                              double value) {
  return arith::ConstantOp::create(b, loc, scalarAttr(b, type, value));
}

Value tessera::filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                            double value) {
  Value empty =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  Value scalar = scalarConstant(b, loc, type.getElementType(), value);
  return linalg::FillOp::create(b, loc, scalar, empty).getResult(0);
}

/// The map from the loops of a result of rank `resultRank` to an operand of
/// `shape` under NumPy broadcasting: trailing dims align, size-1 dims of the
/// operand read index 0.
static AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> shape,
                              ArrayRef<int64_t> resultShape) {
  int64_t resultRank = resultShape.size();
  int64_t leading = resultRank - static_cast<int64_t>(shape.size());
  SmallVector<AffineExpr> exprs;
  for (auto [i, size] : llvm::enumerate(shape)) {
    int64_t resultDim = leading + i;
    if (size == 1 && resultShape[resultDim] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(resultDim, ctx));
  }
  return AffineMap::get(resultRank, 0, exprs, ctx);
}

Value tessera::elementwise(OpBuilder &b, Location loc, ValueRange inputs,
                           RankedTensorType resultType, ScalarBody body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(
        broadcastMap(ctx, cast<RankedTensorType>(input.getType()).getShape(),
                     resultType.getShape()));
  maps.push_back(AffineMap::getMultiDimIdentityMap(resultType.getRank(), ctx));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value tessera::broadcastAlongAxis(OpBuilder &b, Location loc, Value input,
                                  RankedTensorType resultType, int64_t axis) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps = {
      AffineMap::get(rank, 0, getAffineDimExpr(axis, ctx)),
      AffineMap::getMultiDimIdentityMap(rank, ctx)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(),
                                       resultType.getElementType());
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{input}, ValueRange{init},
             maps, iterators,
             [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               linalg::YieldOp::create(nested, nestedLoc, args[0]);
             })
      .getResult(0);
}

Value tessera::reduceKeepDims(OpBuilder &b, Location loc, Value input,
                              ArrayRef<int64_t> dims, double init,
                              ScalarBody combine) {
  Type elementType = cast<RankedTensorType>(input.getType()).getElementType();
  return reduceKeepDims(b, loc, input, dims, scalarAttr(b, elementType, init),
                        combine);
}

Value tessera::reduceKeepDims(OpBuilder &b, Location loc, Value input,
                              ArrayRef<int64_t> dims, TypedAttr init,
                              ScalarBody combine) {
  MLIRContext *ctx = b.getContext();
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  SmallVector<int64_t> resultShape(inputType.getShape());
  SmallVector<AffineExpr> resultExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t i = 0; i < rank; ++i) {
    bool reduced = llvm::is_contained(dims, i);
    if (reduced)
      resultShape[i] = 1;
    resultExprs.push_back(reduced ? getAffineConstantExpr(0, ctx)
                                  : getAffineDimExpr(i, ctx));
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
  }
  auto resultType =
      RankedTensorType::get(resultShape, inputType.getElementType());
  Value empty =
      tensor::EmptyOp::create(b, loc, resultShape, inputType.getElementType());
  Value initValue = arith::ConstantOp::create(b, loc, init);
  Value accumulator =
      linalg::FillOp::create(b, loc, initValue, empty).getResult(0);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 AffineMap::get(rank, 0, resultExprs, ctx)};
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{input},
             ValueRange{accumulator}, maps, iterators,
             [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               Value result =
                   combine(nested, nestedLoc, ValueRange{args[1], args[0]});
               linalg::YieldOp::create(nested, nestedLoc, result);
             })
      .getResult(0);
}

Value tessera::transpose(OpBuilder &b, Location loc, Value input,
                         ArrayRef<int64_t> perm) {
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  for (int64_t dim : perm)
    shape.push_back(inputType.getDimSize(dim));
  Value init =
      tensor::EmptyOp::create(b, loc, shape, inputType.getElementType());
  return linalg::TransposeOp::create(b, loc, input, init, perm).getResult()[0];
}

Value tessera::reshape(OpBuilder &b, Location loc, Value input,
                       RankedTensorType resultType) {
  if (input.getType() == resultType)
    return input;
  auto shapeType =
      RankedTensorType::get({resultType.getRank()}, b.getI64Type());
  Value shape = arith::ConstantOp::create(
      b, loc, DenseIntElementsAttr::get(shapeType, resultType.getShape()));
  return tensor::ReshapeOp::create(b, loc, resultType, input, shape);
}

Value tessera::pad(OpBuilder &b, Location loc, Value input,
                   ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                   double value) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  auto inputType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  for (auto [size, l, h] : llvm::zip_equal(inputType.getShape(), low, high))
    shape.push_back(size + l + h);
  auto resultType = RankedTensorType::get(shape, inputType.getElementType());
  Value padValue = scalarConstant(b, loc, inputType.getElementType(), value);
  return tensor::PadOp::create(
      b, loc, resultType, input, getAsIndexOpFoldResult(b.getContext(), low),
      getAsIndexOpFoldResult(b.getContext(), high), padValue);
}

Value tessera::addScalar(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  if (isa<FloatType>(lhs.getType()))
    return arith::AddFOp::create(b, loc, lhs, rhs);
  return arith::AddIOp::create(b, loc, lhs, rhs);
}

Value tessera::mulScalar(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  if (isa<FloatType>(lhs.getType()))
    return arith::MulFOp::create(b, loc, lhs, rhs);
  return arith::MulIOp::create(b, loc, lhs, rhs);
}

Value tessera::maxScalar(OpBuilder &b, Location loc, Value lhs, Value rhs,
                         bool isUnsigned) {
  if (isa<FloatType>(lhs.getType()))
    return arith::MaximumFOp::create(b, loc, lhs, rhs);
  if (isUnsigned)
    return arith::MaxUIOp::create(b, loc, lhs, rhs);
  return arith::MaxSIOp::create(b, loc, lhs, rhs);
}

Value tessera::minScalar(OpBuilder &b, Location loc, Value lhs, Value rhs,
                         bool isUnsigned) {
  if (isa<FloatType>(lhs.getType()))
    return arith::MinimumFOp::create(b, loc, lhs, rhs);
  if (isUnsigned)
    return arith::MinUIOp::create(b, loc, lhs, rhs);
  return arith::MinSIOp::create(b, loc, lhs, rhs);
}
