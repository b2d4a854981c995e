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

#include <optional>
#include <vector>

namespace tessera::memory {

enum class Placement { FirstFit, BestFit };
enum class Eviction { LRU, Belady, MinEvictedBytes };

/// Operators in index order (the order of the model file).
std::vector<unsigned> getModelOrder(const Graph &graph);

/// A topological order chosen greedily to keep the live footprint small
/// (no spills): at each step the ready operator that frees the most and
/// allocates the least, i.e. with the smallest (footprints becoming live -
/// footprints dying), ties to the lowest index. Results become live when
/// produced, inputs and weights when first read; both die after their last
/// reader (a result nobody reads dies at once).
std::vector<unsigned> getMemoryAwareOrder(const Graph &graph,
                                          const ScratchpadConfig &spm);

/// TFLite-style offline placement of `order` without spills (see BestFit
/// below); none if it does not fit in the scratchpad.
std::optional<Plan> placeWithoutSpills(const Graph &graph,
                                       const ScratchpadConfig &spm,
                                       llvm::ArrayRef<unsigned> order);

/// Simulates `order` with the given policies: before each step the
/// operator's operands are loaded if absent and its results allocated;
/// when no hole fits, residents not used by this step are evicted (stored
/// first if their value is not off-chip and a later step reads it).
/// Fails, naming the operator, if its working set alone does not fit.
///
/// The rules, in detail:
///  - BestFit first tries TFLite's offline arena plan: every tensor resident
///    from its first to its last use (no spills), offsets assigned greedily
///    by size, largest first, each in the smallest gap left free by the
///    tensors already placed whose lifetimes overlap it. If that fits, it
///    is the plan; otherwise the online simulation below runs.
///  - Missing operands and results are placed largest first. FirstFit takes
///    the lowest-addressed hole that fits, BestFit the smallest (ties to the
///    lowest address).
///  - When no hole fits, LRU evicts the resident touched longest ago (ties
///    to the lower tensor id) and Belady the one read again furthest in the
///    future (never = infinitely far; ties to the larger buffer, then the
///    lower id), one at a time until a hole fits. MinEvictedBytes picks the
///    window [a, a + footprint), a = 0 or the end of a buffer, that holds no
///    buffer of this step and overlaps the fewest tensor bytes (ties to the
///    lowest a), and evicts exactly what overlaps it.
///  - An evicted tensor's residency ends after the previous step; it is
///    stored if its value is not off-chip yet and a later step reads it or
///    it is a graph output.
///  - When the buffers of this step leave no room even with everything else
///    evicted, this step's placements are undone and the missing tensors go
///    side by side into the window chosen as by MinEvictedBytes (whatever
///    the policy). If no window avoids the step's resident operands, the
///    whole working set is packed from address 0: its resident operands
///    leave (stored if needed) and are loaded again, and whatever else
///    overlaps the packed range is evicted.
///  - After the step, operands and results no later step reads leave the
///    scratchpad; a graph output is stored when it leaves, once.
llvm::Expected<Plan> simulateSchedule(const Graph &graph,
                                      const ScratchpadConfig &spm,
                                      llvm::ArrayRef<unsigned> order,
                                      Placement placement, Eviction eviction);

/// M_R: the largest working set (footprints) of one operator, the smallest
/// scratchpad any plan can use.
uint64_t getMinimumCapacity(const Graph &graph, const ScratchpadConfig &spm);

/// M_P: the peak live footprint of the memory-aware order without spills,
/// a scratchpad size at which no tensor needs to leave (fragmentation
/// aside). A result is live from its producer's step to its last reader's;
/// an input or weight from its first reader's step to its last reader's
/// (loaded just in time); the peak is the largest sum of live footprints
/// over the steps.
uint64_t getNoSpillPeak(const Graph &graph, const ScratchpadConfig &spm);

/// Checks that every operator's working set fits in the scratchpad;
/// otherwise an error naming the operator and the bytes it needs.
llvm::Error checkCapacity(const Graph &graph, const ScratchpadConfig &spm);

} // namespace tessera::memory

#endif // TESSERA_MEMORY_HEURISTICS_H
