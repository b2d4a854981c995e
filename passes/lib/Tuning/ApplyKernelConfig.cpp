//===- ApplyKernelConfig.cpp - #tessera.kernel_config to loops and vectors ===//
//
// tessera-apply-kernel-config: realises the kernel configuration of every
// linalg operator that has one, through the cost model's definition of what
// a configuration means (tessera/CostModel/Schedule.h), so that what runs is
// what the cost model was trained on.
//
//===----------------------------------------------------------------------===//

#include "tessera/CostModel/Schedule.h"
#include "tessera/Transforms/Passes.h"

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERAAPPLYKERNELCONFIGPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;
namespace cost = ::tessera::cost;

namespace {

struct ApplyKernelConfigPass
    : public mlir::tessera::impl::TesseraApplyKernelConfigPassBase<
          ApplyKernelConfigPass> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, mlir::tessera::KernelConfigAttr>>
        scheduled;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (auto config = op->getAttrOfType<mlir::tessera::KernelConfigAttr>(
              cost::kKernelConfigAttrName))
        scheduled.push_back({op, config});
    });
    IRRewriter rewriter(&getContext());
    for (auto [op, config] : scheduled) {
      if (failed(cost::applyKernelConfig(rewriter, op, config)))
        return signalPassFailure();
      ++numScheduled;
    }
  }
};

} // namespace
