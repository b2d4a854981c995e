//===- TesseraAttrs.cpp - Attributes of the tessera dialect ---------------===//

#include "tessera/Dialect/Tessera/IR/Tessera.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::tessera;

#define GET_ATTRDEF_CLASSES
#include "tessera/Dialect/Tessera/IR/TesseraAttrs.cpp.inc"

void TesseraDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "tessera/Dialect/Tessera/IR/TesseraAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// TargetAttr
//===----------------------------------------------------------------------===//

LogicalResult TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 TargetKind kind, int64_t scratchpad,
                                 int64_t alignment, int64_t vectorBits,
                                 int64_t cores, StringAttr arch, int64_t dsp,
                                 int64_t bram) {
  auto nonNegative = [&](StringRef name, int64_t value) -> LogicalResult {
    if (value >= 0)
      return success();
    return emitError() << "'" << name << "' must be non-negative, got "
                       << value;
  };
  if (failed(nonNegative("scratchpad", scratchpad)) ||
      failed(nonNegative("vector_bits", vectorBits)) ||
      failed(nonNegative("cores", cores)) || failed(nonNegative("dsp", dsp)) ||
      failed(nonNegative("bram", bram)))
    return failure();
  if (alignment <= 0 || !llvm::isPowerOf2_64(alignment))
    return emitError() << "'alignment' must be a positive power of two, got "
                       << alignment;
  if (scratchpad % alignment != 0)
    return emitError() << "'scratchpad' (" << scratchpad
                       << " bytes) must be a multiple of 'alignment' ("
                       << alignment << ")";
  if ((dsp != 0 || bram != 0) && kind != TargetKind::fpga)
    return emitError() << "'dsp' and 'bram' budgets apply to fpga targets "
                          "only";
  return success();
}

//===----------------------------------------------------------------------===//
// KernelConfigAttr
//===----------------------------------------------------------------------===//

/// Checks that `dims` are distinct loop indices in [0, numLoops).
static LogicalResult
verifyLoopIndices(function_ref<InFlightDiagnostic()> emitError, StringRef name,
                  ArrayRef<int64_t> dims, int64_t numLoops) {
  llvm::SmallBitVector seen(numLoops);
  for (int64_t dim : dims) {
    if (dim < 0 || dim >= numLoops)
      return emitError() << "'" << name << "' entry " << dim
                         << " is not a loop index in [0, " << numLoops << ")";
    if (seen.test(dim))
      return emitError() << "'" << name << "' repeats loop " << dim;
    seen.set(dim);
  }
  return success();
}

LogicalResult
KernelConfigAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                         ArrayAttr tiles, ArrayRef<int64_t> loopOrder,
                         int64_t vectorWidth, int64_t unroll,
                         ArrayRef<int64_t> parallelDims) {
  int64_t numLoops = loopOrder.size();
  if (numLoops == 0)
    return emitError() << "'loop_order' must name at least one loop";
  if (failed(verifyLoopIndices(emitError, "loop_order", loopOrder, numLoops)))
    return failure();
  for (auto [level, levelAttr] : llvm::enumerate(tiles)) {
    auto isTileSize = [](Attribute size) {
      auto integer = dyn_cast<IntegerAttr>(size);
      return integer && (integer.getType().isSignlessInteger(64) ||
                         integer.getType().isIndex());
    };
    auto sizes = dyn_cast<ArrayAttr>(levelAttr);
    if (!sizes || !llvm::all_of(sizes, isTileSize))
      return emitError() << "tile level " << level
                         << " must be an array of i64 integers, e.g. [64, 64]";
    if (static_cast<int64_t>(sizes.size()) != numLoops)
      return emitError() << "tile level " << level << " has " << sizes.size()
                         << " sizes but 'loop_order' has " << numLoops
                         << " loops";
    if (llvm::any_of(sizes.getAsRange<IntegerAttr>(),
                     [](IntegerAttr s) { return s.getInt() < 0; }))
      return emitError() << "tile level " << level
                         << " has a negative tile size";
  }
  if (vectorWidth <= 0 || !llvm::isPowerOf2_64(vectorWidth))
    return emitError() << "'vector_width' must be a positive power of two, got "
                       << vectorWidth;
  if (unroll <= 0)
    return emitError() << "'unroll' must be positive, got " << unroll;
  if (failed(verifyLoopIndices(emitError, "parallel_dims", parallelDims,
                               numLoops)))
    return failure();
  return success();
}

SmallVector<int64_t> KernelConfigAttr::getTileSizes(unsigned level) const {
  return llvm::map_to_vector(
      cast<ArrayAttr>(getTiles()[level]).getAsRange<IntegerAttr>(),
      [](IntegerAttr size) { return size.getInt(); });
}

//===----------------------------------------------------------------------===//
// CostAttr
//===----------------------------------------------------------------------===//

LogicalResult CostAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               APFloat latencyUs, StringRef source) {
  double latency = latencyUs.convertToDouble();
  if (!(latency >= 0.0))
    return emitError() << "'latency_us' must be a non-negative number, got "
                       << latency;
  if (source.empty())
    return emitError() << "'source' must name the model of the prediction";
  return success();
}
