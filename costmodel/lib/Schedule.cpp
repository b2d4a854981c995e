//===- Schedule.cpp - What a #tessera.kernel_config does to a loop nest ---===//

#include "tessera/CostModel/Schedule.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace tessera::cost {

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// llvm.br's loop annotation; an scf.for that carries an attribute of this
/// name has it on its latch branch once lowered to the LLVM dialect.
static constexpr llvm::StringLiteral kLoopAnnotationAttrName =
    "loop_annotation";

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

/// Rewrites the point-level body `body`, whose iteration domain is one
/// element in every dimension but `vectorDim` (of static extent), as a
/// one-dimensional linalg.generic over `vectorDim`: every operand becomes the
/// 1-D strided view (or the single element) of it the body reads or writes.
/// Convolution windows and transposed operands turn into plain strided lines,
/// which linalg's vectoriser accepts.
static FailureOr<linalg::GenericOp> extractVectorLine(RewriterBase &rewriter,
                                                      linalg::LinalgOp body,
                                                      unsigned vectorDim) {
  Location loc = body.getLoc();
  MLIRContext *ctx = body.getContext();
  unsigned numDims = body.getNumLoops();
  int64_t width = body.getStaticLoopRanges()[vectorDim];
  rewriter.setInsertionPoint(body);

  // Each map result, with every dimension but the vector one at 0, is
  // `coefficient * v + offset`.
  auto evaluate = [&](AffineExpr e, int64_t v) -> std::optional<int64_t> {
    SmallVector<AffineExpr> dims(numDims, getAffineConstantExpr(0, ctx));
    dims[vectorDim] = getAffineConstantExpr(v, ctx);
    auto value = dyn_cast<AffineConstantExpr>(
        simplifyAffineExpr(e.replaceDims(dims), 0, 0));
    if (!value)
      return std::nullopt;
    return value.getValue();
  };
  AffineMap lineMap = AffineMap::getMultiDimIdentityMap(1, ctx);
  AffineMap elementMap = AffineMap::get(1, 0, ctx);
  SmallVector<Value> views;
  SmallVector<AffineMap> maps;
  for (OpOperand &operand : body->getOpOperands()) {
    AffineMap map = body.getMatchingIndexingMap(&operand);
    auto type = cast<MemRefType>(operand.get().getType());
    SmallVector<OpFoldResult> offsets, sizes, strides;
    std::optional<unsigned> lineResult;
    for (auto [r, e] : llvm::enumerate(map.getResults())) {
      std::optional<int64_t> at0 = evaluate(e, 0), at1 = evaluate(e, 1);
      if (!e.isPureAffine() || !at0 || !at1)
        return body->emitError("the vector body indexes operand #")
               << operand.getOperandNumber() << " non-affinely";
      int64_t coefficient = *at1 - *at0;
      offsets.push_back(rewriter.getIndexAttr(*at0));
      sizes.push_back(rewriter.getIndexAttr(1));
      strides.push_back(rewriter.getIndexAttr(1));
      if (coefficient == 0)
        continue;
      if (coefficient < 0 || lineResult)
        return body->emitError("the vector dimension indexes operand #")
               << operand.getOperandNumber()
               << " other than by one increasing stride";
      lineResult = r;
      sizes.back() = rewriter.getIndexAttr(width);
      strides.back() = rewriter.getIndexAttr(coefficient);
    }
    SmallVector<int64_t> shape;
    if (lineResult)
      shape.push_back(width);
    auto viewType = memref::SubViewOp::inferRankReducedResultType(
        shape, type, offsets, sizes, strides);
    views.push_back(
        memref::SubViewOp::create(rewriter, loc, cast<MemRefType>(viewType),
                                  operand.get(), offsets, sizes, strides));
    maps.push_back(lineResult ? lineMap : elementMap);
  }

  unsigned numInputs = body.getNumDpsInputs();
  auto line = linalg::GenericOp::create(
      rewriter, loc, TypeRange(), ArrayRef(views).take_front(numInputs),
      ArrayRef(views).drop_front(numInputs), maps,
      {body.getIteratorTypesArray()[vectorDim]});
  // The body's computation, its element indices rebased on the line.
  IRMapping mapping;
  Block *block = rewriter.createBlock(&line.getRegion());
  for (BlockArgument arg : body.getBlock()->getArguments())
    mapping.map(arg, block->addArgument(arg.getType(), loc));
  rewriter.setInsertionPointToStart(block);
  for (Operation &op : body.getBlock()->getOperations()) {
    if (auto index = dyn_cast<linalg::IndexOp>(op)) {
      Value replacement =
          index.getDim() == vectorDim
              ? linalg::IndexOp::create(rewriter, loc, 0).getResult()
              : arith::ConstantIndexOp::create(rewriter, loc, 0).getResult();
      mapping.map(index.getResult(), replacement);
      continue;
    }
    rewriter.clone(op, mapping);
  }
  rewriter.eraseOp(body);
  rewriter.setInsertionPoint(line);
  return line;
}

/// The body of a scalar point loop nest: the operator's computation on one
/// element, as scalar loads, arithmetic and stores.
static LogicalResult emitScalarBody(RewriterBase &rewriter,
                                    linalg::LinalgOp body) {
  rewriter.setInsertionPoint(body);
  FailureOr<linalg::LinalgLoops> loops =
      linalg::linalgOpToLoops(rewriter, body);
  if (failed(loops))
    return body->emitError("cannot lower the point body to loops");
  rewriter.eraseOp(body);
  // Unroll the body's loops of static trip counts (a partial vector's is
  // dynamic and stays a loop).
  for (Operation *loop : llvm::reverse(*loops)) {
    auto forOp = dyn_cast<scf::ForOp>(loop);
    if (!forOp || !getConstantIntValue(forOp.getLowerBound()) ||
        !getConstantIntValue(forOp.getUpperBound()))
      continue;
    if (failed(mlir::loopUnrollFull(forOp)))
      return forOp->emitError("cannot unroll the point body");
  }
  return success();
}

/// The body of the vector loop: one vector operation per operand and per
/// operation of the computation, along `vectorDim` (of a static extent).
static LogicalResult emitVectorBody(RewriterBase &rewriter,
                                    linalg::LinalgOp body, unsigned vectorDim) {
  FailureOr<linalg::GenericOp> line =
      extractVectorLine(rewriter, body, vectorDim);
  if (failed(line))
    return failure();
  if (failed(linalg::vectorize(rewriter, *line)))
    return line->emitError("cannot vectorize the vector body");
  rewriter.eraseOp(*line);
  return success();
}

/// Marks every scf.for of the nest rooted at `root` as neither to be
/// vectorised nor to be unrolled by LLVM: the nest runs as the configuration
/// built it (LLVM's full unrolling of a point nest hands its straight-line
/// copies to the SLP vectoriser, which packs a scalar body into vectors). The
/// attribute travels from scf.for to the loop's latch branch (scf-to-cf copies
/// LLVM attributes, cf-to-llvm forwards them to llvm.br's `loop_annotation`)
/// and becomes `!llvm.loop` metadata.
static void disableLLVMLoopTransforms(Operation *root) {
  MLIRContext *ctx = root->getContext();
  BoolAttr yes = BoolAttr::get(ctx, true);
  auto noVectorize = LLVM::LoopVectorizeAttr::get(
      ctx, yes, /*predicateEnable=*/{}, /*scalableEnable=*/{}, /*width=*/{},
      /*followupVectorized=*/{}, /*followupEpilogue=*/{}, /*followupAll=*/{});
  auto noUnroll = LLVM::LoopUnrollAttr::get(
      ctx, yes, /*count=*/{}, /*runtimeDisable=*/{}, /*full=*/{},
      /*followupUnrolled=*/{}, /*followupRemainder=*/{}, /*followupAll=*/{});
  auto annotation = LLVM::LoopAnnotationAttr::get(
      ctx, /*disableNonforced=*/{}, noVectorize, /*interleave=*/{}, noUnroll,
      /*unrollAndJam=*/{}, /*licm=*/{}, /*distribute=*/{}, /*pipeline=*/{},
      /*peeled=*/{}, /*unswitch=*/{}, /*mustProgress=*/{},
      /*isVectorized=*/{}, /*startLoc=*/{}, /*endLoc=*/{},
      /*parallelAccesses=*/{});
  root->walk([&](scf::ForOp loop) {
    loop->setAttr(kLoopAnnotationAttrName, annotation);
  });
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
  // The dialects the nest is built of; a pass that calls this declares them
  // as its dependent dialects, so that this loads nothing there.
  op->getContext()
      ->loadDialect<arith::ArithDialect, LLVM::LLVMDialect,
                    memref::MemRefDialect, scf::SCFDialect,
                    vector::VectorDialect>();

  Operation *current = op;
  // The outermost loop of the nest, once there is one.
  Operation *nestRoot = nullptr;
  auto noteLoops = [&](const scf::SCFTilingResult &tiled) {
    if (!nestRoot && !tiled.loops.empty())
      nestRoot = tiled.loops.front();
  };
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
    noteLoops(*tiled);
    current = tiled->tiledOps.back();
  }

  // Point level: every loop one element at a time, the vector loop by W.
  SmallVector<int64_t> pointSizes(domain.size(), 1);
  pointSizes[nest->vectorDim] = nest->vectorWidth;
  FailureOr<scf::SCFTilingResult> point =
      tileOnce(rewriter, current, pointSizes, order);
  if (failed(point))
    return failure();
  noteLoops(*point);
  auto body = cast<linalg::LinalgOp>(point->tiledOps.back());
  scf::ForOp vectorLoop;
  if (!point->loops.empty())
    vectorLoop = dyn_cast<scf::ForOp>(point->loops.back().getOperation());

  // A width that does not divide the vector loop's extent leaves a partial
  // last vector of a dynamic width: the body is then scalar code.
  bool vectorBody =
      nest->vectorWidth > 1 &&
      body.getStaticLoopRanges()[nest->vectorDim] != ShapedType::kDynamic;
  if (failed(vectorBody ? emitVectorBody(rewriter, body, nest->vectorDim)
                        : emitScalarBody(rewriter, body)))
    return failure();

  // Before unrolling, which may promote (erase) a loop of one iteration; the
  // unrolled loop and its epilogue keep the attribute.
  if (nestRoot)
    disableLLVMLoopTransforms(nestRoot);
  if (nest->unroll > 1 && vectorLoop) {
    if (failed(mlir::loopUnrollByFactor(vectorLoop, nest->unroll)))
      return vectorLoop->emitError("cannot unroll the vector loop");
  }
  return success();
}

} // namespace tessera::cost
