//===- Plan.h - Scratchpad memory plans and their checker -------*- C++ -*-===//
//
// A memory plan: the operator order, and for every tensor the intervals of
// steps during which it sits in the scratchpad, at which byte offset, and
// the DMA transfers that fill and drain each interval. Every planner
// (heuristic, ILP, divide-and-conquer) produces this one form, and
// verifyPlan replays it before anybody uses it.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_MEMORY_PLAN_H
#define TESSERA_MEMORY_PLAN_H

#include "tessera/Memory/Graph.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace tessera::memory {

/// The scratchpad: its size and the alignment of every buffer in it. A
/// tensor occupies `footprint(bytes)`, its size rounded up to `alignment`.
struct ScratchpadConfig {
  uint64_t capacity = 0;
  uint64_t alignment = 64;

  uint64_t footprint(uint64_t bytes) const {
    return (bytes + alignment - 1) / alignment * alignment;
  }
};

/// One stay of a tensor in the scratchpad, over steps [begin, end].
struct Residency {
  unsigned tensor = 0;
  unsigned begin = 0;
  unsigned end = 0;
  uint64_t offset = 0;
  /// A DMA load from off-chip memory fills the buffer before step `begin`;
  /// otherwise the operator of step `begin` writes it (its producer).
  bool load = false;
  /// A DMA store writes the buffer back to off-chip memory after step `end`.
  bool store = false;
};

struct Plan {
  /// order[step] = the operator that runs at that step.
  std::vector<unsigned> order;
  std::vector<Residency> residencies;
};

/// Off-chip traffic of a plan in bytes (sizes, not footprints).
/// Compulsory: the first load of each input and weight, the first store of
/// each graph output. Non-compulsory (NC): every other load and store.
struct Traffic {
  uint64_t compulsoryLoadBytes = 0;
  uint64_t compulsoryStoreBytes = 0;
  uint64_t ncLoadBytes = 0;
  uint64_t ncStoreBytes = 0;

  uint64_t compulsoryBytes() const {
    return compulsoryLoadBytes + compulsoryStoreBytes;
  }
  uint64_t ncBytes() const { return ncLoadBytes + ncStoreBytes; }
};

/// Replays `plan` step by step and reports the first violation, naming the
/// step, operator and tensor: an order that is not a topological
/// permutation, a buffer outside the scratchpad or misaligned, two
/// residencies of one tensor that meet, two live buffers that overlap, an
/// operand or result not resident while its operator runs, a load of a
/// tensor whose value is not off-chip yet (never stored), a residency of a
/// result that starts before its producer runs without a load, a store of
/// an input or weight, a graph output never stored.
llvm::Error verifyPlan(const Graph &graph, const ScratchpadConfig &spm,
                       const Plan &plan);

/// The traffic of a plan that verifyPlan accepted.
Traffic computeTraffic(const Graph &graph, const Plan &plan);

/// Peak scratchpad use: the highest end address (offset + footprint) of a
/// buffer live at any step.
uint64_t computePeakUsage(const Graph &graph, const ScratchpadConfig &spm,
                          const Plan &plan);

} // namespace tessera::memory

#endif // TESSERA_MEMORY_PLAN_H
