//===- TesseraOps.cpp - Operations of the tessera dialect -----------------===//

#include "tessera/Dialect/Tessera/IR/Tessera.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::tessera;

#define GET_OP_CLASSES
#include "tessera/Dialect/Tessera/IR/TesseraOps.cpp.inc"

//===----------------------------------------------------------------------===//
// ArenaOp
//===----------------------------------------------------------------------===//

LogicalResult ArenaOp::verify() {
  uint64_t alignment = getAlignment();
  if (!llvm::isPowerOf2_64(alignment))
    return emitOpError("alignment must be a power of two, got ") << alignment;
  if (getSizeInBytes() % alignment != 0)
    return emitOpError("size of ")
           << getSizeInBytes() << " bytes is not a multiple of the alignment ("
           << alignment << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// BufferOp
//===----------------------------------------------------------------------===//

int64_t BufferOp::getSizeInBytes() {
  MemRefType type = getResult().getType();
  return type.getNumElements() * (type.getElementTypeBitWidth() / 8);
}

LogicalResult BufferOp::verify() {
  MemRefType type = getResult().getType();
  if (!type.getLayout().isIdentity())
    return emitOpError("buffer must have an identity layout");
  if (!type.getElementType().isIntOrFloat() ||
      type.getElementTypeBitWidth() % 8 != 0)
    return emitOpError("element type ")
           << type.getElementType()
           << " is not an integer or float of a whole number of bytes";
  if (type.getMemorySpace() != getArena().getType().getMemorySpace())
    return emitOpError("buffer memory space ")
           << type.getMemorySpace() << " differs from the arena's";
  int64_t arenaSize = getArena().getType().getDimSize(0);
  // Non-negative by the ODS constraint, so it fits in int64_t.
  auto offset = static_cast<int64_t>(getOffset());
  std::optional<int64_t> size = llvm::checkedMul<int64_t>(
      type.getNumElements(), type.getElementTypeBitWidth() / 8);
  if (!size || *size > arenaSize || offset > arenaSize - *size)
    return emitOpError("buffer of ")
           << (size ? std::to_string(*size) : std::string("too many"))
           << " bytes at offset " << offset
           << " does not fit in the arena of " << arenaSize << " bytes";
  if (ArenaOp arena = getArenaOp()) {
    uint64_t alignment = arena.getAlignment();
    if (getOffset() % alignment != 0)
      return emitOpError("offset ")
             << getOffset() << " is not a multiple of the arena alignment ("
             << alignment << ")";
  }
  return success();
}

Value BufferOp::getViewSource() { return getArena(); }

//===----------------------------------------------------------------------===//
// DmaLoadOp / DmaStoreOp
//===----------------------------------------------------------------------===//

/// Verifies a transfer between `source` and `target`, where `buffer` (one of
/// the two) must be a scratchpad buffer and the other an off-chip memref.
static LogicalResult verifyDma(Operation *op, Value source, Value target,
                               Value buffer, bool async, Value token) {
  auto sourceType = cast<MemRefType>(source.getType());
  auto targetType = cast<MemRefType>(target.getType());
  if (sourceType.getShape() != targetType.getShape() ||
      sourceType.getElementType() != targetType.getElementType())
    return op->emitOpError("source ")
           << sourceType << " and target " << targetType
           << " must have the same shape and element type";
  if (!buffer.getDefiningOp<BufferOp>())
    return op->emitOpError("the scratchpad side of the transfer must be a "
                           "'tessera.buffer'");
  Value offChip = buffer == source ? target : source;
  if (offChip.getDefiningOp<BufferOp>())
    return op->emitOpError("the off-chip side of the transfer must not be a "
                           "scratchpad buffer");
  if (async != static_cast<bool>(token))
    return op->emitOpError("an 'async' transfer returns a token and a "
                           "synchronous one returns none");
  return success();
}

LogicalResult DmaLoadOp::verify() {
  return verifyDma(*this, getSource(), getTarget(), getBuffer(), getAsync(),
                   getToken());
}

LogicalResult DmaStoreOp::verify() {
  return verifyDma(*this, getSource(), getTarget(), getBuffer(), getAsync(),
                   getToken());
}

//===----------------------------------------------------------------------===//
// WaitOp
//===----------------------------------------------------------------------===//

LogicalResult WaitOp::canonicalize(WaitOp op, PatternRewriter &rewriter) {
  if (!op.getTokens().empty())
    return rewriter.notifyMatchFailure(op, "waits for tokens");
  rewriter.eraseOp(op);
  return success();
}
