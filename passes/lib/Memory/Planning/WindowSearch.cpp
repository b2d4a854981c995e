//===- WindowSearch.cpp - Improving a plan window by window ---------------===//
//
// Large-neighbourhood search over a complete plan: each window of steps is
// re-solved exactly (WindowProblem.h) with everything outside it fixed,
// starting from the plan itself, so a window can only keep or lower NC.
//
//===----------------------------------------------------------------------===//

#include "WindowProblem.h"

#include <algorithm>
#include <chrono>

using namespace tessera::memory;
using namespace tessera::memory::detail;

void WindowStats::record(const WindowResult &result) {
  if (!result.skipped.empty()) {
    ++skipped;
    return;
  }
  ++solved;
  if (result.status != ilp::Status::Optimal &&
      result.status != ilp::Status::Infeasible)
    ++timedOut;
}

llvm::Error tessera::memory::detail::improveByWindows(
    const Graph &graph, const ScratchpadConfig &spm, Plan &plan, unsigned size,
    bool fixedOrder, double secondsPerWindow, double deadlineSeconds,
    unsigned maxPasses, double lowerBound, WindowStats &stats) {
  auto start = std::chrono::steady_clock::now();
  auto left = [&] {
    return deadlineSeconds - std::chrono::duration<double>(
                                 std::chrono::steady_clock::now() - start)
                                 .count();
  };
  unsigned numSteps = plan.order.size();
  size = std::clamp(size, 2u, std::max(numSteps, 2u));
  unsigned stride = std::max(size / 2, 1u);
  uint64_t nc = getNCBytes(graph, plan);
  auto open = [&] { return nc > 0 && nc > lowerBound + 0.5; };
  for (unsigned pass = 0; pass < maxPasses && open(); ++pass) {
    bool improved = false;
    for (unsigned begin = 0; begin < numSteps && open(); begin += stride) {
      double budget = std::min(secondsPerWindow, left());
      if (budget < 0.05)
        return llvm::Error::success();
      WindowSpec spec;
      spec.begin =
          begin + size > numSteps && numSteps > size ? numSteps - size : begin;
      spec.end = std::min(numSteps, spec.begin + size);
      spec.tail = WindowTail::Fixed;
      spec.fixedOrder = fixedOrder;
      spec.warmStart = true;
      spec.constructive = true;
      spec.timeLimitSeconds = budget;
      llvm::Expected<WindowResult> solved = solveWindow(graph, spm, plan, spec);
      if (!solved)
        return solved.takeError();
      stats.record(*solved);
      if (solved->plan && isValidPlan(graph, spm, *solved->plan)) {
        uint64_t candidate = getNCBytes(graph, *solved->plan);
        if (candidate < nc) {
          plan = std::move(*solved->plan);
          nc = candidate;
          improved = true;
          ++stats.improved;
        }
      }
      if (spec.end == numSteps)
        break;
    }
    if (!improved)
      break;
  }
  return llvm::Error::success();
}
