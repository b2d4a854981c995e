//===- ScheduleMemory.cpp - COSMA operator order and scratchpad plan ------===//
//
// Extracts the operator graph of each function, plans it with one of the
// memory planners, reorders the operations into the planned order with a
// tessera.step marker closing each step, and records the plan on the
// function. See docs/memory-planning.md.
//
//===----------------------------------------------------------------------===//

#include "tessera/Memory/GraphExtraction.h"
#include "tessera/Memory/Planner.h"
#include "tessera/Memory/RecordedPlan.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

namespace mlir::tessera {
#define GEN_PASS_DEF_TESSERASCHEDULEMEMORYPASS
#include "tessera/Transforms/Passes.h.inc"
} // namespace mlir::tessera

using namespace mlir;
using namespace mlir::tessera;

/// Moves the operations of `func` into the planned order: constants and
/// empty tensors first, then per step the operations the operator needs
/// that nothing placed yet (views, scalars), its own operations and a
/// tessera.step marker, then whatever is left (views of the results).
static void reorderOperations(func::FuncOp func,
                              const ExtractedGraph &extracted,
                              const memory::Plan &plan) {
  Block &body = func.getBody().front();
  Operation *terminator = body.getTerminator();
  DenseMap<Operation *, unsigned> position;
  for (auto [index, op] : llvm::enumerate(body))
    position[&op] = index;
  DenseSet<Operation *> operatorMembers;
  for (const SmallVector<Operation *> &ops : extracted.operatorOps)
    operatorMembers.insert(ops.begin(), ops.end());

  DenseSet<Operation *> placed;
  Operation *hoistPoint = &body.front();
  for (Operation &op : llvm::make_early_inc_range(body)) {
    if (!isa<arith::ConstantOp, tensor::EmptyOp>(op))
      continue;
    if (&op != hoistPoint)
      op.moveBefore(hoistPoint);
    else
      hoistPoint = op.getNextNode();
    placed.insert(&op);
  }

  // The not yet placed, non-operator operations of the block that `ops`
  // depend on, transitively, including through their regions.
  auto collectDependencies = [&](ArrayRef<Operation *> ops) {
    llvm::SetVector<Operation *> needed;
    SmallVector<Operation *> worklist(ops.begin(), ops.end());
    while (!worklist.empty()) {
      Operation *op = worklist.pop_back_val();
      op->walk([&](Operation *inner) {
        for (Value operand : inner->getOperands()) {
          Operation *def = operand.getDefiningOp();
          if (!def || def->getBlock() != &body || placed.contains(def) ||
              operatorMembers.contains(def) || !needed.insert(def))
            continue;
          worklist.push_back(def);
        }
      });
    }
    return needed.takeVector();
  };

  const memory::Graph &graph = extracted.graph;
  OpBuilder builder(terminator);
  for (auto [step, op] : llvm::enumerate(plan.order)) {
    ArrayRef<Operation *> members = extracted.operatorOps[op];
    // Members and what they need, in their original relative order (a view
    // of a fused pad sits between the pad and the convolution reading it).
    SmallVector<Operation *> moved = collectDependencies(members);
    llvm::append_range(moved, members);
    llvm::sort(moved, [&](Operation *a, Operation *b) {
      return position[a] < position[b];
    });
    for (Operation *moving : moved) {
      moving->moveBefore(terminator);
      placed.insert(moving);
    }
    const memory::Operator &node = graph.getOperator(op);
    auto values = [&](ArrayRef<unsigned> ids) {
      return llvm::map_to_vector(
          ids, [&](unsigned id) { return extracted.tensorValues[id]; });
    };
    auto toI64 = [](ArrayRef<unsigned> ids) {
      return SmallVector<int64_t>(ids.begin(), ids.end());
    };
    StepOp::create(builder, members.back()->getLoc(), step, node.name,
                   toI64(node.inputs), values(node.inputs), toI64(node.outputs),
                   values(node.outputs));
  }
  for (Operation &op : llvm::make_early_inc_range(body))
    if (!placed.contains(&op) && &op != terminator && !isa<StepOp>(op) &&
        op.isBeforeInBlock(terminator))
      op.moveBefore(terminator);
}

/// The JSON report of --report: traffic, solver figures, per-step
/// residency.
static llvm::json::Object makeReport(func::FuncOp func,
                                     const memory::Graph &graph,
                                     const memory::PlannerOptions &options,
                                     bool includeWeights, unsigned elementBytes,
                                     const memory::PlanResult &result) {
  using llvm::json::Array;
  using llvm::json::Object;
  const memory::Plan &plan = result.plan;
  Array steps;
  for (auto [step, op] : llvm::enumerate(plan.order)) {
    Array resident, loads, stores;
    for (const memory::Residency &r : plan.residencies) {
      if (r.begin > step || r.end < step)
        continue;
      StringRef name = graph.getTensor(r.tensor).name;
      resident.push_back(Object{{"tensor", name},
                                {"offset", r.offset},
                                {"bytes", graph.getTensor(r.tensor).bytes}});
      if (r.load && r.begin == step)
        loads.push_back(name);
      if (r.store && r.end == step)
        stores.push_back(name);
    }
    steps.push_back(Object{{"step", static_cast<int64_t>(step)},
                           {"operator", graph.getOperator(op).name},
                           {"resident", std::move(resident)},
                           {"loads", std::move(loads)},
                           {"stores", std::move(stores)}});
  }
  Object report{{"function", func.getSymName()},
                {"solver", result.plannerName},
                {"requested_solver", memory::getPlannerName(options.kind)},
                {"spm_bytes", options.spm.capacity},
                {"alignment", options.spm.alignment},
                {"include_weights", includeWeights},
                {"element_bytes", static_cast<int64_t>(elementBytes)},
                {"operators", static_cast<int64_t>(graph.numOperators())},
                {"tensors", static_cast<int64_t>(graph.numTensors())},
                {"compulsory_load_bytes", result.traffic.compulsoryLoadBytes},
                {"compulsory_store_bytes", result.traffic.compulsoryStoreBytes},
                {"compulsory_bytes", result.traffic.compulsoryBytes()},
                {"nc_load_bytes", result.traffic.ncLoadBytes},
                {"nc_store_bytes", result.traffic.ncStoreBytes},
                {"nc_bytes", result.traffic.ncBytes()},
                {"peak_spm_bytes", result.peakBytes},
                {"solve_seconds", result.solveSeconds},
                {"proven_optimal", result.provenOptimal},
                {"steps", std::move(steps)}};
  if (result.gap)
    report["gap"] = *result.gap;
  if (result.solverBound)
    report["solver_bound_nc_bytes"] = *result.solverBound;
  if (result.relaxationBound)
    report["relaxation_bound_nc_bytes"] = *result.relaxationBound;
  Array warnings;
  for (const std::string &warning : result.warnings)
    warnings.push_back(warning);
  report["warnings"] = std::move(warnings);
  return report;
}

namespace {
struct ScheduleMemoryPass
    : public mlir::tessera::impl::TesseraScheduleMemoryPassBase<
          ScheduleMemoryPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (spmSize == 0) {
      module.emitError("tessera-schedule-memory needs spm-size=<bytes>");
      return signalPassFailure();
    }
    if (alignment == 0 || !llvm::isPowerOf2_64(alignment)) {
      module.emitError("tessera-schedule-memory: alignment ")
          << alignment.getValue() << " is not a power of two";
      return signalPassFailure();
    }
    std::optional<memory::PlannerKind> kind = memory::parsePlannerKind(solver);
    if (!kind) {
      module.emitError("tessera-schedule-memory: unknown solver '")
          << solver
          << "' (expected ilp, fixed-order, dc, b0, b1, b2, b3 "
             "or b4)";
      return signalPassFailure();
    }
    if (timeLimit <= 0 || partSize < 2) {
      module.emitError("tessera-schedule-memory: time-limit must be "
                       "positive and part-size at least 2");
      return signalPassFailure();
    }

    SmallVector<func::FuncOp> funcs;
    for (func::FuncOp func : module.getOps<func::FuncOp>())
      if (!func.isExternal())
        funcs.push_back(func);
    if (!reportFile.empty() && funcs.size() != 1) {
      module.emitError("tessera-schedule-memory: report= needs exactly one "
                       "function to plan, found ")
          << funcs.size();
      return signalPassFailure();
    }
    for (func::FuncOp func : funcs)
      if (failed(scheduleFunction(func, *kind)))
        return signalPassFailure();
  }

  LogicalResult scheduleFunction(func::FuncOp func, memory::PlannerKind kind) {
    if (func->hasAttr(kMemoryPlanAttrName))
      return func.emitError("is already scheduled ('")
             << kMemoryPlanAttrName << "' is set)";
    if (!func.getBody().hasOneBlock())
      return func.emitError("memory planning needs a function with one block");
    splitSharedInitialisers(func);
    GraphExtractionOptions extractionOptions;
    extractionOptions.includeWeights = includeWeights;
    extractionOptions.elementBytes = elementBytes;
    FailureOr<ExtractedGraph> extracted = extractGraph(func, extractionOptions);
    if (failed(extracted))
      return failure();
    const memory::Graph &graph = extracted->graph;

    memory::PlannerOptions options;
    options.kind = kind;
    options.spm.capacity = spmSize;
    options.spm.alignment = alignment;
    options.timeLimitSeconds = timeLimit;
    options.partSize = partSize;
    options.computeLowerBound = !reportFile.empty();
    llvm::Expected<memory::PlanResult> result =
        memory::planMemory(graph, options);
    if (!result)
      return mlir::emitError(func.getLoc(), "cannot plan a scratchpad of ")
             << spmSize.getValue()
             << " bytes: " << llvm::toString(result.takeError());
    for (const std::string &warning : result->warnings)
      func.emitWarning("memory planning: ") << warning;

    reorderOperations(func, *extracted, result->plan);
    RecordedPlan recorded;
    recorded.spm = options.spm;
    recorded.elementBytes = elementBytes;
    recorded.solver = result->plannerName;
    for (const memory::Tensor &tensor : graph.getTensors()) {
      recorded.tensorNames.push_back(tensor.name);
      recorded.tensorBytes.push_back(tensor.bytes);
    }
    for (auto [id, tensor] : llvm::enumerate(graph.getTensors()))
      if (tensor.isOutput)
        recorded.outputs.push_back(id);
    // Steps are renumbered by the reordering: step k runs plan.order[k],
    // which is exactly the residencies' step numbering.
    recorded.residencies = result->plan.residencies;
    writeRecordedPlan(func, recorded);

    numSteps += graph.numOperators();
    ncBytes += result->traffic.ncBytes();
    compulsoryBytes += result->traffic.compulsoryBytes();
    if (reportFile.empty())
      return success();
    std::string error;
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(reportFile, &error);
    if (!file)
      return func.emitError("cannot write memory report: ") << error;
    file->os() << llvm::formatv(
        "{0:2}\n",
        llvm::json::Value(makeReport(func, graph, options, includeWeights,
                                     elementBytes, *result)));
    file->keep();
    return success();
  }
};
} // namespace
