//===- BufferPlacement.cpp - First-fit offsets for a fixed schedule -------===//
//
// Dynamic storage allocation for buffers whose lifetimes are already
// decided (relax and place, WindowProblem.cpp): pinned buffers keep their
// offsets, the rest go first fit under a few orders.
//
//===----------------------------------------------------------------------===//

#include "WindowProblem.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <numeric>

using namespace tessera::memory;
using namespace tessera::memory::detail;

static bool liveTogether(const Buffer &a, const Buffer &b) {
  return a.begin <= b.end && b.begin <= a.end;
}

/// Places the free buffers in `order` at the lowest offset clear of every
/// placed buffer they share a step with.
static bool placeInOrder(llvm::ArrayRef<Buffer> buffers,
                         llvm::ArrayRef<unsigned> order, uint64_t capacity,
                         std::vector<uint64_t> &offsets,
                         std::vector<bool> placed) {
  std::vector<std::pair<uint64_t, uint64_t>> taken;
  for (unsigned index : order) {
    const Buffer &buffer = buffers[index];
    taken.clear();
    for (unsigned other = 0; other < buffers.size(); ++other)
      if (placed[other] && buffers[other].bytes > 0 &&
          liveTogether(buffer, buffers[other]))
        taken.push_back({offsets[other], offsets[other] + buffers[other].bytes});
    llvm::sort(taken);
    uint64_t candidate = 0;
    for (auto [lo, hi] : taken) {
      if (candidate + buffer.bytes <= lo)
        break;
      candidate = std::max(candidate, hi);
    }
    if (candidate + buffer.bytes > capacity)
      return false;
    offsets[index] = candidate;
    placed[index] = true;
  }
  return true;
}

std::optional<std::vector<uint64_t>>
tessera::memory::detail::placeBuffers(llvm::ArrayRef<Buffer> buffers,
                                      uint64_t capacity) {
  std::vector<uint64_t> offsets(buffers.size(), 0);
  std::vector<bool> placed(buffers.size(), false);
  std::vector<unsigned> free;
  for (auto [index, buffer] : llvm::enumerate(buffers)) {
    if (!buffer.fixedOffset) {
      free.push_back(index);
      continue;
    }
    if (*buffer.fixedOffset + buffer.bytes > capacity)
      return std::nullopt;
    offsets[index] = *buffer.fixedOffset;
    placed[index] = true;
  }
  for (unsigned a = 0; a < buffers.size(); ++a)
    for (unsigned b = a + 1; b < buffers.size(); ++b)
      if (placed[a] && placed[b] && buffers[a].bytes > 0 &&
          buffers[b].bytes > 0 && liveTogether(buffers[a], buffers[b]) &&
          offsets[a] < offsets[b] + buffers[b].bytes &&
          offsets[b] < offsets[a] + buffers[a].bytes)
        return std::nullopt;
  if (free.empty())
    return offsets;

  auto key = [&](auto project) {
    std::vector<unsigned> order = free;
    llvm::stable_sort(order, [&](unsigned a, unsigned b) {
      return project(buffers[a]) > project(buffers[b]);
    });
    return order;
  };
  std::vector<std::vector<unsigned>> orders = {
      key([](const Buffer &b) { return b.bytes; }),
      key([](const Buffer &b) { return -static_cast<int64_t>(b.begin); }),
      key([](const Buffer &b) { return b.end - b.begin; }),
      key([](const Buffer &b) { return b.bytes * (b.end - b.begin + 1); })};
  for (const std::vector<unsigned> &order : orders)
    if (placeInOrder(buffers, order, capacity, offsets, placed))
      return offsets;
  return std::nullopt;
}
