//===- AnnotateCost.cpp - Cost model predictions as attributes ------------===//
//
// tessera-annotate-cost: asks the cost model for the latency of every tensor
// operator (linalg, with its #tessera.kernel_config or the default schedule)
// and every outermost affine.for or scf.for loop nest, and records it as
// `tessera.cost = #tessera.cost<latency_us = ..., source = "...">` for the
// passes that follow (placement, memory scheduling, tuning).
//
//===----------------------------------------------------------------------===//

#include "tessera/CostModel/CostModel.h"
#include "tessera/Transforms/Passes.h"

#include "llvm/ADT/APFloat.h"

#include <cmath>

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERAANNOTATECOSTPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;
namespace cost = ::tessera::cost;

namespace {

struct AnnotateCostPass
    : public mlir::tessera::impl::TesseraAnnotateCostPassBase<
          AnnotateCostPass> {
  using Base::Base;

  /// The model: `model=` when given (its problems are errors), else the
  /// registry's for the module's target (a fallback is a warning).
  std::unique_ptr<cost::CostModel> selectModel(ModuleOp module) {
    if (analytical)
      return std::make_unique<cost::RooflineCostModel>();
    if (!modelFile.empty()) {
      std::string error;
      FailureOr<std::unique_ptr<cost::CostModel>> model =
          cost::CostModelRegistry::instance().loadFile(modelFile, &error);
      if (failed(model)) {
        module.emitError("tessera-annotate-cost: ") << error;
        return nullptr;
      }
      return std::move(*model);
    }
    cost::TargetDesc target = cost::TargetDesc::host();
    if (auto attr =
            module->getAttrOfType<mlir::tessera::TargetAttr>("tessera.target"))
      target = cost::TargetDesc::fromAttr(attr);
    std::string warning;
    std::unique_ptr<cost::CostModel> model =
        cost::CostModelRegistry::instance().getModelFor(target, &warning);
    if (!warning.empty())
      module.emitWarning("tessera-annotate-cost: ") << warning;
    return model;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::unique_ptr<cost::CostModel> model = selectModel(module);
    if (!model)
      return signalPassFailure();

    // Describe every kernel, then predict them in one batch.
    SmallVector<Operation *> ops;
    std::vector<cost::KernelDescription> kernels;
    module.walk([&](Operation *op) {
      if (!isa<linalg::LinalgOp>(op) &&
          !(loopNests && cost::isLoopNestKernel(op)))
        return;
      std::string error;
      FailureOr<cost::KernelDescription> kernel =
          cost::describeKernel(op, &error);
      if (failed(kernel)) {
        op->emitWarning("tessera-annotate-cost: not annotated: ") << error;
        ++numUnknown;
        return;
      }
      ops.push_back(op);
      kernels.push_back(std::move(*kernel));
    });
    SmallVector<const cost::KernelDescription *> pointers;
    for (const cost::KernelDescription &kernel : kernels)
      pointers.push_back(&kernel);
    SmallVector<cost::Prediction> predictions(kernels.size());
    model->predictBatch(pointers, predictions);

    MLIRContext *ctx = &getContext();
    for (auto [op, prediction] : llvm::zip(ops, predictions)) {
      if (!std::isfinite(prediction.latencyUs) || prediction.latencyUs < 0) {
        op->emitWarning("tessera-annotate-cost: not annotated: the ")
            << prediction.source << " model predicts " << prediction.latencyUs
            << " us";
        ++numUnknown;
        continue;
      }
      if (!prediction.fallbackReason.empty()) {
        op->emitWarning("tessera-annotate-cost: ")
            << prediction.fallbackReason << "; using the analytical model";
        ++numFallbacks;
      }
      op->setAttr("tessera.cost", mlir::tessera::CostAttr::get(
                                      ctx, llvm::APFloat(prediction.latencyUs),
                                      prediction.source));
      ++numAnnotated;
    }
  }
};

} // namespace
