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
template <typename DmaOp>
void lowerTransfer(IRRewriter &rewriter, DmaOp op) {
  rewriter.setInsertionPoint(op);
  memref::CopyOp::create(rewriter, op.getLoc(), op.getSource(),
                         op.getTarget());
  rewriter.eraseOp(op);
}

struct LowerScratchpadPass
    : public tessera::impl::TesseraLowerScratchpadPassBase<
          LowerScratchpadPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
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
      Value offset = arith::ConstantIndexOp::create(rewriter, op.getLoc(),
                                                    op.getOffset());
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
