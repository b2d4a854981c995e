//===- WindowProblem.h - The COSMA ILP over a window of steps ---*- C++ -*-===//
//
// Internal to the planning library. One integer program, built over a
// contiguous window of steps of a plan, serves every ILP planner: the
// whole-graph ILP (the window is the whole plan), the capacity relaxation
// (no addresses), divide and conquer (a window per part), and the window
// search that improves a finished plan. The formulation is described at
// the top of ILPPlanner.cpp; the model is built in WindowProblem.cpp,
// seeded by relax and place in RelaxAndPlace.cpp, searched window by
// window in WindowSearch.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_LIB_MEMORY_PLANNING_WINDOWPROBLEM_H
#define TESSERA_LIB_MEMORY_PLANNING_WINDOWPROBLEM_H

#include "tessera/Memory/Plan.h"
#include "tessera/Support/ILP.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace tessera::memory::detail {

/// How a window meets the steps after it.
enum class WindowTail {
  /// The residencies of the current plan at and after `end` stay; the
  /// window must leave the scratchpad and off-chip memory as they expect.
  Fixed,
  /// Everything at and after `end` is dropped (planned later). A tensor
  /// read after the window costs a reload of its bytes unless it is
  /// resident at the window's last step, and must be off-chip otherwise.
  Open
};

struct WindowSpec {
  /// The steps [begin, end) of the current plan to re-plan.
  unsigned begin = 0;
  unsigned end = 0;
  WindowTail tail = WindowTail::Fixed;
  /// Keep the current order of the window's operators; otherwise any
  /// topological order of them.
  bool fixedOrder = false;
  /// With buffer offsets (a plan comes out); without, only the per-step
  /// capacity (the relaxation: a bound, no plan).
  bool withAddresses = true;
  /// Seed the solver with the current plan's window.
  bool warmStart = true;
  /// With addresses: first solve without them and place the buffers first
  /// fit (relax and place); the plan seeds the solver and is kept when the
  /// solver finds nothing better in the time left.
  bool constructive = false;
  /// Without addresses: place the buffers of the solution first fit and
  /// return the plan if they fit.
  bool placeBuffers = false;
  /// Without addresses: the share of the capacity the per-step footprint
  /// may use (at least the largest working set), leaving room for
  /// fragmentation.
  double capacityScale = 1;
  double timeLimitSeconds = 10;
};

struct WindowResult {
  ilp::Status status = ilp::Status::NoSolution;
  /// The current plan with the window replaced by the solution, merged
  /// and normalized (normalizePlan); not yet verified. Only with addresses
  /// and a solution.
  std::optional<Plan> plan;
  /// The solution's operator order (all operators), when there is one.
  std::vector<unsigned> order;
  /// The solver's objective and best bound as NC bytes of the window
  /// (compulsory loads subtracted; for an open tail including the reloads
  /// it causes after the window).
  double ncObjective = 0;
  double ncBound = 0;
  unsigned numVariables = 0;
  unsigned numConstraints = 0;
  double seconds = 0;
  /// Whether the MIP start held every integer variable (false: a partial
  /// start, or none).
  bool fullWarmStart = false;
  /// Why no ILP was solved (too large, contradictory fixed addresses);
  /// empty if one was.
  std::string skipped;
};

/// Builds and solves the window problem of `current` (whose order lists
/// every operator; residencies inside the window are ignored), relax and
/// place first when `spec.constructive` (RelaxAndPlace.cpp). An error only
/// for a solver failure.
llvm::Expected<WindowResult> solveWindow(const Graph &graph,
                                         const ScratchpadConfig &spm,
                                         const Plan &current,
                                         const WindowSpec &spec);

/// Builds and solves one model of the window problem (WindowProblem.cpp),
/// starting from `seed` if given, else from `current` when
/// `spec.warmStart` and the tail is fixed.
llvm::Expected<WindowResult>
solveWindowModel(const Graph &graph, const ScratchpadConfig &spm,
                 const Plan &current, const WindowSpec &spec, const Plan *seed);

/// Counts window solves and how they ended.
struct WindowStats {
  unsigned solved = 0;
  unsigned timedOut = 0;
  unsigned skipped = 0;
  unsigned improved = 0;

  void record(const WindowResult &result);
};

/// Large-neighbourhood search: re-solves windows of `size` steps, sliding
/// by half a window, over `plan` with both boundaries fixed (each solve at
/// most `secondsPerWindow`), and keeps every result that verifies and
/// lowers NC traffic; with `fixedOrder` the windows keep the plan's order.
/// Passes repeat while one improves and `deadlineSeconds` (from the call)
/// are not spent, at most `maxPasses`, and stop once NC meets `lowerBound`.
llvm::Error improveByWindows(const Graph &graph, const ScratchpadConfig &spm,
                             Plan &plan, unsigned size, bool fixedOrder,
                             double secondsPerWindow, double deadlineSeconds,
                             unsigned maxPasses, double lowerBound,
                             WindowStats &stats);

/// A buffer to place: live over steps [begin, end], `bytes` long (a
/// footprint), pinned to `fixedOffset` if set.
struct Buffer {
  unsigned begin = 0;
  unsigned end = 0;
  uint64_t bytes = 0;
  std::optional<uint64_t> fixedOffset;
};

/// Offsets below `capacity` for `buffers` such that buffers live at a
/// common step do not overlap: pinned buffers first, then the others first
/// fit in a few orders (largest first, earliest first, longest first).
/// None if no order fits or pinned buffers collide.
std::optional<std::vector<uint64_t>>
placeBuffers(llvm::ArrayRef<Buffer> buffers, uint64_t capacity);

/// Tidies a valid plan without raising its traffic: merges back-to-back
/// residencies of one tensor at one offset (dropping the second load),
/// keeps only the first store of a tensor and, with `dropUnusedStores`,
/// drops it when nothing loads the tensor afterwards and it is no graph
/// output; sorts residencies by begin step.
void normalizePlan(const Graph &graph, Plan &plan,
                   bool dropUnusedStores = true);

/// Whether verifyPlan accepts `plan` (the error is dropped).
bool isValidPlan(const Graph &graph, const ScratchpadConfig &spm,
                 const Plan &plan);

/// NC bytes of a plan (computeTraffic).
uint64_t getNCBytes(const Graph &graph, const Plan &plan);

/// The plan an ILP planner starts from and never returns worse than:
/// `warmStart` when it verifies (and follows `fixedOrder` if one is given),
/// otherwise a B1-style simulation of `fixedOrder` or of the memory-aware
/// order. `name` receives the planner to report for it; `warnings` why a
/// warm start was set aside. None when no baseline fits either.
std::optional<Plan>
getStartPlan(const Graph &graph, const ScratchpadConfig &spm,
             const Plan *warmStart, llvm::ArrayRef<unsigned> fixedOrder,
             std::string &name, std::vector<std::string> &warnings);

} // namespace tessera::memory::detail

#endif // TESSERA_LIB_MEMORY_PLANNING_WINDOWPROBLEM_H
