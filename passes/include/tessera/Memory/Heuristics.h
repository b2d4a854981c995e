//===- Heuristics.h - Baseline scratchpad planners --------------*- C++ -*-===//
//
// The baselines of the COSMA paper: a fixed operator order, a placement
// policy for buffer offsets and an eviction policy, simulated step by step.
//   B0  model order, first fit, LRU eviction
//   B1  model order, best fit by size (TFLite arena style), Belady eviction
//   B2  model order, best fit by size, fewest evicted bytes
//   B3  memory-aware order, then as B1
//   B4  memory-aware order, then as B2
// Also the budgets the benchmark uses (M_R, M_P).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_MEMORY_HEURISTICS_H
#define TESSERA_MEMORY_HEURISTICS_H

#include "tessera/Memory/Plan.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace tessera::memory {

enum class Placement { FirstFit, BestFit };
enum class Eviction { LRU, Belady, MinEvictedBytes };

/// Operators in index order (the order of the model file).
std::vector<unsigned> getModelOrder(const Graph &graph);

/// A topological order chosen greedily to keep the live footprint small
/// (no spills): at each step the ready operator that frees the most and
/// allocates the least.
std::vector<unsigned> getMemoryAwareOrder(const Graph &graph,
                                          const ScratchpadConfig &spm);

/// Simulates `order` with the given policies: before each step the
/// operator's operands are loaded if absent and its results allocated;
/// when no hole fits, residents not used by this step are evicted (stored
/// first if their value is not off-chip and a later step reads it).
/// Fails, naming the operator, if its working set alone does not fit.
llvm::Expected<Plan> simulateSchedule(const Graph &graph,
                                      const ScratchpadConfig &spm,
                                      llvm::ArrayRef<unsigned> order,
                                      Placement placement, Eviction eviction);

/// M_R: the largest working set (footprints) of one operator, the smallest
/// scratchpad any plan can use.
uint64_t getMinimumCapacity(const Graph &graph, const ScratchpadConfig &spm);

/// M_P: the peak live footprint of the memory-aware order without spills,
/// a scratchpad size at which no tensor needs to leave (fragmentation
/// aside).
uint64_t getNoSpillPeak(const Graph &graph, const ScratchpadConfig &spm);

/// Checks that every operator's working set fits in the scratchpad;
/// otherwise an error naming the operator and the bytes it needs.
llvm::Error checkCapacity(const Graph &graph, const ScratchpadConfig &spm);

} // namespace tessera::memory

#endif // TESSERA_MEMORY_HEURISTICS_H
