//===- RelaxAndPlace.cpp - Window solves seeded by relax and place --------===//
//
// The window problem's driver: a window is first solved without addresses
// (the capacity relaxation, fast), its buffers placed first fit, and the
// plan seeds the full model (WindowProblem.cpp) or stands in for it. When
// the placement fails, the relaxation keeps a growing share of the
// capacity free for fragmentation.
//
//===----------------------------------------------------------------------===//

#include "WindowProblem.h"
#include "tessera/Memory/Heuristics.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <chrono>

using namespace tessera;
using namespace tessera::memory;
using namespace tessera::memory::detail;

llvm::Expected<WindowResult> tessera::memory::detail::solveWindow(
    const Graph &graph, const ScratchpadConfig &spm, const Plan &current,
    const WindowSpec &spec) {
  if (!spec.withAddresses || !spec.constructive)
    return solveWindowModel(graph, spm, current, spec, nullptr);

  // Relax and place: solve without addresses, then place the buffers first
  // fit; leave more room for fragmentation until they fit. For the whole
  // graph, the relaxation's order also runs through the baseline
  // simulations. The best plan seeds the full model, and stands in for it
  // when that finds nothing better in the time left.
  auto start = std::chrono::steady_clock::now();
  auto remaining = [&] {
    return spec.timeLimitSeconds - std::chrono::duration<double>(
                                       std::chrono::steady_clock::now() - start)
                                       .count();
  };
  bool wholeGraph = spec.begin == 0 && spec.end == current.order.size();
  std::optional<Plan> seed;
  double seedObjective = 0;
  // The relaxation at full capacity bounds the full model too.
  double relaxedBound = 0;
  auto offer = [&](Plan plan, double objective) {
    if (seed && seedObjective <= objective)
      return;
    seed = std::move(plan);
    seedObjective = objective;
  };
  for (double slack : {0.0, 0.03, 0.07, 0.12, 0.2, 0.3}) {
    WindowSpec relaxed = spec;
    relaxed.withAddresses = false;
    relaxed.placeBuffers = true;
    relaxed.warmStart = false;
    relaxed.capacityScale = 1 - slack;
    relaxed.timeLimitSeconds = std::max(0.05, remaining() * 0.15);
    llvm::Expected<WindowResult> result =
        solveWindowModel(graph, spm, current, relaxed, nullptr);
    if (!result)
      return result.takeError();
    if (slack == 0 && result->skipped.empty())
      relaxedBound = result->status == ilp::Status::Optimal
                         ? result->ncObjective
                         : result->ncBound;
    if (!result->order.empty() && wholeGraph)
      for (Eviction eviction : {Eviction::Belady, Eviction::MinEvictedBytes}) {
        llvm::Expected<Plan> plan = simulateSchedule(
            graph, spm, result->order, Placement::BestFit, eviction);
        if (!plan) {
          llvm::consumeError(plan.takeError());
          continue;
        }
        if (!isValidPlan(graph, spm, *plan))
          continue;
        double nc = getNCBytes(graph, *plan);
        offer(std::move(*plan), nc);
      }
    bool placed = result->plan && (spec.tail == WindowTail::Open ||
                                   isValidPlan(graph, spm, *result->plan));
    if (placed) {
      offer(std::move(*result->plan), result->ncObjective);
      break;
    }
    if (result->status == ilp::Status::Infeasible || !result->skipped.empty() ||
        remaining() < spec.timeLimitSeconds / 2)
      break;
  }

  // The better of the seed and the current plan starts the full model.
  const Plan *source = nullptr;
  if (seed) {
    source = &*seed;
    if (spec.tail == WindowTail::Fixed && spec.warmStart &&
        !current.residencies.empty() &&
        getNCBytes(graph, current) <= getNCBytes(graph, *seed))
      source = &current;
  }
  WindowSpec full = spec;
  full.timeLimitSeconds = std::max(0.05, remaining());
  llvm::Expected<WindowResult> result =
      solveWindowModel(graph, spm, current, full, source);
  if (!result)
    return result;
  if (result->skipped.empty() && result->status != ilp::Status::Infeasible)
    result->ncBound = std::max(result->ncBound, relaxedBound);
  if (!seed)
    return result;
  bool seedWins = !result->plan || seedObjective < result->ncObjective - 0.5;
  if (seedWins) {
    result->plan = std::move(seed);
    result->ncObjective = seedObjective;
  }
  result->seconds = spec.timeLimitSeconds - remaining();
  return result;
}

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
        taken.push_back(
            {offsets[other], offsets[other] + buffers[other].bytes});
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
    // Ties keep the input order (std::stable_sort trips a libstdc++
    // deprecation warning under clang).
    llvm::sort(order, [&](unsigned a, unsigned b) {
      auto x = project(buffers[a]), y = project(buffers[b]);
      return x > y || (x == y && a < b);
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
