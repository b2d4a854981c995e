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
           << " bytes at offset " << offset << " does not fit in the arena of "
           << arenaSize << " bytes";
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

//===----------------------------------------------------------------------===//
// StepOp
//===----------------------------------------------------------------------===//

LogicalResult StepOp::verify() {
  if (getReads().size() != getReadTensors().size())
    return emitOpError("has ") << getReads().size() << " read operands but "
                               << getReadTensors().size() << " read tensor ids";
  if (getWrites().size() != getWriteTensors().size())
    return emitOpError("has ")
           << getWrites().size() << " write operands but "
           << getWriteTensors().size() << " write tensor ids";
  bool anyTensor = llvm::any_of(getOperandTypes(), llvm::IsaPred<TensorType>);
  bool anyMemRef =
      llvm::any_of(getOperandTypes(), llvm::IsaPred<BaseMemRefType>);
  if (anyTensor && anyMemRef)
    return emitOpError("mixes tensor and memref operands");
  for (int64_t id :
       llvm::concat<const int64_t>(getReadTensors(), getWriteTensors()))
    if (id < 0)
      return emitOpError("has a negative tensor id ") << id;
  return success();
}

bool StepOp::bufferizesToMemoryRead(OpOperand &,
                                    const bufferization::AnalysisState &) {
  // The marker names the buffers its step used; treating them as read keeps
  // bufferization from reusing them before the step ends.
  return true;
}

bool StepOp::bufferizesToMemoryWrite(OpOperand &,
                                     const bufferization::AnalysisState &) {
  return false;
}

bufferization::AliasingValueList
StepOp::getAliasingValues(OpOperand &, const bufferization::AnalysisState &) {
  return {};
}

LogicalResult
StepOp::bufferize(RewriterBase &rewriter,
                  const bufferization::BufferizationOptions &options,
                  bufferization::BufferizationState &state) {
  auto getBuffers = [&](ValueRange values) -> FailureOr<SmallVector<Value>> {
    SmallVector<Value> buffers;
    for (Value value : values) {
      if (!isa<TensorType>(value.getType())) {
        buffers.push_back(value);
        continue;
      }
      FailureOr<Value> buffer =
          bufferization::getBuffer(rewriter, value, options, state);
      if (failed(buffer))
        return failure();
      buffers.push_back(*buffer);
    }
    return buffers;
  };
  FailureOr<SmallVector<Value>> reads = getBuffers(getReads());
  FailureOr<SmallVector<Value>> writes = getBuffers(getWrites());
  if (failed(reads) || failed(writes))
    return failure();
  rewriter.setInsertionPoint(*this);
  StepOp::create(rewriter, getLoc(), getIndex(), getOperatorName(),
                 getReadTensors(), *reads, getWriteTensors(), *writes);
  rewriter.eraseOp(*this);
  return success();
}
