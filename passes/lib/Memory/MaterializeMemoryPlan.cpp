//===- MaterializeMemoryPlan.cpp - Scratchpad arena, buffers and DMA ------===//
//
// After bufferization, turns the plan recorded by tessera-schedule-memory
// into IR: one arena, a buffer per residency at its planned offset, DMA
// loads and stores where the plan moves tensors, and every use of an
// off-chip buffer inside a step redirected to the tensor's scratchpad
// buffer.
//
//===----------------------------------------------------------------------===//

#include "tessera/Memory/GraphExtraction.h"
#include "tessera/Memory/RecordedPlan.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERAMATERIALIZEMEMORYPLANPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;
using namespace mlir::tessera;

/// The buffer a memref value views, through view-like operations.
static Value getRootBuffer(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

namespace {
/// Rewrites one scheduled function.
class Materializer {
public:
  Materializer(func::FuncOp func, ScheduledFunction &scheduled)
      : func(func), scheduled(scheduled), builder(func.getContext()) {}

  LogicalResult run(uint64_t &numLoads, uint64_t &numStores);

private:
  /// The scratchpad view of `value` (a buffer or a view of one) for use at
  /// `user`: the tensor's scratchpad buffer, or the same chain of views
  /// rebuilt on it. Null if `value` is not in the scratchpad at this step.
  Value getScratchpadValue(Value value, Operation *user);

  func::FuncOp func;
  ScheduledFunction &scheduled;
  OpBuilder builder;
  /// Off-chip buffer -> tensor id.
  DenseMap<Value, unsigned> tensorOf;
  /// Tensor id -> its scratchpad buffer in the current step, if resident.
  DenseMap<unsigned, Value> residentBuffer;
};
} // namespace

Value Materializer::getScratchpadValue(Value value, Operation *user) {
  auto tensor = tensorOf.find(value);
  if (tensor != tensorOf.end()) {
    auto buffer = residentBuffer.find(tensor->second);
    return buffer == residentBuffer.end() ? Value() : buffer->second;
  }
  auto view = value.getDefiningOp<ViewLikeOpInterface>();
  if (!view)
    return Value();
  Value source = getScratchpadValue(view.getViewSource(), user);
  if (!source)
    return Value();
  // Rebuild the view on the scratchpad right before its user.
  builder.setInsertionPoint(user);
  IRMapping mapping;
  mapping.map(view.getViewSource(), source);
  return builder.clone(*view, mapping)->getResult(0);
}

LogicalResult Materializer::run(uint64_t &numLoads, uint64_t &numStores) {
  const RecordedPlan &plan = scheduled.recorded;
  Block &body = func.getBody().front();

  for (auto [id, value] : llvm::enumerate(scheduled.tensorValues)) {
    if (!value)
      continue;
    auto type = dyn_cast<MemRefType>(value.getType());
    if (!type)
      return func.emitError("materializing a memory plan needs bufferized "
                            "IR; tensor '")
             << plan.tensorNames[id] << "' is still " << value.getType();
    if (getTypeBytes(type, 0) != plan.tensorBytes[id])
      return func.emitError("the plan counts tensor '")
             << plan.tensorNames[id] << "' as " << plan.tensorBytes[id]
             << " bytes but its buffer " << type
             << " is larger (element-bytes=" << plan.elementBytes
             << " is for analysis only)";
    if (!type.getLayout().isIdentity())
      return func.emitError("tensor '")
             << plan.tensorNames[id] << "' lives in a buffer of type " << type
             << ", which is not contiguous; it cannot move to the scratchpad";
    if (!tensorOf.try_emplace(value, id).second)
      return func.emitError("tensors '")
             << plan.tensorNames[tensorOf[value]] << "' and '"
             << plan.tensorNames[id] << "' share one off-chip buffer";
  }

  builder.setInsertionPointToStart(&body);
  auto arenaType = MemRefType::get({static_cast<int64_t>(plan.spm.capacity)},
                                   builder.getI8Type());
  Value arena =
      ArenaOp::create(builder, func.getLoc(), arenaType, plan.spm.alignment);

  Operation *stepStart = arena.getDefiningOp()->getNextNode();
  for (auto [index, step] : llvm::enumerate(scheduled.steps)) {
    // Residencies that start here get their buffer (and load) first.
    for (const memory::Residency &r : plan.residencies) {
      if (r.begin != index)
        continue;
      Value offChip = scheduled.tensorValues[r.tensor];
      builder.setInsertionPoint(stepStart);
      // A buffer defined inside this step (a constant's global, say) is
      // loaded right after its definition.
      if (Operation *def = offChip.getDefiningOp())
        if (def->getBlock() == &body &&
            (def == stepStart || stepStart->isBeforeInBlock(def)))
          builder.setInsertionPointAfter(def);
      Value buffer = BufferOp::create(builder, step.getLoc(), offChip.getType(),
                                      arena, r.offset);
      if (r.load) {
        DmaLoadOp::create(builder, step.getLoc(), Type(), offChip, buffer);
        ++numLoads;
      }
      residentBuffer[r.tensor] = buffer;
    }

    // Redirect every use inside the step.
    SmallVector<Operation *> stepOps;
    for (Operation *op = stepStart; op != step.getOperation();
         op = op->getNextNode())
      stepOps.push_back(op);
    for (Operation *op : stepOps) {
      WalkResult walk = op->walk([&](Operation *inner) {
        // Views stay on the off-chip buffers they were built on (other
        // steps may use them); each user gets its own chain on the
        // scratchpad buffer of this step instead.
        // The transfers created above already name both sides.
        if (isa<ViewLikeOpInterface, DmaLoadOp, DmaStoreOp>(inner))
          return WalkResult::advance();
        for (OpOperand &use : inner->getOpOperands()) {
          if (!isa<BaseMemRefType>(use.get().getType()))
            continue;
          Value root = getRootBuffer(use.get());
          auto tensor = tensorOf.find(root);
          if (tensor == tensorOf.end())
            continue;
          Value replacement = getScratchpadValue(use.get(), inner);
          if (!replacement) {
            inner->emitError("step ")
                << index << " uses tensor '" << plan.tensorNames[tensor->second]
                << "', which the memory plan does not keep in the scratchpad "
                   "at this step";
            return WalkResult::interrupt();
          }
          use.set(replacement);
        }
        return WalkResult::advance();
      });
      if (walk.wasInterrupted())
        return failure();
    }

    // Residencies that end here are stored (if planned) and released.
    builder.setInsertionPointAfter(step);
    for (const memory::Residency &r : plan.residencies) {
      if (r.end != index)
        continue;
      if (r.store) {
        DmaStoreOp::create(builder, step.getLoc(), Type(),
                           residentBuffer[r.tensor],
                           scheduled.tensorValues[r.tensor]);
        ++numStores;
      }
      residentBuffer.erase(r.tensor);
    }
    stepStart = builder.getInsertionPoint() == body.end()
                    ? nullptr
                    : &*builder.getInsertionPoint();
    step.erase();
    if (!stepStart)
      break;
  }
  return success();
}

namespace {
struct MaterializeMemoryPlanPass
    : public mlir::tessera::impl::TesseraMaterializeMemoryPlanPassBase<
          MaterializeMemoryPlanPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (!func->hasAttr(kMemoryPlanAttrName))
      return markAllAnalysesPreserved();
    FailureOr<ScheduledFunction> scheduled = readVerifiedSchedule(func);
    if (failed(scheduled))
      return signalPassFailure();
    uint64_t loads = 0, stores = 0;
    if (failed(Materializer(func, *scheduled).run(loads, stores)))
      return signalPassFailure();
    numLoads += loads;
    numStores += stores;
    func->removeAttr(kMemoryPlanAttrName);
  }
};
} // namespace
