//===- Planner.cpp - Scratchpad planning entry point ----------------------===//

#include "tessera/Memory/Planner.h"
#include "tessera/Memory/Heuristics.h"
#include "tessera/Memory/ILPPlanner.h"

#include "llvm/ADT/StringSwitch.h"

#include <chrono>

using namespace tessera::memory;

std::optional<PlannerKind>
tessera::memory::parsePlannerKind(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<PlannerKind>>(name)
      .Case("b0", PlannerKind::B0)
      .Case("b1", PlannerKind::B1)
      .Case("b2", PlannerKind::B2)
      .Case("b3", PlannerKind::B3)
      .Case("b4", PlannerKind::B4)
      .Case("fixed-order", PlannerKind::FixedOrderILP)
      .Case("ilp", PlannerKind::ILP)
      .Case("dc", PlannerKind::DivideAndConquer)
      .Default(std::nullopt);
}

llvm::StringRef tessera::memory::getPlannerName(PlannerKind kind) {
  switch (kind) {
  case PlannerKind::B0:
    return "b0";
  case PlannerKind::B1:
    return "b1";
  case PlannerKind::B2:
    return "b2";
  case PlannerKind::B3:
    return "b3";
  case PlannerKind::B4:
    return "b4";
  case PlannerKind::FixedOrderILP:
    return "fixed-order";
  case PlannerKind::ILP:
    return "ilp";
  case PlannerKind::DivideAndConquer:
    return "dc";
  }
  return "unknown";
}

namespace {
struct Baseline {
  bool memoryAwareOrder;
  Placement placement;
  Eviction eviction;
};
} // namespace

static Baseline getBaseline(PlannerKind kind) {
  switch (kind) {
  case PlannerKind::B0:
    return {false, Placement::FirstFit, Eviction::LRU};
  case PlannerKind::B1:
    return {false, Placement::BestFit, Eviction::Belady};
  case PlannerKind::B2:
    return {false, Placement::BestFit, Eviction::MinEvictedBytes};
  case PlannerKind::B3:
    return {true, Placement::BestFit, Eviction::Belady};
  default:
    return {true, Placement::BestFit, Eviction::MinEvictedBytes};
  }
}

static llvm::Expected<Plan> runBaseline(const Graph &graph,
                                        const ScratchpadConfig &spm,
                                        PlannerKind kind) {
  Baseline baseline = getBaseline(kind);
  std::vector<unsigned> order = baseline.memoryAwareOrder
                                    ? getMemoryAwareOrder(graph, spm)
                                    : getModelOrder(graph);
  return simulateSchedule(graph, spm, order, baseline.placement,
                          baseline.eviction);
}

/// The baseline plan with the least NC traffic among `kinds`: the warm
/// start of the ILP planners.
static llvm::Expected<std::pair<Plan, PlannerKind>>
getBestBaseline(const Graph &graph, const ScratchpadConfig &spm,
                llvm::ArrayRef<PlannerKind> kinds) {
  std::optional<std::pair<Plan, PlannerKind>> best;
  uint64_t bestNC = 0;
  for (PlannerKind kind : kinds) {
    llvm::Expected<Plan> plan = runBaseline(graph, spm, kind);
    if (!plan)
      return plan.takeError();
    uint64_t nc = computeTraffic(graph, *plan).ncBytes();
    if (!best || nc < bestNC) {
      best = std::make_pair(std::move(*plan), kind);
      bestNC = nc;
    }
  }
  return std::move(*best);
}

llvm::Expected<PlanResult>
tessera::memory::planMemory(const Graph &graph, const PlannerOptions &options) {
  if (llvm::Error error = graph.verify())
    return std::move(error);
  if (llvm::Error error = checkCapacity(graph, options.spm))
    return std::move(error);

  auto start = std::chrono::steady_clock::now();
  PlanResult result;
  switch (options.kind) {
  case PlannerKind::B0:
  case PlannerKind::B1:
  case PlannerKind::B2:
  case PlannerKind::B3:
  case PlannerKind::B4: {
    llvm::Expected<Plan> plan = runBaseline(graph, options.spm, options.kind);
    if (!plan)
      return plan.takeError();
    result.plan = std::move(*plan);
    result.plannerName = getPlannerName(options.kind).str();
    break;
  }
  case PlannerKind::FixedOrderILP:
  case PlannerKind::ILP:
  case PlannerKind::DivideAndConquer: {
    bool fixedOrder = options.kind == PlannerKind::FixedOrderILP;
    // The fixed-order ILP may only start from plans in model order.
    std::vector<PlannerKind> warmKinds = {PlannerKind::B0, PlannerKind::B1,
                                          PlannerKind::B2};
    if (!fixedOrder)
      llvm::append_values(warmKinds, PlannerKind::B3, PlannerKind::B4);
    auto warm = getBestBaseline(graph, options.spm, warmKinds);
    if (!warm)
      return warm.takeError();
    llvm::Expected<PlanResult> solved =
        options.kind == PlannerKind::DivideAndConquer
            ? solveDivideAndConquer(graph, options.spm, options.partSize,
                                    options.timeLimitSeconds, &warm->first)
            : solveILP(graph, options.spm,
                       ILPOptions{options.timeLimitSeconds,
                                  fixedOrder ? getModelOrder(graph)
                                             : std::vector<unsigned>{},
                                  &warm->first});
    if (!solved)
      return solved.takeError();
    result = std::move(*solved);
    if (result.plannerName.empty())
      result.plannerName = getPlannerName(options.kind).str();
    if (options.computeLowerBound) {
      llvm::Expected<double> bound = solveCapacityRelaxation(
          graph, options.spm, options.timeLimitSeconds);
      if (!bound)
        return bound.takeError();
      result.relaxationBound = *bound;
    }
    break;
  }
  }
  result.solveSeconds = std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - start)
                            .count();

  // Whatever produced it, a plan is used only once it replays cleanly.
  if (llvm::Error error = verifyPlan(graph, options.spm, result.plan))
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "planner '" + result.plannerName + "' produced an invalid plan: " +
            llvm::toString(std::move(error)));
  result.traffic = computeTraffic(graph, result.plan);
  result.peakBytes = computePeakUsage(graph, options.spm, result.plan);
  return result;
}
