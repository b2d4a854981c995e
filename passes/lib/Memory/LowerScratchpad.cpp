//===- LowerScratchpad.cpp - Scratchpad ops to memref ops -----------------===//
//
// Lowers the tessera scratchpad model to plain memrefs so that a memory plan
// runs on a host CPU with the arena as one real buffer.
//
//===----------------------------------------------------------------------===//

#include "tessera/Dialect/Tessera/IR/Tessera.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERALOWERSCRATCHPADPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;
using namespace mlir::tessera;

namespace {

/// Replaces a DMA transfer by a synchronous copy; its token, if any, is only
/// used by waits, which are erased first.
template <typename DmaOp> void lowerTransfer(IRRewriter &rewriter, DmaOp op) {
  rewriter.setInsertionPoint(op);
  memref::CopyOp::create(rewriter, op.getLoc(), op.getSource(), op.getTarget());
  rewriter.eraseOp(op);
}

/// Checks what the lowering relies on: every arena is in the entry block
/// (its deallocation goes before every return) and every token is only
/// waited on (transfers become synchronous).
LogicalResult checkLowerable(func::FuncOp func) {
  Block *entry = &func.getBody().front();
  WalkResult result = func.walk([&](Operation *op) {
    if (isa<ArenaOp>(op) && op->getBlock() != entry) {
      op->emitOpError("must be in the entry block of its function to be "
                      "lowered");
      return WalkResult::interrupt();
    }
    for (Value result : op->getResults()) {
      if (!isa<TokenType>(result.getType()))
        continue;
      for (Operation *user : result.getUsers()) {
        if (isa<WaitOp>(user))
          continue;
        op->emitOpError("token is used by '")
            << user->getName()
            << "'; only 'tessera.wait' may use it for lowering";
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

struct LowerScratchpadPass
    : public mlir::tessera::impl::TesseraLowerScratchpadPassBase<
          LowerScratchpadPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (failed(checkLowerable(func)))
      return signalPassFailure();
    IRRewriter rewriter(func.getContext());

    func.walk([&](WaitOp op) { rewriter.eraseOp(op); });
    func.walk([&](DmaLoadOp op) {
      lowerTransfer(rewriter, op);
      ++numTransfers;
    });
    func.walk([&](DmaStoreOp op) {
      lowerTransfer(rewriter, op);
      ++numTransfers;
    });

    func.walk([&](BufferOp op) {
      rewriter.setInsertionPoint(op);
      Value offset =
          arith::ConstantIndexOp::create(rewriter, op.getLoc(), op.getOffset());
      rewriter.replaceOpWithNewOp<memref::ViewOp>(
          op, op.getResult().getType(), op.getArena(), offset, ValueRange{});
    });

    SmallVector<func::ReturnOp> returns;
    func.walk([&](func::ReturnOp op) { returns.push_back(op); });
    func.walk([&](ArenaOp op) {
      rewriter.setInsertionPoint(op);
      auto alloc = rewriter.replaceOpWithNewOp<memref::AllocOp>(
          op, op.getArena().getType(), op.getAlignmentAttr());
      for (func::ReturnOp ret : returns) {
        rewriter.setInsertionPoint(ret);
        memref::DeallocOp::create(rewriter, ret.getLoc(), alloc);
      }
    });
  }
};

} // namespace
