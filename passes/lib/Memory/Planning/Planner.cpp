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

static llvm::Expected<Plan>
runBaseline(const Graph &graph, const ScratchpadConfig &spm, PlannerKind kind) {
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

/// How a plan kept from a warm start is named: after the planner that
/// produced it.
static std::string getWarmStartName(llvm::StringRef source) {
  if (source.ends_with(" (warm start)"))
    return source.str();
  return (source + " (warm start)").str();
}

/// The ILP planners. Each starts from the best plan known so far: the
/// fixed-order ILP from the best model-order baseline; the joint ILP and
/// divide-and-conquer from the better of the fixed-order ILP's plan (solved
/// first, in a third of the time) and the memory-aware baselines. The
/// result is never worse than its start.
static llvm::Expected<PlanResult>
solveWithILP(const Graph &graph, const PlannerOptions &options,
             std::chrono::steady_clock::time_point start) {
  auto modelOrderWarm = getBestBaseline(
      graph, options.spm, {PlannerKind::B0, PlannerKind::B1, PlannerKind::B2});
  if (!modelOrderWarm)
    return modelOrderWarm.takeError();
  auto fixedOrder =
      [&](double seconds, const Plan &warm,
          llvm::StringRef warmName) -> llvm::Expected<PlanResult> {
    llvm::Expected<PlanResult> solved = solveILP(
        graph, options.spm, ILPOptions{seconds, getModelOrder(graph), &warm});
    if (solved && solved->plannerName == "warm start")
      solved->plannerName = getWarmStartName(warmName);
    return solved;
  };
  llvm::StringRef warmName = getPlannerName(modelOrderWarm->second);
  if (options.kind == PlannerKind::FixedOrderILP) {
    llvm::Expected<PlanResult> solved =
        fixedOrder(options.timeLimitSeconds, modelOrderWarm->first, warmName);
    if (solved && solved->plannerName.empty())
      solved->plannerName = "fixed-order";
    return solved;
  }

  llvm::Expected<PlanResult> first =
      fixedOrder(options.timeLimitSeconds / 3, modelOrderWarm->first, warmName);
  if (!first)
    return first.takeError();
  std::string firstName =
      first->plannerName.empty() ? "fixed-order" : first->plannerName;
  auto memoryAwareWarm =
      getBestBaseline(graph, options.spm, {PlannerKind::B3, PlannerKind::B4});
  if (!memoryAwareWarm)
    return memoryAwareWarm.takeError();
  const Plan *warm = &first->plan;
  std::string warmStartName = firstName;
  if (computeTraffic(graph, memoryAwareWarm->first).ncBytes() <
      computeTraffic(graph, first->plan).ncBytes()) {
    warm = &memoryAwareWarm->first;
    warmStartName = getPlannerName(memoryAwareWarm->second).str();
  }
  double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  double remaining = std::max(options.timeLimitSeconds - elapsed,
                              options.timeLimitSeconds / 3);
  llvm::Expected<PlanResult> solved =
      options.kind == PlannerKind::DivideAndConquer
          ? solveDivideAndConquer(graph, options.spm, options.partSize,
                                  remaining, warm)
          : solveILP(graph, options.spm,
                     ILPOptions{remaining, std::vector<unsigned>{}, warm});
  if (!solved)
    return solved.takeError();
  if (solved->plannerName == "warm start")
    solved->plannerName = getWarmStartName(warmStartName);
  else if (solved->plannerName.empty())
    solved->plannerName = getPlannerName(options.kind).str();
  return solved;
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
    llvm::Expected<PlanResult> solved =
        solveWithILP(graph, options, std::chrono::steady_clock::now());
    if (!solved)
      return solved.takeError();
    result = std::move(*solved);
    break;
  }
  }
  result.solveSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (options.computeLowerBound && options.kind != PlannerKind::B0 &&
      options.kind != PlannerKind::B1 && options.kind != PlannerKind::B2 &&
      options.kind != PlannerKind::B3 && options.kind != PlannerKind::B4) {
    llvm::Expected<double> bound =
        solveCapacityRelaxation(graph, options.spm, options.timeLimitSeconds);
    if (!bound)
      return bound.takeError();
    result.relaxationBound = *bound;
    // Both bounds are valid: the better one tightens the reported gap, and
    // a plan that meets it is optimal whatever the MIP search proved.
    double nc = computeTraffic(graph, result.plan).ncBytes();
    double best = std::max(result.solverBound.value_or(0.0), *bound);
    result.solverBound = std::min(best, nc);
    result.gap = nc > 0 ? (nc - *result.solverBound) / nc : 0.0;
    if (*result.gap <= 1e-9) {
      // The solver's time-out warnings stated the gap it knew; say that the
      // bound closed it.
      if (!result.provenOptimal && !result.warnings.empty())
        result.warnings.push_back("the capacity-only relaxation proves the "
                                  "plan optimal (NC gap 0%)");
      result.provenOptimal = true;
    }
  }

  // Whatever produced it, a plan is used only once it replays cleanly.
  if (llvm::Error error = verifyPlan(graph, options.spm, result.plan))
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "planner '" + result.plannerName +
            "' produced an invalid plan: " + llvm::toString(std::move(error)));
  result.traffic = computeTraffic(graph, result.plan);
  result.peakBytes = computePeakUsage(graph, options.spm, result.plan);
  return result;
}
