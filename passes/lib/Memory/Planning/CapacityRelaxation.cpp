//===- CapacityRelaxation.cpp - A lower bound on NC traffic ---------------===//
//
// The window problem of the whole graph without addresses: residency,
// loads and stores under a per-step capacity, operator order free. Every
// plan maps to a feasible point of it (trimming residencies to the steps
// where a tensor is touched never adds a load), so its optimum, or the
// solver's bound at the time limit, bounds the NC bytes of any plan.
//
//===----------------------------------------------------------------------===//

#include "WindowProblem.h"
#include "tessera/Memory/Heuristics.h"
#include "tessera/Memory/ILPPlanner.h"

using namespace tessera;
using namespace tessera::memory;
using namespace tessera::memory::detail;

llvm::Expected<double> tessera::memory::solveCapacityRelaxation(
    const Graph &graph, const ScratchpadConfig &spm, double timeLimitSeconds) {
  if (llvm::Error error = graph.verify())
    return std::move(error);
  if (graph.numOperators() == 0)
    return 0.0;

  Plan current;
  current.order = getModelOrder(graph);
  WindowSpec spec;
  spec.begin = 0;
  spec.end = graph.numOperators();
  spec.tail = WindowTail::Fixed;
  spec.fixedOrder = false;
  spec.withAddresses = false;
  spec.warmStart = false;
  spec.timeLimitSeconds = timeLimitSeconds;
  llvm::Expected<WindowResult> solved = solveWindow(graph, spm, current, spec);
  if (!solved)
    return solved.takeError();
  // Too large to build: zero is still a bound.
  if (!solved->skipped.empty())
    return 0.0;
  if (solved->status == ilp::Status::Infeasible)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "the capacity relaxation is infeasible: a working set does not fit "
        "the scratchpad");
  if (solved->status == ilp::Status::Optimal)
    return solved->ncObjective;
  return solved->ncBound;
}
