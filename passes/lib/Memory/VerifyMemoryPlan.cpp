//===- VerifyMemoryPlan.cpp - Replay a recorded memory plan ---------------===//

#include "tessera/Memory/RecordedPlan.h"
#include "tessera/Transforms/Passes.h"

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERAVERIFYMEMORYPLANPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;
using namespace mlir::tessera;

namespace {
struct VerifyMemoryPlanPass
    : public mlir::tessera::impl::TesseraVerifyMemoryPlanPassBase<
          VerifyMemoryPlanPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (!func->hasAttr(kMemoryPlanAttrName))
      return markAllAnalysesPreserved();
    FailureOr<ScheduledFunction> scheduled = readScheduledFunction(func);
    if (failed(scheduled))
      return signalPassFailure();
    if (llvm::Error error = scheduled->graph.verify()) {
      func.emitError("invalid memory plan: ")
          << llvm::toString(std::move(error));
      return signalPassFailure();
    }
    if (llvm::Error error = memory::verifyPlan(
            scheduled->graph, scheduled->recorded.spm, scheduled->plan)) {
      func.emitError("invalid memory plan: ")
          << llvm::toString(std::move(error));
      return signalPassFailure();
    }
    markAllAnalysesPreserved();
  }
};
} // namespace
