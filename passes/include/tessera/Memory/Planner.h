//===- Planner.h - Scratchpad planning entry point --------------*- C++ -*-===//
//
// One call that plans a graph with any of Tessera's planners (baselines,
// fixed-order ILP, joint ILP, divide-and-conquer) and returns a verified
// plan with its traffic and solver statistics.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_MEMORY_PLANNER_H
#define TESSERA_MEMORY_PLANNER_H

#include "tessera/Memory/Plan.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace tessera::memory {

enum class PlannerKind {
  B0,
  B1,
  B2,
  B3,
  B4,
  FixedOrderILP,   ///< The ILP over offsets and transfers, model order.
  ILP,             ///< The joint ILP: order, offsets and transfers.
  DivideAndConquer ///< Joint ILP on parts of the graph, stitched.
};

/// Parses "b0".."b4", "fixed-order", "ilp", "dc".
std::optional<PlannerKind> parsePlannerKind(llvm::StringRef name);
llvm::StringRef getPlannerName(PlannerKind kind);

struct PlannerOptions {
  PlannerKind kind = PlannerKind::ILP;
  ScratchpadConfig spm;
  /// Wall-clock limit of each ILP solve, in seconds.
  double timeLimitSeconds = 10;
  /// Divide-and-conquer: the number of operators per part.
  unsigned partSize = 24;
  /// Also solve the capacity-only relaxation for a lower bound on NC.
  bool computeLowerBound = true;
};

struct PlanResult {
  Plan plan;
  Traffic traffic;
  uint64_t peakBytes = 0;
  double solveSeconds = 0;
  /// The planner that produced `plan`: for an ILP that could not improve
  /// on its warm start, the heuristic it started from.
  std::string plannerName;
  /// ILP planners: whether the solver proved optimality, its relative MIP
  /// gap and best bound on NC bytes.
  bool provenOptimal = false;
  std::optional<double> gap;
  std::optional<double> solverBound;
  /// Lower bound on NC bytes from the capacity-only relaxation (no
  /// addresses), when computed.
  std::optional<double> relaxationBound;
  /// Things the caller should tell the user (time-outs with their gap).
  std::vector<std::string> warnings;
};

/// Plans `graph` and verifies the result (verifyPlan); an error names what
/// cannot be planned (a working set larger than the scratchpad, say).
llvm::Expected<PlanResult> planMemory(const Graph &graph,
                                      const PlannerOptions &options);

} // namespace tessera::memory

#endif // TESSERA_MEMORY_PLANNER_H
