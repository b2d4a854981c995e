//===- ILPPlannerTest.cpp - Tests of the COSMA ILP planners ---------------===//

#include "tessera/Memory/ILPPlanner.h"
#include "tessera/Memory/Heuristics.h"
#include "tessera/Memory/Planner.h"

#include "gtest/gtest.h"

#include <random>

using namespace tessera::memory;

namespace {

constexpr uint64_t KiB = 1024;

/// Fails the test unless `plan` verifies.
void expectValid(const Graph &graph, const ScratchpadConfig &spm,
                 const Plan &plan) {
  llvm::Error error = verifyPlan(graph, spm, plan);
  EXPECT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));
}

uint64_t getNC(const Graph &graph, const Plan &plan) {
  return computeTraffic(graph, plan).ncBytes();
}

/// The baseline with the least NC traffic (as planMemory picks warm
/// starts); model-order baselines only when `modelOrderOnly`.
Plan getBestBaseline(const Graph &graph, const ScratchpadConfig &spm,
                     bool modelOrderOnly) {
  std::vector<std::vector<unsigned>> orders = {getModelOrder(graph)};
  if (!modelOrderOnly)
    orders.push_back(getMemoryAwareOrder(graph, spm));
  std::optional<Plan> best;
  for (const std::vector<unsigned> &order : orders)
    for (auto [placement, eviction] :
         {std::make_pair(Placement::FirstFit, Eviction::LRU),
          std::make_pair(Placement::BestFit, Eviction::Belady),
          std::make_pair(Placement::BestFit, Eviction::MinEvictedBytes)}) {
      llvm::Expected<Plan> plan =
          simulateSchedule(graph, spm, order, placement, eviction);
      if (!plan) {
        ADD_FAILURE() << llvm::toString(plan.takeError());
        continue;
      }
      if (!best || getNC(graph, *plan) < getNC(graph, *best))
        best = std::move(*plan);
    }
  return best ? *best : Plan();
}

PlanResult solveOrFail(const Graph &graph, const ScratchpadConfig &spm,
                       const ILPOptions &options) {
  llvm::Expected<PlanResult> result = solveILP(graph, spm, options);
  if (!result) {
    ADD_FAILURE() << llvm::toString(result.takeError());
    return {};
  }
  expectValid(graph, spm, result->plan);
  return std::move(*result);
}

/// x -> op0 -> t0 -> op1 -> ... -> t5 (output), all 1 KiB.
Graph makeChain() {
  Graph graph;
  unsigned previous = graph.addTensor("x", KiB, TensorKind::Input);
  for (int i = 0; i < 6; ++i) {
    unsigned next = graph.addTensor("t" + std::to_string(i), KiB,
                                    TensorKind::Intermediate, i == 5);
    unsigned weight =
        graph.addTensor("w" + std::to_string(i), 512, TensorKind::Weight);
    graph.addOperator("op" + std::to_string(i), {previous, weight}, {next});
    previous = next;
  }
  return graph;
}

/// A residual block: a = A(x); b = B(a); c = C(b); out = D(c, a), sizes
/// x, a, out 1 KiB and b, c 2 KiB. In 4 KiB, C's 4 KiB working set leaves
/// no room for `a`: it is stored after A and reloaded for D (2 KiB NC).
Graph makeResidualBlock() {
  Graph graph;
  unsigned x = graph.addTensor("x", KiB, TensorKind::Input);
  unsigned a = graph.addTensor("a", KiB, TensorKind::Intermediate);
  unsigned b = graph.addTensor("b", 2 * KiB, TensorKind::Intermediate);
  unsigned c = graph.addTensor("c", 2 * KiB, TensorKind::Intermediate);
  unsigned out = graph.addTensor("out", KiB, TensorKind::Intermediate, true);
  graph.addOperator("A", {x}, {a});
  graph.addOperator("B", {a}, {b});
  graph.addOperator("C", {b}, {c});
  graph.addOperator("D", {c, a}, {out});
  return graph;
}

/// Two branches: a1 = A1(x), b1 = B1(x), a2 = A2(a1), b2 = B2(b1),
/// out = C(a2, b2), in model order A1, B1, A2, B2, C. a1 and b1 are 4 KiB,
/// the rest 1 KiB. In 7 KiB the model order must spill a1 around B1 and b1
/// around A2 (16 KiB NC); A1, A2, B1, B2, C needs no spill.
Graph makeBranches() {
  Graph graph;
  unsigned x = graph.addTensor("x", KiB, TensorKind::Input);
  unsigned a1 = graph.addTensor("a1", 4 * KiB, TensorKind::Intermediate);
  unsigned b1 = graph.addTensor("b1", 4 * KiB, TensorKind::Intermediate);
  unsigned a2 = graph.addTensor("a2", KiB, TensorKind::Intermediate);
  unsigned b2 = graph.addTensor("b2", KiB, TensorKind::Intermediate);
  unsigned out = graph.addTensor("out", KiB, TensorKind::Intermediate, true);
  graph.addOperator("A1", {x}, {a1});
  graph.addOperator("B1", {x}, {b1});
  graph.addOperator("A2", {a1}, {a2});
  graph.addOperator("B2", {b1}, {b2});
  graph.addOperator("C", {a2, b2}, {out});
  return graph;
}

/// A random DAG: each operator reads one to three earlier tensors (biased
/// to recent ones), sometimes a weight, and writes one tensor; tensors
/// nobody reads are outputs.
Graph makeRandomGraph(unsigned numOps, unsigned seed) {
  std::mt19937 rng(seed);
  auto pick = [&](unsigned lo, unsigned hi) {
    return std::uniform_int_distribution<unsigned>(lo, hi)(rng);
  };
  Graph graph;
  std::vector<unsigned> values = {
      graph.addTensor("x", pick(1, 8) * KiB, TensorKind::Input)};
  for (unsigned op = 0; op < numOps; ++op) {
    std::vector<unsigned> inputs = {values.back()};
    unsigned extra = pick(0, 2);
    for (unsigned i = 0; i < extra; ++i) {
      unsigned back = std::min<unsigned>(values.size() - 1, pick(1, 6));
      inputs.push_back(values[values.size() - 1 - back]);
    }
    if (pick(0, 2) == 0)
      inputs.push_back(graph.addTensor("w" + std::to_string(op),
                                       pick(1, 4) * KiB, TensorKind::Weight));
    unsigned result = graph.addTensor("t" + std::to_string(op),
                                      pick(1, 8) * KiB + pick(0, 3) * 100,
                                      TensorKind::Intermediate);
    graph.addOperator("op" + std::to_string(op), inputs, {result});
    values.push_back(result);
  }
  for (unsigned id = 0; id < graph.numTensors(); ++id)
    if (!graph.getTensor(id).isExternal() &&
        graph.getTensor(id).consumers.empty())
      graph.markOutput(id);
  return graph;
}

/// A scratchpad between the minimum and the no-spill peak, so plans spill.
ScratchpadConfig getTightScratchpad(const Graph &graph, double fraction) {
  ScratchpadConfig spm;
  spm.capacity = 1 << 30;
  uint64_t lo = getMinimumCapacity(graph, spm);
  uint64_t hi = getNoSpillPeak(graph, spm);
  spm.capacity = lo + static_cast<uint64_t>((hi > lo ? hi - lo : 0) * fraction);
  spm.capacity = (spm.capacity + 63) / 64 * 64;
  return spm;
}

TEST(ILPPlannerTest, ChainThatFitsHasNoTraffic) {
  Graph graph = makeChain();
  ScratchpadConfig spm{64 * KiB, 64};
  Plan warm = getBestBaseline(graph, spm, false);
  PlanResult result = solveOrFail(graph, spm, {5, {}, &warm});
  EXPECT_EQ(getNC(graph, result.plan), 0u);
  EXPECT_TRUE(result.provenOptimal);
  EXPECT_NEAR(*result.gap, 0, 1e-9);

  // Without a warm start, and in the fixed model order.
  result = solveOrFail(graph, spm, {5, {}, nullptr});
  EXPECT_EQ(getNC(graph, result.plan), 0u);
  result = solveOrFail(graph, spm, {5, getModelOrder(graph), nullptr});
  EXPECT_EQ(getNC(graph, result.plan), 0u);
  EXPECT_EQ(result.plan.order, getModelOrder(graph));
}

TEST(ILPPlannerTest, ResidualBlockSpillsOnce) {
  Graph graph = makeResidualBlock();
  ScratchpadConfig spm{4 * KiB, 64};
  for (bool fixed : {false, true}) {
    Plan warm = getBestBaseline(graph, spm, fixed);
    ILPOptions options{
        5, fixed ? getModelOrder(graph) : std::vector<unsigned>{}, &warm};
    PlanResult result = solveOrFail(graph, spm, options);
    Traffic traffic = computeTraffic(graph, result.plan);
    EXPECT_EQ(traffic.ncStoreBytes, KiB);
    EXPECT_EQ(traffic.ncLoadBytes, KiB);
    EXPECT_TRUE(result.provenOptimal);
    ASSERT_TRUE(result.solverBound.has_value());
    EXPECT_NEAR(*result.solverBound, 2 * KiB, 1e-6);
  }
  llvm::Expected<double> bound = solveCapacityRelaxation(graph, spm, 5);
  ASSERT_TRUE(static_cast<bool>(bound)) << llvm::toString(bound.takeError());
  EXPECT_NEAR(*bound, 2 * KiB, 1e-6);
}

TEST(ILPPlannerTest, ReorderingAvoidsSpill) {
  Graph graph = makeBranches();
  ScratchpadConfig spm{7 * KiB, 64};
  Plan modelWarm = getBestBaseline(graph, spm, true);
  PlanResult fixed =
      solveOrFail(graph, spm, {5, getModelOrder(graph), &modelWarm});
  EXPECT_EQ(getNC(graph, fixed.plan), 16 * KiB);
  EXPECT_EQ(fixed.plan.order, getModelOrder(graph));
  EXPECT_TRUE(fixed.provenOptimal);

  PlanResult joint = solveOrFail(graph, spm, {5, {}, &modelWarm});
  EXPECT_EQ(getNC(graph, joint.plan), 0u);
  EXPECT_TRUE(joint.provenOptimal);
  EXPECT_TRUE(joint.plannerName.empty());

  llvm::Expected<double> bound = solveCapacityRelaxation(graph, spm, 5);
  ASSERT_TRUE(static_cast<bool>(bound)) << llvm::toString(bound.takeError());
  EXPECT_NEAR(*bound, 0, 1e-6);
}

TEST(ILPPlannerTest, RejectsNonTopologicalFixedOrder) {
  Graph graph = makeBranches();
  ScratchpadConfig spm{64 * KiB, 64};
  llvm::Expected<PlanResult> result =
      solveILP(graph, spm, {5, {2, 0, 1, 3, 4}, nullptr});
  EXPECT_FALSE(static_cast<bool>(result));
  llvm::consumeError(result.takeError());
}

TEST(ILPPlannerTest, RandomGraphsBeatBaselines) {
  uint64_t warmTotal = 0, jointTotal = 0;
  for (unsigned seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Graph graph = makeRandomGraph(8 + seed % 5, seed);
    ScratchpadConfig spm = getTightScratchpad(graph, 0.3);

    Plan warm = getBestBaseline(graph, spm, false);
    PlanResult joint = solveOrFail(graph, spm, {5, {}, &warm});
    EXPECT_LE(getNC(graph, joint.plan), getNC(graph, warm));
    warmTotal += getNC(graph, warm);
    jointTotal += getNC(graph, joint.plan);

    Plan modelWarm = getBestBaseline(graph, spm, true);
    PlanResult fixed =
        solveOrFail(graph, spm, {5, getModelOrder(graph), &modelWarm});
    EXPECT_LE(getNC(graph, fixed.plan), getNC(graph, modelWarm));
    EXPECT_EQ(fixed.plan.order, getModelOrder(graph));
    // The joint problem contains the fixed-order one.
    if (joint.provenOptimal)
      EXPECT_LE(getNC(graph, joint.plan), getNC(graph, fixed.plan));

    llvm::Expected<double> bound = solveCapacityRelaxation(graph, spm, 5);
    ASSERT_TRUE(static_cast<bool>(bound)) << llvm::toString(bound.takeError());
    EXPECT_LE(*bound, getNC(graph, joint.plan) + 1e-6);
    if (joint.solverBound)
      EXPECT_LE(*joint.solverBound, getNC(graph, joint.plan) + 1e-6);
  }
  // The scratchpads are tight enough that the baselines spill, and the ILP
  // saves some of it.
  EXPECT_GT(warmTotal, 0u);
  EXPECT_LT(jointTotal, warmTotal);
}

TEST(ILPPlannerTest, SmallPartsStitchIntoValidPlans) {
  // Parts of two and three operators put a seam next to almost every
  // step: residents carried over, stores made for later parts, windows
  // across seams with both boundaries fixed.
  for (unsigned seed = 11; seed <= 13; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Graph graph = makeRandomGraph(12, seed);
    ScratchpadConfig spm = getTightScratchpad(graph, 0.2);
    Plan warm = getBestBaseline(graph, spm, false);
    for (unsigned partSize : {2u, 3u}) {
      llvm::Expected<PlanResult> result =
          solveDivideAndConquer(graph, spm, partSize, 2, &warm);
      ASSERT_TRUE(static_cast<bool>(result))
          << llvm::toString(result.takeError());
      expectValid(graph, spm, result->plan);
      EXPECT_LE(getNC(graph, result->plan), getNC(graph, warm));
      for (const std::string &warning : result->warnings)
        EXPECT_EQ(warning.find("no solution"), std::string::npos) << warning;
    }
  }
}

TEST(ILPPlannerTest, DivideAndConquerOnFortyOperators) {
  Graph graph = makeRandomGraph(40, 7);
  ScratchpadConfig spm = getTightScratchpad(graph, 0.3);
  Plan warm = getBestBaseline(graph, spm, false);
  llvm::Expected<PlanResult> result =
      solveDivideAndConquer(graph, spm, 10, 2, &warm);
  ASSERT_TRUE(static_cast<bool>(result)) << llvm::toString(result.takeError());
  expectValid(graph, spm, result->plan);
  EXPECT_LE(getNC(graph, result->plan), getNC(graph, warm));

  // Without a warm start it plans from the memory-aware order.
  result = solveDivideAndConquer(graph, spm, 10, 2, nullptr);
  ASSERT_TRUE(static_cast<bool>(result)) << llvm::toString(result.takeError());
  expectValid(graph, spm, result->plan);
}

TEST(ILPPlannerTest, PlanMemoryRunsTheILPs) {
  Graph graph = makeBranches();
  PlannerOptions options;
  options.spm = {7 * KiB, 64};
  options.timeLimitSeconds = 5;
  for (PlannerKind kind : {PlannerKind::FixedOrderILP, PlannerKind::ILP,
                           PlannerKind::DivideAndConquer}) {
    options.kind = kind;
    options.partSize = 3;
    llvm::Expected<PlanResult> result = planMemory(graph, options);
    ASSERT_TRUE(static_cast<bool>(result))
        << llvm::toString(result.takeError());
    ASSERT_TRUE(result->relaxationBound.has_value());
    EXPECT_LE(*result->relaxationBound, result->traffic.ncBytes() + 1e-6);
    if (kind == PlannerKind::ILP)
      EXPECT_EQ(result->traffic.ncBytes(), 0u);
  }
}

} // namespace
