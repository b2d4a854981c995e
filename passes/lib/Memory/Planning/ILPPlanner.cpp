//===- ILPPlanner.cpp - The joint and fixed-order COSMA ILPs --------------===//
//
// The formulation (built by WindowProblem.cpp over a window of K steps; the
// whole-graph ILP is the window of all N steps with nothing before or
// after it). Time-indexed, after COSMA (arXiv 2311.18246):
//
// Order. Each window operator o gets a step window [ASAP(o), ALAP(o)]:
// ASAP = its ancestors inside the window, ALAP = K - 1 - its descendants.
// Binary x[o][t] for t in that window (joint mode; none in fixed-order mode,
// where ASAP = ALAP = the given step):
//   sum_t x[o][t] = 1,  sum_o x[o][t] = 1,
//   for an edge p -> c:  S_c(t) <= S_p(t - 1), with S_o(t) = sum_{t'<=t}
//   x[o][t'] (the strong, per-step form of "p before c").
//
// Residency. Each tensor i gets a step range [lo_i, hi_i]: from its
// producer's ASAP (or its first reader's ASAP for inputs and weights) to
// the last ALAP of an operator touching it; to the last step when it must
// reach past the window. Binary r[i][t] there (resident during step t):
//   r[i][t] >= x[o][t]           for o reading or writing i (fixed to 1 in
//                                fixed-order mode),
//   r[i][t] <= S_producer(t)     (nothing before production),
//   l[i][t] >= r[i][t] - r[i][t-1] - x[producer][t]   (a residency starts
//                                with a load unless the producer runs then;
//                                l continuous in [0, 1], integral at any
//                                integral r and x),
//   sum_i footprint_i * r[i][t] <= capacity   (per step; implied by the
//                                addresses, kept as a cut).
// Off-chip copies. An intermediate is stored at most once, right after the
// residency it is produced in; w[i] in [0, 1] continuous:
//   l[i][t] <= w[i]              (a reload needs the copy),
//   w[i] = 1 for graph outputs (their first store is compulsory).
// Storing on the first residency loses nothing: the value never changes,
// so a later store could only serve fewer reloads.
//
// Addresses. Integer a[i][t] in address units (the alignment; coarsened
// for scratchpads above 2^17 granules), 0 <= a[i][t] <= C - f[i], with f[i]
// the footprint in units and C the capacity; it matters only while r[i][t]
// = 1. A buffer does not move while it stays resident:
//   |a[i][t] - a[i][t-1]| <= C (2 - r[i][t] - r[i][t-1]),
// but a reload may put it anywhere. For each pair of tensors and each step
// both may be resident at, a binary z[i][j][t] (i below j):
//   a[i][t] + f[i] <= a[j][t] + C (1 - z) + C (2 - r[i][t] - r[j][t]),
//   a[j][t] + f[j] <= a[i][t] + C z + C (2 - r[i][t] - r[j][t]);
// pairs that cannot fit together get r[i][t] + r[j][t] <= 1 instead. Any
// plan that never moves a resident buffer maps onto these variables and is
// a complete MIP start. RESTRICTION: a move (a residency ending where the
// next one of the same tensor starts, with a reload at another offset, as
// the baselines' compaction does) exists only at window boundaries (see
// below); such a warm start gives CBC only its order and residency, which
// CBC completes or drops (the result is never worse than the warm start).
//
// Objective: NC bytes = sum bytes_i * l[i][t] + sum bytes_i * w[i]
// (non-output intermediates) - the first load of every input and weight
// (a constant, subtracted when reporting). A cut helps the LP bound: a
// tensor the window needs but neither holds nor produces has sum_t l >= 1.
//
// Windows (divide and conquer, window search) add boundaries. Tensors
// resident before the window start resident at their offset (r[i][-1] = 1,
// a[i][-1] fixed); a binary "entry move" (cost bytes_i, needs the off-chip
// copy) lets one reload elsewhere at step 0. Values already stored count
// as off-chip. A fixed tail keeps the residencies after the window: one
// crossing the end needs r[i][K-1] = 1 at its offset, unless an "exit
// move" (cost bytes_i, needs the copy) makes the later residency start
// with a load instead; a value a later residency loads must be off-chip
// (w = 1). An open tail charges bytes_i * (1 - r[i][K-1]) for each tensor
// read after the window and requires r[i][K-1] + w[i] >= 1.
//
// Sizes (variables / rows, joint order, weights included): ResNet-50 (72
// operators, 127 tensors) 1,444 / 2,136; GoogLeNet (81 operators, branchy)
// 8,066 / 14,737; a 70-operator random chain 1,705 / 2,539. The capacity
// relaxation has no a and z: 628 / 748 for ResNet-50. Models beyond 200k
// columns or 400k rows are not built.
//
// Solving (RelaxAndPlace.cpp): the window is first solved without
// addresses, its buffers placed first fit (keeping 0-30% of the capacity
// free until they fit; for the whole graph the relaxation's order also
// goes through the baseline simulations); the best plan seeds CBC with a
// complete MIP start, or the warm start if that is better. The
// solution becomes a plan: residencies are maximal runs of r = 1 at offset
// a[i][first step] * unit, loading unless the producer runs at their first
// step, storing on the production (or boundary) residency when w = 1.
//
// solveILP gives the whole-graph model half the time limit (0.3 above 100
// operators, where CBC's root processing alone takes seconds and may run
// past its limit); if that is not proven optimal, windows of 12 steps are
// re-solved with both boundaries fixed (WindowSearch.cpp) for the rest.
// Every plan is verified and kept only if it beats the warm start. The
// reported bound is the best of CBC's and the relaxation's: it holds for
// every plan without mid-run moves, and a plan meeting it is reported
// proven optimal in that sense. (The capacity relaxation alone,
// CapacityRelaxation.cpp, bounds every plan.)
//
//===----------------------------------------------------------------------===//

#include "tessera/Memory/ILPPlanner.h"
#include "WindowProblem.h"
#include "tessera/Memory/Heuristics.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <chrono>

using namespace tessera;
using namespace tessera::memory;
using namespace tessera::memory::detail;

/// The share of the time limit the whole-graph model gets; window search
/// has the rest. CBC's root processing runs past its limit on large models
/// and window search does better there, so they get a smaller share.
static constexpr double kWholeModelShare = 0.5;
static constexpr double kLargeModelShare = 0.3;
static constexpr unsigned kLargeModelOperators = 100;
/// Steps per window of the search after the whole-graph model.
static constexpr unsigned kSearchWindow = 12;

static llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<PlanResult>
tessera::memory::solveILP(const Graph &graph, const ScratchpadConfig &spm,
                          const ILPOptions &options) {
  if (llvm::Error error = graph.verify())
    return std::move(error);
  bool fixedOrder = !options.fixedOrder.empty();
  if (fixedOrder && !graph.isTopologicalOrder(options.fixedOrder))
    return fail("the fixed operator order is not a topological order of the "
                "graph");

  PlanResult result;
  std::string startName;
  std::optional<Plan> start =
      getStartPlan(graph, spm, options.warmStart, options.fixedOrder, startName,
                   result.warnings);

  // Without a start plan the window is the model order (any topological
  // order does: the joint ILP reorders freely).
  Plan current;
  if (start)
    current = *start;
  else if (fixedOrder)
    current.order = options.fixedOrder;
  else
    current.order = getModelOrder(graph);

  // The whole-graph model gets most of the time; windows of it (large
  // neighbourhood search) the rest, unless it is solved to optimality.
  auto clock = std::chrono::steady_clock::now();
  WindowSpec spec;
  spec.begin = 0;
  spec.end = graph.numOperators();
  spec.tail = WindowTail::Fixed;
  spec.fixedOrder = fixedOrder;
  spec.warmStart = start.has_value();
  spec.constructive = true;
  spec.timeLimitSeconds =
      options.timeLimitSeconds * (graph.numOperators() > kLargeModelOperators
                                      ? kLargeModelShare
                                      : kWholeModelShare);
  llvm::Expected<WindowResult> solved = solveWindow(graph, spm, current, spec);
  if (!solved)
    return solved.takeError();

  // Keep the solver's plan only if it checks out and beats the start.
  std::optional<Plan> best = start;
  std::optional<uint64_t> startNC;
  if (start)
    startNC = getNCBytes(graph, *start);
  result.plannerName = startName;
  if (solved->plan) {
    if (llvm::Error error = verifyPlan(graph, spm, *solved->plan)) {
      result.warnings.push_back("ILP plan rejected by the checker: " +
                                llvm::toString(std::move(error)));
    } else if (!startNC || getNCBytes(graph, *solved->plan) < *startNC) {
      best = std::move(solved->plan);
      result.plannerName.clear();
    }
  }
  if (!best) {
    if (!solved->skipped.empty())
      return fail("no plan: the ILP was not built (" + solved->skipped +
                  ") and no baseline fits the scratchpad");
    if (solved->status == ilp::Status::Infeasible)
      return fail("no plan: the ILP is infeasible (a working set does not "
                  "fit the scratchpad)");
    return fail(llvm::formatv("no plan: the ILP found none within {0} s and "
                              "no baseline fits the scratchpad",
                              options.timeLimitSeconds));
  }

  // Optimal: the solver proved it (or closed the gap at its time limit),
  // and the plan kept reaches its optimum.
  bool closed = solved->status == ilp::Status::Optimal ||
                (solved->status == ilp::Status::Feasible &&
                 solved->ncObjective - solved->ncBound < 0.5);
  bool optimal =
      solved->skipped.empty() &&
      ((closed && getNCBytes(graph, *best) <= solved->ncObjective + 0.5) ||
       getNCBytes(graph, *best) <= solved->ncBound + 0.5);
  double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - clock)
          .count();
  double left = options.timeLimitSeconds - elapsed;
  WindowStats stats;
  if (!optimal && left > 0.1) {
    uint64_t before = getNCBytes(graph, *best);
    if (llvm::Error error = improveByWindows(
            graph, spm, *best, kSearchWindow, fixedOrder,
            std::max(left / 4, 0.5), left, /*maxPasses=*/3,
            solved->skipped.empty() ? solved->ncBound : 0, stats))
      return std::move(error);
    if (getNCBytes(graph, *best) < before)
      result.plannerName.clear();
  }

  result.plan = std::move(*best);
  result.traffic = computeTraffic(graph, result.plan);
  result.peakBytes = computePeakUsage(graph, spm, result.plan);
  result.solveSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - clock)
          .count();
  std::string kept = result.plannerName.empty() ? std::string("window search")
                                                : "the " + startName + " plan";
  if (!solved->skipped.empty()) {
    result.warnings.push_back("ILP not solved: " + solved->skipped + "; kept " +
                              kept);
    return result;
  }
  double nc = result.traffic.ncBytes();
  result.provenOptimal = optimal;
  if (solved->status != ilp::Status::Infeasible) {
    double bound = std::min(solved->ncBound, nc);
    result.solverBound = bound;
    result.gap = nc > 0 ? (nc - bound) / nc : 0.0;
  }
  if (optimal || nc <= *result.solverBound + 0.5) {
    result.provenOptimal = true;
    return result;
  }
  switch (solved->status) {
  case ilp::Status::Optimal:
  case ilp::Status::Feasible:
    result.warnings.push_back(
        llvm::formatv("ILP time limit ({0} s) reached: NC gap {1:F1}%",
                      options.timeLimitSeconds, *result.gap * 100));
    break;
  case ilp::Status::NoSolution:
    result.warnings.push_back(llvm::formatv(
        "ILP time limit ({0} s) reached without a solution: kept {1} (NC "
        "gap {2:F1}%)",
        options.timeLimitSeconds, kept, *result.gap * 100));
    break;
  case ilp::Status::Infeasible:
    result.warnings.push_back("ILP infeasible: kept " + kept);
    break;
  }
  return result;
}
