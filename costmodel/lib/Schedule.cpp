//===- Schedule.cpp - What a #tessera.kernel_config does to a loop nest ---===//

#include "tessera/CostModel/Schedule.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace tessera::cost {

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

FailureOr<ScheduledNest>
computeScheduledNest(ArrayRef<int64_t> domain,
                     mlir::tessera::KernelConfigAttr config,
                     std::string *error) {
  auto fail = [&](const Twine &message) -> FailureOr<ScheduledNest> {
    if (error)
      *error = message.str();
    return failure();
  };
  size_t n = domain.size();
  if (static_cast<size_t>(config.getNumLoops()) != n)
    return fail(llvm::formatv("kernel_config schedules {0} loops but the "
                              "operator has {1}",
                              config.getNumLoops(), n));
  if (llvm::any_of(domain, [](int64_t e) { return e <= 0; }))
    return fail("the operator's iteration domain is not static and positive");

  ScheduledNest nest;
  ArrayRef<int64_t> order = config.getLoopOrder();
  SmallVector<int64_t> extent(domain);
  nest.numTileLevels = config.getTiles().size();
  for (unsigned level = 0; level < nest.numTileLevels; ++level) {
    SmallVector<int64_t> sizes = config.getTileSizes(level);
    for (int64_t d : order) {
      int64_t size = sizes[d];
      if (size <= 0 || size >= extent[d])
        continue;
      nest.loops.push_back(
          {static_cast<unsigned>(d), ceilDiv(extent[d], size), size, level});
      extent[d] = size;
    }
    nest.tileExtents.push_back(extent);
  }

  nest.vectorDim = order.back();
  nest.vectorWidth =
      std::min<int64_t>(config.getVectorWidth(), extent[nest.vectorDim]);
  nest.unroll = config.getUnroll();
  for (int64_t d : order) {
    bool isVector = static_cast<unsigned>(d) == nest.vectorDim;
    int64_t step = isVector ? nest.vectorWidth : 1;
    int64_t trip = ceilDiv(extent[d], step);
    if (trip > 1)
      nest.loops.push_back(
          {static_cast<unsigned>(d), trip, step, nest.numTileLevels});
  }

  for (int64_t d : config.getParallelDims()) {
    for (const ScheduledLoop &loop : nest.loops) {
      if (loop.dim == static_cast<unsigned>(d)) {
        nest.parallelExtent *= loop.trip;
        break;
      }
    }
  }
  return nest;
}

mlir::tessera::KernelConfigAttr getDefaultKernelConfig(MLIRContext *ctx,
                                                       unsigned numLoops) {
  SmallVector<int64_t> order;
  for (unsigned d = 0; d < numLoops; ++d)
    order.push_back(d);
  return mlir::tessera::KernelConfigAttr::get(ctx, ArrayAttr::get(ctx, {}),
                                              order,
                                              /*vectorWidth=*/1, /*unroll=*/1,
                                              /*parallelDims=*/{});
}

/// Tiles `op` with `sizes` (0: not tiled) in the loop order `order`; returns
/// the tiled operator and the generated loops, outermost first.
static FailureOr<scf::SCFTilingResult> tileOnce(RewriterBase &rewriter,
                                                Operation *op,
                                                ArrayRef<int64_t> sizes,
                                                ArrayRef<int64_t> order) {
  auto tilable = dyn_cast<TilingInterface>(op);
  if (!tilable)
    return op->emitError("cannot be tiled: no TilingInterface");
  SmallVector<OpFoldResult> tileSizes =
      llvm::map_to_vector(sizes, [&](int64_t s) -> OpFoldResult {
        return rewriter.getIndexAttr(s);
      });
  scf::SCFTilingOptions options;
  options.setTileSizes(tileSizes);
  options.setInterchange(order);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> result =
      scf::tileUsingSCF(rewriter, tilable, options);
  if (failed(result))
    return op->emitError("tiling failed");
  if (op->getNumResults())
    rewriter.replaceOp(op, result->replacements);
  else
    rewriter.eraseOp(op);
  return result;
}

LogicalResult applyKernelConfig(RewriterBase &rewriter, linalg::LinalgOp op,
                                mlir::tessera::KernelConfigAttr config) {
  if (!op.hasPureBufferSemantics())
    return op->emitError("kernel configurations are applied on buffers; "
                         "bufferize first");
  SmallVector<int64_t> domain = op.getStaticLoopRanges();
  std::string error;
  FailureOr<ScheduledNest> nest = computeScheduledNest(domain, config, &error);
  if (failed(nest))
    return op->emitError(error);
  ArrayRef<int64_t> order = config.getLoopOrder();

  Operation *current = op;
  SmallVector<int64_t> before(domain);
  for (const SmallVector<int64_t> &after : nest->tileExtents) {
    // Tile only the loops this level shrinks.
    SmallVector<int64_t> sizes(domain.size(), 0);
    for (size_t d = 0; d < sizes.size(); ++d)
      if (after[d] < before[d])
        sizes[d] = after[d];
    before = after;
    if (llvm::all_of(sizes, [](int64_t s) { return s == 0; }))
      continue;
    FailureOr<scf::SCFTilingResult> tiled =
        tileOnce(rewriter, current, sizes, order);
    if (failed(tiled))
      return failure();
    current = tiled->tiledOps.back();
  }

  // Point level: every loop one element at a time, the vector loop by W.
  SmallVector<int64_t> pointSizes(domain.size(), 1);
  pointSizes[nest->vectorDim] = nest->vectorWidth;
  FailureOr<scf::SCFTilingResult> point =
      tileOnce(rewriter, current, pointSizes, order);
  if (failed(point))
    return failure();
  auto body = cast<linalg::LinalgOp>(point->tiledOps.back());
  scf::ForOp vectorLoop;
  if (!point->loops.empty())
    vectorLoop = dyn_cast<scf::ForOp>(point->loops.back().getOperation());

  // The vector body: scalar loops, fully unrolled.
  rewriter.setInsertionPoint(body);
  FailureOr<linalg::LinalgLoops> bodyLoops =
      linalg::linalgOpToLoops(rewriter, body);
  if (failed(bodyLoops))
    return body->emitError("cannot lower the vector body to loops");
  rewriter.eraseOp(body);
  for (Operation *loop : llvm::reverse(*bodyLoops)) {
    auto forOp = dyn_cast<scf::ForOp>(loop);
    if (forOp && failed(mlir::loopUnrollFull(forOp)))
      return forOp->emitError("cannot unroll the vector body");
  }

  if (nest->unroll > 1 && vectorLoop) {
    if (failed(mlir::loopUnrollByFactor(vectorLoop, nest->unroll)))
      return vectorLoop->emitError("cannot unroll the vector loop");
  }
  return success();
}

} // namespace tessera::cost
