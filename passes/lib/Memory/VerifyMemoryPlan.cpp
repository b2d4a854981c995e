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
    if (failed(readVerifiedSchedule(func)))
      return signalPassFailure();
    markAllAnalysesPreserved();
  }
};
} // namespace
