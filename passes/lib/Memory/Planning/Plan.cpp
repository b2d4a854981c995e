//===- Plan.cpp - Scratchpad memory plans and their checker ---------------===//

#include "tessera/Memory/Plan.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace tessera::memory;

static llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

namespace {
/// Replays a plan against a graph; each check returns the first violation.
class PlanChecker {
public:
  PlanChecker(const Graph &graph, const ScratchpadConfig &spm, const Plan &plan)
      : graph(graph), spm(spm), plan(plan) {}

  llvm::Error check() {
    if (llvm::Error error = graph.verify())
      return fail("invalid graph: " + llvm::toString(std::move(error)));
    if (llvm::Error error = checkOrder())
      return error;
    residenciesOf.assign(graph.numTensors(), {});
    for (auto [id, residency] : llvm::enumerate(plan.residencies))
      if (llvm::Error error = checkResidency(id, residency))
        return error;
    if (llvm::Error error = checkTimeDisjoint())
      return error;
    if (llvm::Error error = checkSteps())
      return error;
    return checkOutputsStored();
  }

private:
  /// "step 3 (operator 'conv2')".
  std::string at(unsigned step) const {
    return llvm::formatv("step {0} (operator '{1}')", step,
                         graph.getOperator(plan.order[step]).name)
        .str();
  }
  const std::string &nameOf(unsigned tensor) const {
    return graph.getTensor(tensor).name;
  }

  llvm::Error checkOrder();
  llvm::Error checkResidency(unsigned id, const Residency &residency);
  llvm::Error checkTimeDisjoint();
  llvm::Error checkSteps();
  llvm::Error checkOutputsStored();

  const Graph &graph;
  const ScratchpadConfig &spm;
  const Plan &plan;
  /// The step of each operator.
  std::vector<unsigned> stepOf;
  /// The residencies of each tensor, by begin step.
  std::vector<std::vector<unsigned>> residenciesOf;
};
} // namespace

llvm::Error PlanChecker::checkOrder() {
  unsigned numSteps = plan.order.size();
  if (numSteps != graph.numOperators())
    return fail(llvm::formatv("the order has {0} steps but the graph has {1} "
                              "operators",
                              numSteps, graph.numOperators()));
  std::vector<int> seen(numSteps, -1);
  for (auto [step, op] : llvm::enumerate(plan.order)) {
    if (op >= numSteps)
      return fail(
          llvm::formatv("step {0}: operator {1} does not exist", step, op));
    if (seen[op] >= 0)
      return fail(llvm::formatv("{0}: the operator already ran at step {1}",
                                at(step), seen[op]));
    seen[op] = step;
  }
  stepOf.assign(seen.begin(), seen.end());
  for (auto [step, op] : llvm::enumerate(plan.order)) {
    for (unsigned tensor : graph.getOperator(op).inputs) {
      int producer = graph.getTensor(tensor).producer;
      if (producer < 0 || stepOf[producer] < step)
        continue;
      return fail(llvm::formatv(
          "{0}: operand '{1}' is produced later, at step {2} (operator "
          "'{3}'): the order is not topological",
          at(step), nameOf(tensor), stepOf[producer],
          graph.getOperator(producer).name));
    }
  }
  return llvm::Error::success();
}

llvm::Error PlanChecker::checkResidency(unsigned id,
                                        const Residency &residency) {
  unsigned numSteps = plan.order.size();
  if (residency.tensor >= graph.numTensors())
    return fail(llvm::formatv("residency {0} names unknown tensor {1}", id,
                              residency.tensor));
  const Tensor &tensor = graph.getTensor(residency.tensor);
  if (residency.begin > residency.end || residency.end >= numSteps)
    return fail(llvm::formatv("residency {0} of '{1}' spans steps [{2}, {3}] "
                              "but the plan has {4} steps",
                              id, tensor.name, residency.begin, residency.end,
                              numSteps));

  std::string begin = at(residency.begin);
  if (residency.offset % spm.getAlignment() != 0)
    return fail(llvm::formatv("{0}: buffer of '{1}' at offset {2} is not "
                              "aligned to {3} bytes",
                              begin, tensor.name, residency.offset,
                              spm.getAlignment()));
  uint64_t footprint = spm.footprint(tensor.bytes);
  if (residency.offset > spm.capacity ||
      footprint > spm.capacity - residency.offset)
    return fail(llvm::formatv("{0}: buffer of '{1}' at offset {2} with {3} "
                              "bytes exceeds the scratchpad capacity of {4} "
                              "bytes",
                              begin, tensor.name, residency.offset, footprint,
                              spm.capacity));

  if (tensor.isExternal()) {
    if (residency.store)
      return fail(llvm::formatv("{0}: '{1}' is an input or weight but is "
                                "stored",
                                at(residency.end), tensor.name));
    if (!residency.load)
      return fail(llvm::formatv("{0}: input or weight '{1}' becomes resident "
                                "without a load",
                                begin, tensor.name));
    residenciesOf[residency.tensor].push_back(id);
    return llvm::Error::success();
  }

  unsigned producerStep = stepOf[tensor.producer];
  const std::string &producer = graph.getOperator(tensor.producer).name;
  if (!residency.load && residency.begin != producerStep)
    return fail(llvm::formatv("{0}: '{1}' becomes resident without a load but "
                              "its producer '{2}' runs at step {3}",
                              begin, tensor.name, producer, producerStep));
  if (residency.load && residency.begin <= producerStep)
    return fail(llvm::formatv("{0}: '{1}' is loaded before its producer '{2}' "
                              "has run (step {3})",
                              begin, tensor.name, producer, producerStep));
  residenciesOf[residency.tensor].push_back(id);
  return llvm::Error::success();
}

llvm::Error PlanChecker::checkTimeDisjoint() {
  for (unsigned tensor = 0, e = residenciesOf.size(); tensor < e; ++tensor) {
    std::vector<unsigned> &ids = residenciesOf[tensor];
    llvm::sort(ids, [&](unsigned a, unsigned b) {
      return std::make_pair(plan.residencies[a].begin, a) <
             std::make_pair(plan.residencies[b].begin, b);
    });
    for (auto [prev, next] : llvm::zip(ids, llvm::drop_begin(ids))) {
      const Residency &later = plan.residencies[next];
      if (later.begin <= plan.residencies[prev].end)
        return fail(llvm::formatv("{0}: '{1}' has two residencies at once",
                                  at(later.begin), nameOf(tensor)));
    }
    // A load needs the value off-chip: an earlier residency that stored it.
    // Residencies of one tensor are disjoint and sorted, so "earlier" means
    // "before in `ids`".
    if (graph.getTensor(tensor).isExternal())
      continue;
    bool offChip = false;
    for (unsigned id : ids) {
      const Residency &residency = plan.residencies[id];
      if (residency.load && !offChip)
        return fail(llvm::formatv("{0}: '{1}' is loaded but its value was "
                                  "never stored",
                                  at(residency.begin), nameOf(tensor)));
      offChip |= residency.store;
    }
  }
  return llvm::Error::success();
}

llvm::Error PlanChecker::checkSteps() {
  unsigned numSteps = plan.order.size();
  std::vector<std::vector<unsigned>> beginning(numSteps);
  for (auto [id, residency] : llvm::enumerate(plan.residencies))
    beginning[residency.begin].push_back(id);

  std::vector<int> residentAt(graph.numTensors(), -1);
  std::vector<unsigned> live;
  struct Span {
    uint64_t begin, end;
    unsigned tensor;
  };
  std::vector<Span> spans;
  for (unsigned step = 0; step < numSteps; ++step) {
    // Residencies ending before this step leave; those beginning enter.
    llvm::erase_if(live, [&](unsigned id) {
      const Residency &residency = plan.residencies[id];
      if (residency.end >= step)
        return false;
      residentAt[residency.tensor] = -1;
      return true;
    });
    for (unsigned id : beginning[step]) {
      live.push_back(id);
      residentAt[plan.residencies[id].tensor] = id;
    }

    spans.clear();
    for (unsigned id : live) {
      const Residency &residency = plan.residencies[id];
      uint64_t footprint =
          spm.footprint(graph.getTensor(residency.tensor).bytes);
      if (footprint == 0)
        continue;
      spans.push_back(
          {residency.offset, residency.offset + footprint, residency.tensor});
    }
    llvm::sort(spans, [](const Span &a, const Span &b) {
      return a.begin < b.begin || (a.begin == b.begin && a.end < b.end);
    });
    // The span reaching furthest so far overlaps the next one if it starts
    // before that end.
    const Span *furthest = nullptr;
    for (const Span &span : spans) {
      if (furthest && span.begin < furthest->end)
        return fail(llvm::formatv("{0}: buffers of '{1}' [{2}, {3}) and "
                                  "'{4}' [{5}, {6}) overlap",
                                  at(step), nameOf(furthest->tensor),
                                  furthest->begin, furthest->end,
                                  nameOf(span.tensor), span.begin, span.end));
      if (!furthest || span.end > furthest->end)
        furthest = &span;
    }

    const Operator &op = graph.getOperator(plan.order[step]);
    for (unsigned tensor : op.inputs)
      if (residentAt[tensor] < 0)
        return fail(llvm::formatv("{0}: operand '{1}' is not resident",
                                  at(step), nameOf(tensor)));
    for (unsigned tensor : op.outputs)
      if (residentAt[tensor] < 0)
        return fail(llvm::formatv("{0}: result '{1}' is not resident", at(step),
                                  nameOf(tensor)));
  }
  return llvm::Error::success();
}

llvm::Error PlanChecker::checkOutputsStored() {
  for (auto [id, tensor] : llvm::enumerate(graph.getTensors())) {
    if (!tensor.isOutput || tensor.isExternal())
      continue;
    if (llvm::any_of(residenciesOf[id], [&](unsigned residency) {
          return plan.residencies[residency].store;
        }))
      continue;
    return fail(llvm::formatv("{0}: graph output '{1}' is never stored",
                              at(stepOf[tensor.producer]), tensor.name));
  }
  return llvm::Error::success();
}

llvm::Error tessera::memory::verifyPlan(const Graph &graph,
                                        const ScratchpadConfig &spm,
                                        const Plan &plan) {
  PlanChecker checker(graph, spm, plan);
  return checker.check();
}

Traffic tessera::memory::computeTraffic(const Graph &graph, const Plan &plan) {
  Traffic traffic;
  std::vector<bool> loaded(graph.numTensors(), false);
  std::vector<bool> stored(graph.numTensors(), false);
  for (const Residency &residency : plan.residencies) {
    if (residency.tensor >= graph.numTensors())
      continue;
    const Tensor &tensor = graph.getTensor(residency.tensor);
    if (residency.load) {
      // Every value is loaded at least once from off-chip; only the first
      // load of an input or weight is unavoidable.
      bool compulsory = tensor.isExternal() && !loaded[residency.tensor];
      (compulsory ? traffic.compulsoryLoadBytes : traffic.ncLoadBytes) +=
          tensor.bytes;
      loaded[residency.tensor] = true;
    }
    if (residency.store) {
      bool compulsory =
          tensor.isOutput && !tensor.isExternal() && !stored[residency.tensor];
      (compulsory ? traffic.compulsoryStoreBytes : traffic.ncStoreBytes) +=
          tensor.bytes;
      stored[residency.tensor] = true;
    }
  }
  return traffic;
}

uint64_t tessera::memory::computePeakUsage(const Graph &graph,
                                           const ScratchpadConfig &spm,
                                           const Plan &plan) {
  uint64_t peak = 0;
  for (const Residency &residency : plan.residencies) {
    // Every valid residency is live at its begin step.
    if (residency.tensor >= graph.numTensors() ||
        residency.begin > residency.end || residency.end >= plan.order.size())
      continue;
    uint64_t footprint = spm.footprint(graph.getTensor(residency.tensor).bytes);
    if (footprint != 0)
      peak = std::max(peak, residency.offset + footprint);
  }
  return peak;
}
