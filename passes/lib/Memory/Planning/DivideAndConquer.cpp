//===- DivideAndConquer.cpp - The COSMA ILP part by part ------------------===//
//
// For graphs too large for one solve. The start plan's order (the warm
// start's, else the memory-aware order) is cut into parts of `partSize`
// operators. A forward pass solves each part as a window problem with an
// open tail (ILPPlanner.cpp): it starts from the scratchpad the previous
// parts left (residents at their offsets, values already off-chip), may
// reorder its operators, and pays for tensors it leaves behind. The
// stitched plan, or the warm start when that is better, is then improved
// by windows across every seam and every part (WindowSearch.cpp), each
// with both boundaries fixed to the current plan; a window's plan is taken
// only when it verifies and lowers NC traffic.
//
//===----------------------------------------------------------------------===//

#include "WindowProblem.h"
#include "tessera/Memory/Heuristics.h"
#include "tessera/Memory/ILPPlanner.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <chrono>

using namespace tessera;
using namespace tessera::memory;
using namespace tessera::memory::detail;

/// The forward pass: parts solved in order, each from the state the
/// previous ones left. None if a part has no solution.
static llvm::Expected<std::optional<Plan>>
solveForward(const Graph &graph, const ScratchpadConfig &spm,
             std::vector<unsigned> order, unsigned partSize,
             double timeLimitSeconds, WindowStats &stats,
             std::vector<std::string> &warnings) {
  Plan stitched;
  stitched.order = std::move(order);
  unsigned numOps = stitched.order.size();
  for (unsigned begin = 0; begin < numOps; begin += partSize) {
    WindowSpec spec;
    spec.begin = begin;
    spec.end = std::min(numOps, begin + partSize);
    spec.tail = WindowTail::Open;
    spec.warmStart = false;
    spec.constructive = true;
    spec.timeLimitSeconds = timeLimitSeconds;
    llvm::Expected<WindowResult> solved =
        solveWindow(graph, spm, stitched, spec);
    if (!solved)
      return solved.takeError();
    stats.record(*solved);
    if (!solved->plan) {
      warnings.push_back(llvm::formatv(
          "divide and conquer: part [{0}, {1}) has no solution{2}{3}", begin,
          spec.end, solved->skipped.empty() ? "" : ": ", solved->skipped));
      return std::optional<Plan>();
    }
    stitched = std::move(*solved->plan);
  }
  normalizePlan(graph, stitched);
  if (llvm::Error error = verifyPlan(graph, spm, stitched)) {
    warnings.push_back("divide and conquer: stitched plan rejected by the "
                       "checker: " +
                       llvm::toString(std::move(error)));
    return std::optional<Plan>();
  }
  return std::optional<Plan>(std::move(stitched));
}

llvm::Expected<PlanResult> tessera::memory::solveDivideAndConquer(
    const Graph &graph, const ScratchpadConfig &spm, unsigned partSize,
    double timeLimitSeconds, const Plan *warmStart) {
  if (llvm::Error error = graph.verify())
    return std::move(error);
  unsigned numOps = graph.numOperators();
  partSize = std::max(partSize, 2u);

  auto clock = std::chrono::steady_clock::now();
  PlanResult result;
  std::string startName;
  std::optional<Plan> start =
      getStartPlan(graph, spm, warmStart, {}, startName, result.warnings);
  std::vector<unsigned> order =
      start ? start->order : getMemoryAwareOrder(graph, spm);

  WindowStats stats;
  llvm::Expected<std::optional<Plan>> forward = solveForward(
      graph, spm, order, partSize, timeLimitSeconds, stats, result.warnings);
  if (!forward)
    return forward.takeError();

  // The better of the forward pass and the start plan.
  std::optional<Plan> best;
  uint64_t bestNC = 0;
  bool fromStart = false;
  if (*forward) {
    best = std::move(**forward);
    bestNC = getNCBytes(graph, *best);
  }
  if (start) {
    uint64_t startNC = getNCBytes(graph, *start);
    if (!best || startNC <= bestNC) {
      best = *start;
      bestNC = startNC;
      fromStart = true;
    }
  }
  if (!best)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "no plan: divide and conquer found none and no baseline fits the "
        "scratchpad");

  // Windows of a part's size sliding by half a part: across every seam
  // and over every part, twice at most, each window within the time limit
  // and all of them within one time limit per part.
  uint64_t startNC = bestNC;
  unsigned numParts = (numOps + partSize - 1) / partSize;
  if (llvm::Error error = improveByWindows(
          graph, spm, *best, partSize, /*fixedOrder=*/false, timeLimitSeconds,
          timeLimitSeconds * numParts, /*maxPasses=*/2,
          /*lowerBound=*/0, stats))
    return std::move(error);
  bestNC = getNCBytes(graph, *best);

  result.plan = std::move(*best);
  result.traffic = computeTraffic(graph, result.plan);
  result.peakBytes = computePeakUsage(graph, spm, result.plan);
  result.solveSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - clock)
          .count();
  if (fromStart && bestNC >= startNC)
    result.plannerName = startName;
  if (stats.timedOut > 0)
    result.warnings.push_back(llvm::formatv(
        "divide and conquer: {0} of {1} window ILPs reached the time limit "
        "({2} s)",
        stats.timedOut, stats.solved, timeLimitSeconds));
  if (stats.skipped > 0)
    result.warnings.push_back(llvm::formatv(
        "divide and conquer: {0} windows were not solved (model too large, "
        "or off the address grid)",
        stats.skipped));
  return result;
}
