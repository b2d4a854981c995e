//===- ILPPlanner.h - COSMA ILP formulations --------------------*- C++ -*-===//
//
// The integer programs of the COSMA formulation, built through the
// solver-independent tessera::ilp wrapper: the joint problem (operator
// order + offsets + spills/reloads), the fixed-order problem, the
// capacity-only relaxation that bounds NC traffic from below, and the
// divide-and-conquer driver for graphs too large for one solve.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_MEMORY_ILPPLANNER_H
#define TESSERA_MEMORY_ILPPLANNER_H

#include "tessera/Memory/Planner.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

namespace tessera::memory {

struct ILPOptions {
  double timeLimitSeconds = 10;
  /// When non-empty, the operator order is fixed to this one.
  std::vector<unsigned> fixedOrder;
  /// A verified plan the solver starts from; the result is never worse.
  const Plan *warmStart = nullptr;
};

/// Solves the joint (or fixed-order) ILP. The returned plan is verified;
/// on a time-out it is the best plan found (at worst the warm start), with
/// the gap reported.
llvm::Expected<PlanResult> solveILP(const Graph &graph,
                                    const ScratchpadConfig &spm,
                                    const ILPOptions &options);

/// The optimum (or the solver's best bound at the time limit) of the
/// capacity-only relaxation: residency and traffic without addresses, so
/// a lower bound on the NC bytes of any plan.
llvm::Expected<double> solveCapacityRelaxation(const Graph &graph,
                                               const ScratchpadConfig &spm,
                                               double timeLimitSeconds);

/// Splits the graph into parts of `partSize` operators along a memory-aware
/// order, solves each part's ILP given the scratchpad state the previous
/// part left, stitches the parts and re-solves windows around each seam.
llvm::Expected<PlanResult> solveDivideAndConquer(const Graph &graph,
                                                 const ScratchpadConfig &spm,
                                                 unsigned partSize,
                                                 double timeLimitSeconds,
                                                 const Plan *warmStart);

} // namespace tessera::memory

#endif // TESSERA_MEMORY_ILPPLANNER_H
