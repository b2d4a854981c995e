//===- Schedule.h - What a #tessera.kernel_config does to a loop nest -*- C++
//-*-===//
//
// The meaning of a kernel configuration, in one place: the loop nest it
// produces (used by the feature extractor and the analytical model) and the
// IR transformation that realises it on a linalg operator with buffer
// semantics (used by dataset collection, later by tessera-tune).
//
// For an operator with loops d0..d(n-1) and extents E:
//  1. every tile level l, outermost first, tiles the loops in `loop_order`
//     with `tiles[l]` (0, or a size not smaller than the current extent,
//     leaves a loop untiled at that level);
//  2. the point level iterates over every loop of the innermost tile in
//     `loop_order`, one element at a time, except the innermost loop of
//     `loop_order` (the vector loop), which steps by `vector_width`;
//  3. the body of the vector loop, `vector_width` elements, is vector code:
//     each operand is read (and the output written) as one vector transfer
//     of its 1-D line along the vector loop's dimension (contiguous, strided,
//     or one element broadcast), the computation is vector arithmetic, and a
//     reduction along the vector loop is a vector reduction. With
//     `vector_width` 1, or one that does not divide the vector loop's extent
//     (partial vectors are not built), the body is scalar code;
//  4. the vector loop is unrolled `unroll` times;
//  5. every loop of the nest (vector body or not) carries the LLVM loop
//     annotation `vectorize = <disable = true>, unroll = <disable = true>`:
//     LLVM's loop vectoriser neither vectorises nor interleaves it, and its
//     unroller leaves it a loop (so the SLP vectoriser gets no flattened point
//     nest to pack; it may still pack the configuration's own unrolled copies
//     of a scalar body);
//  6. `parallel_dims` is recorded but not acted on (collection measures on
//     one thread).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COSTMODEL_SCHEDULE_H
#define TESSERA_COSTMODEL_SCHEDULE_H

#include "tessera/Dialect/Tessera/IR/Tessera.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SmallVector.h"

namespace tessera::cost {

/// Version of the code a kernel configuration compiles to: this file's
/// transformation and the CPU pipeline's lowering of it. Latencies measured
/// under one version say nothing about another, so datasets and model files
/// record it, and training, evaluation and model loading refuse any other.
///  1: the vector body as unrolled scalar code, vectorised by LLVM;
///  2: the vector body as vector operations (scalar when the width is 1);
///  3: as 2, and LLVM's loop vectoriser disabled on the nest's loops (a
///     scalar body is not vectorised behind the configuration's back);
///  4: as 3, and LLVM's loop unroller disabled on them too (it no longer
///     flattens a point nest into straight-line code for the SLP vectoriser).
constexpr unsigned kCodegenVersion = 4;

/// The name of the discardable attribute that carries a kernel configuration
/// on an operator.
constexpr llvm::StringLiteral kKernelConfigAttrName = "tessera.kernel_config";

/// One loop of a scheduled nest, outermost first.
struct ScheduledLoop {
  /// The operator loop (iteration-domain dimension) it iterates over.
  unsigned dim = 0;
  /// Number of iterations.
  int64_t trip = 1;
  /// Elements of `dim` advanced per iteration.
  int64_t step = 1;
  /// Tile level (0 = outermost), or the number of tile levels for the point
  /// level.
  unsigned level = 0;
};

/// The loop nest a configuration produces on an iteration domain.
struct ScheduledNest {
  llvm::SmallVector<ScheduledLoop> loops;
  /// The vector loop's dimension, its width and the unroll factor.
  unsigned vectorDim = 0;
  int64_t vectorWidth = 1;
  int64_t unroll = 1;
  unsigned numTileLevels = 0;
  /// Tile sizes actually in effect per level and dimension (the extent when
  /// a level leaves a dimension untiled).
  llvm::SmallVector<llvm::SmallVector<int64_t>> tileExtents;
  /// Product of the outermost trip counts of the loops in `parallel_dims`.
  int64_t parallelExtent = 1;
};

/// Computes the loop nest of `config` on a domain with extents `domain`.
/// Fails (with a message in `error`) when the configuration does not fit the
/// domain: wrong number of loops.
mlir::FailureOr<ScheduledNest>
computeScheduledNest(llvm::ArrayRef<int64_t> domain,
                     mlir::tessera::KernelConfigAttr config,
                     std::string *error = nullptr);

/// The configuration of an operator left as it is: no tiles, loops in their
/// natural order, scalar, no unrolling.
mlir::tessera::KernelConfigAttr getDefaultKernelConfig(mlir::MLIRContext *ctx,
                                                       unsigned numLoops);

/// Realises `config` on `op` (buffer semantics, static shapes): multi-level
/// tiling with `scf.for`, point loops, the vector body and the unrolled
/// vector loop, as described at the top of this file. Replaces `op`; loads
/// the dialects it builds with (arith, llvm, memref, scf, vector).
mlir::LogicalResult applyKernelConfig(mlir::RewriterBase &rewriter,
                                      mlir::linalg::LinalgOp op,
                                      mlir::tessera::KernelConfigAttr config);

} // namespace tessera::cost

#endif // TESSERA_COSTMODEL_SCHEDULE_H
