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
/// tensor occupies `footprint(bytes)`, its size rounded up to `alignment`
/// (an alignment of 0 counts as 1); a zero-byte tensor occupies nothing.
struct ScratchpadConfig {
  uint64_t capacity = 0;
  uint64_t alignment = 64;

  uint64_t getAlignment() const { return alignment ? alignment : 1; }
  uint64_t footprint(uint64_t bytes) const {
    uint64_t align = getAlignment();
    return (bytes / align + (bytes % align != 0)) * align;
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
///
/// Precisely: a residency without a load begins at its producer's step (so
/// inputs and weights are always loaded); a load of an intermediate begins
/// after its producer's step and after the end of an earlier residency of
/// the tensor that stored it; every intermediate graph output has a
/// residency that stores it. Zero-byte tensors still need residencies
/// while their operators run, but occupy no bytes and overlap nothing.
/// The checks run in phases (order, each residency on its own, residencies
/// of one tensor, the step-by-step replay, stored outputs), so "first"
/// means first within the earliest failing phase.
llvm::Error verifyPlan(const Graph &graph, const ScratchpadConfig &spm,
                       const Plan &plan);

/// The traffic of a plan that verifyPlan accepted.
Traffic computeTraffic(const Graph &graph, const Plan &plan);

/// Peak scratchpad use: the highest end address (offset + footprint) of a
/// buffer live at any step (zero-byte buffers end nowhere).
uint64_t computePeakUsage(const Graph &graph, const ScratchpadConfig &spm,
                          const Plan &plan);

} // namespace tessera::memory

#endif // TESSERA_MEMORY_PLAN_H
