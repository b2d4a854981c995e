//===- Heuristics.cpp - Baseline scratchpad planners ----------------------===//

#include "tessera/Memory/Heuristics.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <optional>

using namespace tessera::memory;

static llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The scratchpad bytes operator `op` needs at once: the footprints of its
/// operands and results.
static uint64_t getWorkingSetBytes(const Graph &graph,
                                   const ScratchpadConfig &spm, unsigned op) {
  uint64_t bytes = 0;
  for (unsigned tensor : graph.getWorkingSet(op))
    bytes += spm.footprint(graph.getTensor(tensor).bytes);
  return bytes;
}

std::vector<unsigned> tessera::memory::getModelOrder(const Graph &graph) {
  std::vector<unsigned> order(graph.numOperators());
  std::iota(order.begin(), order.end(), 0u);
  return order;
}

std::vector<unsigned>
tessera::memory::getMemoryAwareOrder(const Graph &graph,
                                     const ScratchpadConfig &spm) {
  unsigned numOps = graph.numOperators();
  std::vector<unsigned> remainingConsumers(graph.numTensors());
  std::vector<bool> available(graph.numTensors()), live(graph.numTensors());
  for (auto [id, tensor] : llvm::enumerate(graph.getTensors())) {
    remainingConsumers[id] = tensor.consumers.size();
    available[id] = tensor.isExternal();
  }
  auto footprintOf = [&](unsigned tensor) -> int64_t {
    return spm.footprint(graph.getTensor(tensor).bytes);
  };

  std::vector<bool> done(numOps, false);
  std::vector<unsigned> order;
  order.reserve(numOps);
  while (order.size() < numOps) {
    std::optional<unsigned> best;
    int64_t bestDelta = 0;
    for (unsigned op = 0; op < numOps; ++op) {
      if (done[op])
        continue;
      const Operator &oper = graph.getOperator(op);
      if (!llvm::all_of(oper.inputs,
                        [&](unsigned tensor) { return available[tensor]; }))
        continue;
      // Bytes that become live (results, inputs and weights loaded just in
      // time) minus bytes that die (operands read for the last time,
      // results nobody reads).
      int64_t delta = 0;
      for (unsigned tensor : oper.inputs) {
        if (!live[tensor])
          delta += footprintOf(tensor);
        if (remainingConsumers[tensor] == 1)
          delta -= footprintOf(tensor);
      }
      for (unsigned tensor : oper.outputs)
        if (!graph.getTensor(tensor).consumers.empty())
          delta += footprintOf(tensor);
      if (!best || delta < bestDelta) {
        best = op;
        bestDelta = delta;
      }
    }
    // Only a malformed graph (a cycle, a missing producer) leaves no ready
    // operator: finish in index order.
    if (!best) {
      for (unsigned op = 0; op < numOps; ++op)
        if (!done[op])
          order.push_back(op);
      break;
    }
    done[*best] = true;
    order.push_back(*best);
    const Operator &oper = graph.getOperator(*best);
    for (unsigned tensor : oper.inputs)
      live[tensor] = --remainingConsumers[tensor] != 0;
    for (unsigned tensor : oper.outputs) {
      available[tensor] = true;
      live[tensor] = remainingConsumers[tensor] != 0;
    }
  }
  return order;
}

uint64_t tessera::memory::getMinimumCapacity(const Graph &graph,
                                             const ScratchpadConfig &spm) {
  uint64_t minimum = 0;
  for (unsigned op = 0; op < graph.numOperators(); ++op)
    minimum = std::max(minimum, getWorkingSetBytes(graph, spm, op));
  return minimum;
}

uint64_t tessera::memory::getNoSpillPeak(const Graph &graph,
                                         const ScratchpadConfig &spm) {
  std::vector<unsigned> order = getMemoryAwareOrder(graph, spm);
  unsigned numSteps = order.size();
  std::vector<unsigned> stepOf(graph.numOperators());
  for (auto [step, op] : llvm::enumerate(order))
    stepOf[op] = step;

  // delta[s]: footprint that becomes live at step s minus what died after
  // step s - 1.
  std::vector<int64_t> delta(numSteps + 1, 0);
  for (const Tensor &tensor : graph.getTensors()) {
    std::optional<unsigned> first, last;
    if (tensor.producer >= 0)
      first = last = stepOf[tensor.producer];
    for (unsigned consumer : tensor.consumers) {
      unsigned step = stepOf[consumer];
      first = first ? std::min(*first, step) : step;
      last = last ? std::max(*last, step) : step;
    }
    if (!first)
      continue;
    int64_t footprint = spm.footprint(tensor.bytes);
    delta[*first] += footprint;
    delta[*last + 1] -= footprint;
  }
  int64_t current = 0, peak = 0;
  for (unsigned step = 0; step < numSteps; ++step) {
    current += delta[step];
    peak = std::max(peak, current);
  }
  return peak;
}

llvm::Error tessera::memory::checkCapacity(const Graph &graph,
                                           const ScratchpadConfig &spm) {
  for (unsigned op = 0; op < graph.numOperators(); ++op) {
    uint64_t needed = getWorkingSetBytes(graph, spm, op);
    if (needed > spm.capacity)
      return fail(llvm::formatv("operator '{0}' needs {1} bytes of scratchpad "
                                "(its operands and results) but the "
                                "scratchpad has {2}",
                                graph.getOperator(op).name, needed,
                                spm.capacity));
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Simulation
//===----------------------------------------------------------------------===//

namespace {
/// A tensor occupying [offset, offset + size) of the scratchpad.
struct Buffer {
  uint64_t offset;
  uint64_t size;
  unsigned tensor;
};

/// A result or operand placed for the current step, not yet a residency.
struct Placed {
  unsigned tensor;
  uint64_t offset;
  bool load;
};

/// Runs an operator order through the scratchpad with one placement and one
/// eviction policy, recording residencies and transfers.
class Simulator {
public:
  Simulator(const Graph &graph, const ScratchpadConfig &spm,
            llvm::ArrayRef<unsigned> order, Placement placement,
            Eviction eviction);

  llvm::Expected<Plan> run();

private:
  uint64_t footprintOf(unsigned tensor) const {
    return spm.footprint(graph.getTensor(tensor).bytes);
  }
  /// The first step >= `step` that reads `tensor`, if any.
  std::optional<unsigned> getNextUse(unsigned tensor, unsigned step) const {
    const std::vector<unsigned> &steps = useSteps[tensor];
    auto it = llvm::lower_bound(steps, step);
    if (it == steps.end())
      return std::nullopt;
    return *it;
  }

  llvm::Error runStep(unsigned step);
  /// Finds room for `size` bytes during `step`, evicting unpinned residents
  /// as the policy says; none if even evicting all of them would not do.
  std::optional<uint64_t> allocate(uint64_t size, unsigned step);
  std::optional<uint64_t> findHole(uint64_t size) const;
  std::optional<unsigned> pickVictim(unsigned step) const;
  std::optional<uint64_t> evictCheapestWindow(uint64_t size, unsigned step);
  /// Places the `missing` tensors of `step` side by side in the cheapest
  /// window free of the step's resident operands; failing that, the whole
  /// working set from address 0 after evicting whatever is in the way, its
  /// own resident operands included.
  void compact(unsigned step, llvm::ArrayRef<unsigned> missing,
               llvm::ArrayRef<unsigned> workingSet);
  void addBuffer(unsigned tensor, uint64_t offset);
  void removeBuffer(unsigned tensor);
  /// Ends the residency of `tensor` after step `last`, storing its value if
  /// a later step or the graph's output needs it and it is not off-chip.
  void close(unsigned tensor, unsigned last);

  const Graph &graph;
  const ScratchpadConfig &spm;
  llvm::ArrayRef<unsigned> order;
  Placement placement;
  Eviction eviction;

  Plan plan;
  /// The steps that read each tensor, ascending.
  std::vector<std::vector<unsigned>> useSteps;
  /// The open residency of each tensor, or -1.
  std::vector<int> residencyOf;
  /// Whether off-chip memory holds the tensor's value.
  std::vector<bool> offChip;
  /// The last step that touched each tensor (LRU).
  std::vector<unsigned> lastUse;
  /// The working set of the current step: never evicted by `allocate`.
  std::vector<bool> pinned;
  /// Occupied address ranges by offset, zero-byte tensors left out.
  std::vector<Buffer> buffers;
  /// Tensors placed for the current step.
  std::vector<Placed> placed;
};
} // namespace

Simulator::Simulator(const Graph &graph, const ScratchpadConfig &spm,
                     llvm::ArrayRef<unsigned> order, Placement placement,
                     Eviction eviction)
    : graph(graph), spm(spm), order(order), placement(placement),
      eviction(eviction) {
  unsigned numTensors = graph.numTensors();
  useSteps.resize(numTensors);
  residencyOf.assign(numTensors, -1);
  offChip.resize(numTensors);
  lastUse.assign(numTensors, 0);
  pinned.assign(numTensors, false);
  for (auto [id, tensor] : llvm::enumerate(graph.getTensors()))
    offChip[id] = tensor.isExternal();
}

llvm::Expected<Plan> Simulator::run() {
  if (llvm::Error error = graph.verify())
    return std::move(error);
  if (!graph.isTopologicalOrder(order))
    return fail("the operator order is not a topological permutation of "
                "the graph's operators");
  if (llvm::Error error = checkCapacity(graph, spm))
    return std::move(error);

  // Ascending, as steps are visited in order.
  for (auto [step, op] : llvm::enumerate(order))
    for (unsigned tensor : graph.getOperator(op).inputs)
      useSteps[tensor].push_back(step);

  plan.order.assign(order.begin(), order.end());
  for (unsigned step = 0, e = order.size(); step < e; ++step)
    if (llvm::Error error = runStep(step))
      return std::move(error);
  // Every tensor dies at its last use, so nothing should be left; close
  // whatever is, storing outputs.
  for (unsigned tensor = 0, e = graph.numTensors(); tensor < e; ++tensor)
    if (residencyOf[tensor] >= 0)
      close(tensor, order.size() - 1);
  return std::move(plan);
}

llvm::Error Simulator::runStep(unsigned step) {
  const Operator &op = graph.getOperator(order[step]);
  std::vector<unsigned> workingSet = graph.getWorkingSet(order[step]);
  for (unsigned tensor : workingSet)
    pinned[tensor] = true;

  // Place what is missing, largest first (it is the hardest to fit).
  std::vector<unsigned> missing;
  for (unsigned tensor : workingSet)
    if (residencyOf[tensor] < 0)
      missing.push_back(tensor);
  llvm::sort(missing, [&](unsigned a, unsigned b) {
    return std::make_pair(footprintOf(a), b) >
           std::make_pair(footprintOf(b), a);
  });
  placed.clear();
  bool fits = true;
  for (unsigned tensor : missing) {
    std::optional<uint64_t> offset = allocate(footprintOf(tensor), step);
    if (!offset) {
      fits = false;
      break;
    }
    bool load = !llvm::is_contained(op.outputs, tensor);
    placed.push_back({tensor, *offset, load});
    addBuffer(tensor, *offset);
  }
  // Pinned buffers left no hole large enough: start the step afresh.
  if (!fits)
    compact(step, missing, workingSet);

  for (const Placed &p : placed) {
    if (p.load && !offChip[p.tensor])
      return fail(llvm::formatv("internal error: step {0} (operator '{1}') "
                                "reads '{2}', whose value was lost",
                                step, op.name, graph.getTensor(p.tensor).name));
    Residency residency;
    residency.tensor = p.tensor;
    residency.begin = residency.end = step;
    residency.offset = p.offset;
    residency.load = p.load;
    residencyOf[p.tensor] = plan.residencies.size();
    plan.residencies.push_back(residency);
  }
  placed.clear();

  // Tensors no later step reads die now.
  for (unsigned tensor : workingSet) {
    pinned[tensor] = false;
    lastUse[tensor] = step;
    if (!getNextUse(tensor, step + 1))
      close(tensor, step);
  }
  return llvm::Error::success();
}

std::optional<uint64_t> Simulator::allocate(uint64_t size, unsigned step) {
  if (size == 0)
    return 0;
  while (true) {
    if (std::optional<uint64_t> offset = findHole(size))
      return offset;
    if (eviction == Eviction::MinEvictedBytes)
      return evictCheapestWindow(size, step);
    std::optional<unsigned> victim = pickVictim(step);
    if (!victim)
      return std::nullopt;
    close(*victim, step - 1);
  }
}

std::optional<uint64_t> Simulator::findHole(uint64_t size) const {
  std::optional<uint64_t> best;
  uint64_t bestSize = 0;
  uint64_t start = 0;
  // Records the hole [start, end) if it fits; true once FirstFit is done.
  auto consider = [&](uint64_t end) {
    if (end < start || end - start < size)
      return false;
    if (!best || end - start < bestSize) {
      best = start;
      bestSize = end - start;
    }
    return placement == Placement::FirstFit;
  };
  for (const Buffer &buffer : buffers) {
    if (consider(buffer.offset))
      return best;
    start = std::max(start, buffer.offset + buffer.size);
  }
  consider(spm.capacity);
  return best;
}

std::optional<unsigned> Simulator::pickVictim(unsigned step) const {
  std::optional<unsigned> victim;
  for (const Buffer &buffer : buffers) {
    unsigned tensor = buffer.tensor;
    if (pinned[tensor])
      continue;
    if (!victim) {
      victim = tensor;
      continue;
    }
    if (eviction == Eviction::LRU) {
      // Least recently used; ties to the lower tensor id.
      if (std::make_pair(lastUse[tensor], tensor) <
          std::make_pair(lastUse[*victim], *victim))
        victim = tensor;
      continue;
    }
    // Belady: the next use furthest away (never = infinitely far); ties to
    // the larger buffer, then the lower tensor id.
    auto key = [&](unsigned t) {
      std::optional<unsigned> next = getNextUse(t, step);
      unsigned distance = next ? *next : std::numeric_limits<unsigned>::max();
      return std::make_tuple(distance, footprintOf(t), -static_cast<int>(t));
    };
    if (key(tensor) > key(*victim))
      victim = tensor;
  }
  return victim;
}

std::optional<uint64_t> Simulator::evictCheapestWindow(uint64_t size,
                                                       unsigned step) {
  if (size > spm.capacity)
    return std::nullopt;
  // Some optimal window starts at 0 or where a buffer ends: slide any other
  // to the left until it does, it overlaps no more buffers on the way.
  std::vector<uint64_t> candidates = {0};
  for (const Buffer &buffer : buffers)
    candidates.push_back(buffer.offset + buffer.size);
  llvm::sort(candidates);
  candidates.erase(std::unique(candidates.begin(), candidates.end()),
                   candidates.end());

  std::optional<uint64_t> best;
  uint64_t bestBytes = 0;
  for (uint64_t start : candidates) {
    if (start > spm.capacity - size)
      break;
    uint64_t bytes = 0;
    bool blocked = false;
    for (const Buffer &buffer : buffers) {
      if (buffer.offset >= start + size || buffer.offset + buffer.size <= start)
        continue;
      if (pinned[buffer.tensor]) {
        blocked = true;
        break;
      }
      bytes += graph.getTensor(buffer.tensor).bytes;
    }
    if (blocked || (best && bytes >= bestBytes))
      continue;
    best = start;
    bestBytes = bytes;
  }
  if (!best)
    return std::nullopt;
  std::vector<unsigned> victims;
  for (const Buffer &buffer : buffers)
    if (buffer.offset < *best + size && buffer.offset + buffer.size > *best)
      victims.push_back(buffer.tensor);
  for (unsigned tensor : victims)
    close(tensor, step - 1);
  return best;
}

void Simulator::compact(unsigned step, llvm::ArrayRef<unsigned> missing,
                        llvm::ArrayRef<unsigned> workingSet) {
  for (const Placed &p : placed)
    removeBuffer(p.tensor);
  placed.clear();
  const Operator &op = graph.getOperator(order[step]);
  auto place = [&](llvm::ArrayRef<unsigned> tensors, uint64_t offset) {
    for (unsigned tensor : tensors) {
      bool load = !llvm::is_contained(op.outputs, tensor);
      placed.push_back({tensor, offset, load});
      addBuffer(tensor, offset);
      offset += footprintOf(tensor);
    }
  };

  uint64_t missingBytes = 0;
  for (unsigned tensor : missing)
    missingBytes += footprintOf(tensor);
  if (std::optional<uint64_t> offset =
          evictCheapestWindow(missingBytes, step)) {
    place(missing, *offset);
    return;
  }
  // Operands resident since earlier steps move too: they leave after the
  // previous step (stored if their value is on-chip only) and are loaded
  // again.
  for (unsigned tensor : workingSet)
    if (residencyOf[tensor] >= 0)
      close(tensor, step - 1);

  uint64_t total = 0;
  for (unsigned tensor : workingSet)
    total += footprintOf(tensor);
  std::vector<unsigned> victims;
  for (const Buffer &buffer : buffers)
    if (buffer.offset < total)
      victims.push_back(buffer.tensor);
  for (unsigned tensor : victims)
    close(tensor, step - 1);

  place(workingSet, 0);
}

void Simulator::addBuffer(unsigned tensor, uint64_t offset) {
  uint64_t size = footprintOf(tensor);
  if (size == 0)
    return;
  auto it = llvm::upper_bound(buffers, offset,
                              [](uint64_t offset, const Buffer &buffer) {
                                return offset < buffer.offset;
                              });
  buffers.insert(it, Buffer{offset, size, tensor});
}

void Simulator::removeBuffer(unsigned tensor) {
  llvm::erase_if(buffers,
                 [&](const Buffer &buffer) { return buffer.tensor == tensor; });
}

void Simulator::close(unsigned tensor, unsigned last) {
  int id = residencyOf[tensor];
  if (id < 0)
    return;
  Residency &residency = plan.residencies[id];
  residency.end = last;
  const Tensor &t = graph.getTensor(tensor);
  bool needed = t.isOutput || getNextUse(tensor, last + 1).has_value();
  if (needed && !offChip[tensor]) {
    residency.store = true;
    offChip[tensor] = true;
  }
  residencyOf[tensor] = -1;
  removeBuffer(tensor);
}

std::optional<Plan>
tessera::memory::placeWithoutSpills(const Graph &graph,
                                    const ScratchpadConfig &spm,
                                    llvm::ArrayRef<unsigned> order) {
  // Lifetimes: from the first to the last step that touches a tensor.
  constexpr unsigned unused = std::numeric_limits<unsigned>::max();
  std::vector<unsigned> first(graph.numTensors(), unused);
  std::vector<unsigned> last(graph.numTensors(), 0);
  for (auto [step, op] : llvm::enumerate(order)) {
    for (unsigned tensor : graph.getWorkingSet(op)) {
      first[tensor] = std::min<unsigned>(first[tensor], step);
      last[tensor] = std::max<unsigned>(last[tensor], step);
    }
  }
  std::vector<unsigned> byFootprint;
  for (unsigned tensor = 0, e = graph.numTensors(); tensor < e; ++tensor)
    if (first[tensor] != unused)
      byFootprint.push_back(tensor);
  auto footprint = [&](unsigned tensor) {
    return spm.footprint(graph.getTensor(tensor).bytes);
  };
  llvm::stable_sort(byFootprint, [&](unsigned a, unsigned b) {
    return footprint(a) > footprint(b);
  });

  Plan plan;
  plan.order.assign(order.begin(), order.end());
  std::vector<std::pair<uint64_t, uint64_t>> placed; // [begin, end) bytes
  std::vector<unsigned> placedTensors;
  for (unsigned tensor : byFootprint) {
    uint64_t size = footprint(tensor);
    // The ranges taken by tensors alive at the same time, by address.
    std::vector<std::pair<uint64_t, uint64_t>> taken;
    for (auto [range, other] : llvm::zip(placed, placedTensors))
      if (first[other] <= last[tensor] && first[tensor] <= last[other])
        taken.push_back(range);
    llvm::sort(taken);
    std::optional<uint64_t> best;
    uint64_t bestGap = std::numeric_limits<uint64_t>::max();
    uint64_t cursor = 0;
    auto consider = [&](uint64_t gapEnd) {
      if (gapEnd >= cursor && gapEnd - cursor >= size &&
          gapEnd - cursor < bestGap) {
        best = cursor;
        bestGap = gapEnd - cursor;
      }
    };
    for (auto [begin, end] : taken) {
      if (begin > cursor)
        consider(begin);
      cursor = std::max(cursor, end);
    }
    consider(std::numeric_limits<uint64_t>::max());
    if (!best || *best + size > spm.capacity)
      return std::nullopt;
    placed.emplace_back(*best, *best + size);
    placedTensors.push_back(tensor);

    const Tensor &t = graph.getTensor(tensor);
    Residency residency;
    residency.tensor = tensor;
    residency.begin = first[tensor];
    residency.end = last[tensor];
    residency.offset = *best;
    residency.load = t.isExternal();
    residency.store = t.isOutput && !t.isExternal();
    plan.residencies.push_back(residency);
  }
  return plan;
}

llvm::Expected<Plan> tessera::memory::simulateSchedule(
    const Graph &graph, const ScratchpadConfig &spm,
    llvm::ArrayRef<unsigned> order, Placement placement, Eviction eviction) {
  if (placement == Placement::BestFit && graph.isTopologicalOrder(order))
    if (std::optional<Plan> plan = placeWithoutSpills(graph, spm, order))
      return std::move(*plan);
  Simulator simulator(graph, spm, order, placement, eviction);
  return simulator.run();
}
