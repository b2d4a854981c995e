//===- LinalgBuilders.h - Tensor computations in linalg ---------*- C++ -*-===//
//
// Small builders of linalg-on-tensors computations that the ONNX importer
// shares: broadcasting elementwise maps, reductions, fills, transposes,
// reshapes and pads. They know nothing about ONNX.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_ONNX_LINALGBUILDERS_H
#define TESSERA_FRONTEND_ONNX_LINALGBUILDERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace tessera {

/// Computes one element of an elementwise map from its operands' elements.
using ScalarBody = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// A constant of `type` (a float or integer type) holding `value`.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);

/// A tensor of `type` whose every element is `value`.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, double value);

/// `body` applied elementwise to `inputs`, broadcast to `resultType` with
/// NumPy (ONNX multidirectional) broadcasting.
mlir::Value elementwise(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::ValueRange inputs,
                        mlir::RankedTensorType resultType, ScalarBody body);

/// Broadcasts `input` along `axis` of a tensor of `resultType`: `input` is
/// 1-D with the size of that dimension (per-channel parameters).
mlir::Value broadcastAlongAxis(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value input,
                               mlir::RankedTensorType resultType, int64_t axis);

/// Reduces `input` over `dims` (keeping them with size 1), starting from
/// `init` and combining with `combine(accumulator, element)`.
mlir::Value reduceKeepDims(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> dims,
                           double init, ScalarBody combine);
/// The same with an initial value that a double cannot hold (e.g. the
/// extreme values of 64-bit integers); `init` has the element type.
mlir::Value reduceKeepDims(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> dims,
                           mlir::TypedAttr init, ScalarBody combine);

/// `input` with its dimensions permuted: result dim i is input dim perm[i].
mlir::Value transpose(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                      llvm::ArrayRef<int64_t> perm);

/// `input` reshaped (row-major) to `resultType`, which has as many elements.
mlir::Value reshape(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                    mlir::RankedTensorType resultType);

/// `input` padded with `value`: `low[i]` before and `high[i]` after dim i.
mlir::Value pad(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                double value);

/// Scalar arithmetic choosing the float or integer op from the type.
mlir::Value addScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                      mlir::Value rhs);
mlir::Value mulScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                      mlir::Value rhs);
mlir::Value maxScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                      mlir::Value rhs, bool isUnsigned = false);
mlir::Value minScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                      mlir::Value rhs, bool isUnsigned = false);

} // namespace tessera

#endif // TESSERA_FRONTEND_ONNX_LINALGBUILDERS_H
