//===- MemoryPlanTest.cpp - Unit tests of plans, checker and baselines ----===//

#include "tessera/Memory/Graph.h"
#include "tessera/Memory/Heuristics.h"
#include "tessera/Memory/Plan.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Error.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

using namespace tessera::memory;

namespace {

/// The message of `error`, or "" on success.
std::string messageOf(llvm::Error error) {
  if (!error)
    return "";
  return llvm::toString(std::move(error));
}

/// A residual diamond (alignment 64 footprints in brackets):
///   conv1: x [256], w1 [128] -> a [256]
///   conv2: a -> b (300 bytes) [320]
///   conv3: a -> c (100 bytes) [128]
///   add:   b, c, x -> y [256], a graph output
struct HandGraph {
  Graph graph;
  unsigned x, w1, a, b, c, y;

  HandGraph() {
    x = graph.addTensor("x", 256, TensorKind::Input);
    w1 = graph.addTensor("w1", 128, TensorKind::Weight);
    a = graph.addTensor("a", 256, TensorKind::Intermediate);
    b = graph.addTensor("b", 300, TensorKind::Intermediate);
    c = graph.addTensor("c", 100, TensorKind::Intermediate);
    y = graph.addTensor("y", 256, TensorKind::Intermediate, /*isOutput=*/true);
    graph.addOperator("conv1", {x, w1}, {a});
    graph.addOperator("conv2", {a}, {b});
    graph.addOperator("conv3", {a}, {c});
    graph.addOperator("add", {b, c, x}, {y});
  }

  /// A spill-free plan in model order.
  Plan getPlan() const {
    Plan plan;
    plan.order = {0, 1, 2, 3};
    plan.residencies = {
        {x, 0, 3, 0, /*load=*/true, /*store=*/false},
        {w1, 0, 0, 256, true, false},
        {a, 0, 2, 384, false, false},
        {b, 1, 3, 640, false, false},
        {c, 2, 3, 960, false, false},
        {y, 3, 3, 256, false, true},
    };
    return plan;
  }

  /// A plan that reloads x and spills b to off-chip memory and back.
  Plan getSpillPlan() const {
    Plan plan;
    plan.order = {0, 1, 2, 3};
    plan.residencies = {
        {x, 0, 0, 0, true, false},    {w1, 0, 0, 256, true, false},
        {a, 0, 2, 384, false, false}, {b, 1, 1, 640, false, true},
        {c, 2, 3, 960, false, false}, {x, 3, 3, 0, true, false},
        {b, 3, 3, 640, true, false},  {y, 3, 3, 256, false, true},
    };
    return plan;
  }

  /// The residency index of `tensor` in getPlan().
  static unsigned indexOf(unsigned tensor) { return tensor; }
};

ScratchpadConfig makeSpm(uint64_t capacity, uint64_t alignment = 64) {
  ScratchpadConfig spm;
  spm.capacity = capacity;
  spm.alignment = alignment;
  return spm;
}

struct Baseline {
  const char *name;
  bool memoryAware;
  Placement placement;
  Eviction eviction;
};

/// B0..B4 as Planner.cpp defines them.
const Baseline kBaselines[] = {
    {"b0", false, Placement::FirstFit, Eviction::LRU},
    {"b1", false, Placement::BestFit, Eviction::Belady},
    {"b2", false, Placement::BestFit, Eviction::MinEvictedBytes},
    {"b3", true, Placement::BestFit, Eviction::Belady},
    {"b4", true, Placement::BestFit, Eviction::MinEvictedBytes},
};

llvm::Expected<Plan> runBaseline(const Graph &graph,
                                 const ScratchpadConfig &spm,
                                 const Baseline &baseline) {
  std::vector<unsigned> order = baseline.memoryAware
                                    ? getMemoryAwareOrder(graph, spm)
                                    : getModelOrder(graph);
  return simulateSchedule(graph, spm, order, baseline.placement,
                          baseline.eviction);
}

} // namespace

//===----------------------------------------------------------------------===//
// Graph
//===----------------------------------------------------------------------===//

TEST(MemoryPlanGraph, HandGraphIsWellFormed) {
  HandGraph hand;
  const Graph &graph = hand.graph;
  EXPECT_EQ(messageOf(graph.verify()), "");
  EXPECT_EQ(graph.getTensor(hand.a).producer, 0);
  EXPECT_EQ(graph.getTensor(hand.a).consumers, (std::vector<unsigned>{1, 2}));
  EXPECT_EQ(graph.getTensor(hand.x).consumers, (std::vector<unsigned>{0, 3}));
  EXPECT_EQ(graph.getWorkingSet(3),
            (std::vector<unsigned>{hand.b, hand.c, hand.x, hand.y}));
  EXPECT_TRUE(graph.isTopologicalOrder({0, 2, 1, 3}));
  EXPECT_FALSE(graph.isTopologicalOrder({1, 0, 2, 3}));
  EXPECT_FALSE(graph.isTopologicalOrder({0, 1, 2}));
  EXPECT_FALSE(graph.isTopologicalOrder({0, 1, 1, 3}));
  EXPECT_FALSE(graph.isTopologicalOrder({0, 1, 2, 7}));
}

TEST(MemoryPlanGraph, DuplicateInputsMerge) {
  Graph graph;
  unsigned x = graph.addTensor("x", 64, TensorKind::Input);
  unsigned y = graph.addTensor("y", 64, TensorKind::Intermediate, true);
  graph.addOperator("mul", {x, x}, {y});
  EXPECT_EQ(graph.getOperator(0).inputs, (std::vector<unsigned>{x}));
  EXPECT_EQ(graph.getTensor(x).consumers, (std::vector<unsigned>{0}));
  EXPECT_EQ(messageOf(graph.verify()), "");
}

TEST(MemoryPlanGraph, VerifyRejectsMalformedGraphs) {
  {
    Graph graph;
    unsigned x = graph.addTensor("x", 64, TensorKind::Input);
    unsigned t = graph.addTensor("t", 64, TensorKind::Intermediate);
    graph.addOperator("early", {t}, {});
    graph.addOperator("late", {x}, {t});
    EXPECT_NE(
        messageOf(graph.verify())
            .find("operator 'early' reads 't' before an operator writes it"),
        std::string::npos);
  }
  {
    Graph graph;
    unsigned x = graph.addTensor("x", 64, TensorKind::Input);
    unsigned t = graph.addTensor("t", 64, TensorKind::Intermediate);
    graph.addOperator("one", {x}, {t});
    graph.addOperator("two", {x}, {t});
    EXPECT_NE(messageOf(graph.verify()).find("tensor 't' is written 2 times"),
              std::string::npos);
  }
  {
    Graph graph;
    unsigned x = graph.addTensor("x", 64, TensorKind::Input);
    unsigned w = graph.addTensor("w", 64, TensorKind::Weight);
    graph.addOperator("bad", {x}, {w});
    EXPECT_NE(
        messageOf(graph.verify()).find("operator 'bad' writes input or weight"),
        std::string::npos);
  }
  {
    Graph graph;
    unsigned x = graph.addTensor("x", 64, TensorKind::Input);
    unsigned t = graph.addTensor("t", 64, TensorKind::Intermediate);
    graph.addOperator("self", {x, t}, {t});
    EXPECT_NE(messageOf(graph.verify()).find("reads and writes 't'"),
              std::string::npos);
  }
  {
    Graph graph;
    graph.addTensor("x", 64, TensorKind::Input);
    graph.addOperator("ghost", {0, 5}, {});
    EXPECT_NE(messageOf(graph.verify()).find("reads unknown tensor 5"),
              std::string::npos);
  }
  {
    Graph graph;
    graph.addTensor("x", 64, TensorKind::Input);
    graph.addOperator("ghost", {0}, {9});
    EXPECT_NE(messageOf(graph.verify()).find("writes unknown tensor 9"),
              std::string::npos);
  }
  {
    Graph graph;
    graph.addTensor("orphan", 64, TensorKind::Intermediate);
    EXPECT_NE(
        messageOf(graph.verify()).find("tensor 'orphan' is written 0 times"),
        std::string::npos);
  }
}

TEST(MemoryPlanGraph, WithoutWeights) {
  HandGraph hand;
  Graph graph = hand.graph.withoutWeights();
  EXPECT_EQ(messageOf(graph.verify()), "");
  ASSERT_EQ(graph.numTensors(), 5u);
  ASSERT_EQ(graph.numOperators(), 4u);
  // w1 is gone, the others keep their order and attributes.
  std::vector<std::string> names;
  for (const Tensor &tensor : graph.getTensors())
    names.push_back(tensor.name);
  EXPECT_EQ(names, (std::vector<std::string>{"x", "a", "b", "c", "y"}));
  EXPECT_EQ(graph.getOperator(0).name, "conv1");
  EXPECT_EQ(graph.getOperator(0).inputs, (std::vector<unsigned>{0}));
  EXPECT_EQ(graph.getOperator(0).outputs, (std::vector<unsigned>{1}));
  EXPECT_EQ(graph.getOperator(3).inputs, (std::vector<unsigned>{2, 3, 0}));
  EXPECT_EQ(graph.getTensor(1).producer, 0);
  EXPECT_EQ(graph.getTensor(1).bytes, 256u);
  EXPECT_TRUE(graph.getTensor(4).isOutput);
  EXPECT_EQ(graph.getTensor(0).consumers, (std::vector<unsigned>{0, 3}));
  EXPECT_EQ(getMinimumCapacity(graph, makeSpm(0)), 960u);
  EXPECT_EQ(getMinimumCapacity(graph, makeSpm(0)),
            getMinimumCapacity(hand.graph, makeSpm(0)));
}

//===----------------------------------------------------------------------===//
// verifyPlan
//===----------------------------------------------------------------------===//

TEST(MemoryPlan, FootprintRoundsUp) {
  ScratchpadConfig spm = makeSpm(1024, 64);
  EXPECT_EQ(spm.footprint(0), 0u);
  EXPECT_EQ(spm.footprint(1), 64u);
  EXPECT_EQ(spm.footprint(64), 64u);
  EXPECT_EQ(spm.footprint(65), 128u);
  spm.alignment = 0;
  EXPECT_EQ(spm.footprint(7), 7u);
}

TEST(MemoryPlan, VerifyAcceptsHandPlans) {
  HandGraph hand;
  ScratchpadConfig spm = makeSpm(2048);
  EXPECT_EQ(messageOf(verifyPlan(hand.graph, spm, hand.getPlan())), "");
  EXPECT_EQ(messageOf(verifyPlan(hand.graph, spm, hand.getSpillPlan())), "");
  // Exactly full is fine.
  EXPECT_EQ(messageOf(verifyPlan(hand.graph, makeSpm(1088), hand.getPlan())),
            "");
}

/// Expects verifyPlan to reject `plan` with a message containing `text`.
static void expectRejected(const HandGraph &hand, const Plan &plan,
                           const std::string &text, uint64_t capacity = 2048) {
  std::string message =
      messageOf(verifyPlan(hand.graph, makeSpm(capacity), plan));
  EXPECT_NE(message.find(text), std::string::npos)
      << "expected '" << text << "' in '" << message << "'";
}

TEST(MemoryPlan, VerifyRejectsOverlap) {
  HandGraph hand;
  Plan plan = hand.getPlan();
  plan.residencies[HandGraph::indexOf(hand.y)].offset = 640; // b's buffer
  expectRejected(hand, plan,
                 "step 3 (operator 'add'): buffers of 'y' [640, 896) and 'b' "
                 "[640, 960) overlap");
}

TEST(MemoryPlan, VerifyRejectsBeyondCapacity) {
  HandGraph hand;
  expectRejected(hand, hand.getPlan(),
                 "step 2 (operator 'conv3'): buffer of 'c' at offset 960 with "
                 "128 bytes exceeds the scratchpad capacity of 1024 bytes",
                 1024);
  Plan plan = hand.getPlan();
  plan.residencies[HandGraph::indexOf(hand.c)].offset = UINT64_MAX - 63;
  expectRejected(hand, plan, "exceeds the scratchpad capacity");
}

TEST(MemoryPlan, VerifyRejectsMisalignment) {
  HandGraph hand;
  Plan plan = hand.getPlan();
  plan.residencies[HandGraph::indexOf(hand.c)].offset = 970;
  expectRejected(hand, plan,
                 "step 2 (operator 'conv3'): buffer of 'c' at offset 970 is "
                 "not aligned to 64 bytes");
}

TEST(MemoryPlan, VerifyRejectsMissingOperand) {
  HandGraph hand;
  Plan plan = hand.getPlan();
  plan.residencies[HandGraph::indexOf(hand.b)].end = 2;
  expectRejected(hand, plan,
                 "step 3 (operator 'add'): operand 'b' is not resident");
  plan = hand.getPlan();
  plan.residencies.pop_back();
  expectRejected(hand, plan,
                 "step 3 (operator 'add'): result 'y' is not resident");
}

TEST(MemoryPlan, VerifyRejectsLoadOfNeverStoredIntermediate) {
  HandGraph hand;
  Plan plan = hand.getSpillPlan();
  plan.residencies[3].store = false; // b's first residency
  expectRejected(hand, plan,
                 "step 3 (operator 'add'): 'b' is loaded but its value was "
                 "never stored");
  // Loaded at or before its producer, even with a store somewhere.
  plan = hand.getPlan();
  plan.residencies[HandGraph::indexOf(hand.b)].load = true;
  expectRejected(hand, plan,
                 "step 1 (operator 'conv2'): 'b' is loaded before its "
                 "producer 'conv2' has run (step 1)");
}

TEST(MemoryPlan, VerifyRejectsOutputNeverStored) {
  HandGraph hand;
  Plan plan = hand.getPlan();
  plan.residencies[HandGraph::indexOf(hand.y)].store = false;
  expectRejected(hand, plan,
                 "step 3 (operator 'add'): graph output 'y' is never stored");
}

TEST(MemoryPlan, VerifyRejectsNonTopologicalOrder) {
  HandGraph hand;
  Plan plan = hand.getPlan();
  plan.order = {0, 3, 1, 2};
  expectRejected(hand, plan,
                 "step 1 (operator 'add'): operand 'b' is produced later, at "
                 "step 2 (operator 'conv2'): the order is not topological");
  plan.order = {0, 1, 2};
  expectRejected(hand, plan, "the order has 3 steps but the graph has 4");
  plan.order = {0, 1, 1, 3};
  expectRejected(hand, plan,
                 "step 2 (operator 'conv2'): the operator already ran at step "
                 "1");
  plan.order = {0, 1, 2, 4};
  expectRejected(hand, plan, "step 3: operator 4 does not exist");
}

TEST(MemoryPlan, VerifyRejectsTransferMistakes) {
  HandGraph hand;
  Plan plan = hand.getPlan();
  plan.residencies[HandGraph::indexOf(hand.x)].store = true;
  expectRejected(hand, plan,
                 "step 3 (operator 'add'): 'x' is an input or weight but is "
                 "stored");
  plan = hand.getPlan();
  plan.residencies[HandGraph::indexOf(hand.w1)].load = false;
  expectRejected(hand, plan,
                 "step 0 (operator 'conv1'): input or weight 'w1' becomes "
                 "resident without a load");
  plan = hand.getPlan();
  plan.residencies[HandGraph::indexOf(hand.c)].begin = 1;
  expectRejected(hand, plan,
                 "step 1 (operator 'conv2'): 'c' becomes resident without a "
                 "load but its producer 'conv3' runs at step 2");
}

TEST(MemoryPlan, VerifyRejectsBadResidencies) {
  HandGraph hand;
  Plan plan = hand.getPlan();
  plan.residencies.push_back({hand.x, 2, 3, 1536, true, false});
  expectRejected(hand, plan,
                 "step 2 (operator 'conv3'): 'x' has two residencies at once");
  plan = hand.getPlan();
  plan.residencies[HandGraph::indexOf(hand.c)].end = 4;
  expectRejected(hand, plan, "residency 4 of 'c' spans steps [2, 4]");
  plan = hand.getPlan();
  plan.residencies.push_back({42, 0, 0, 0, true, false});
  expectRejected(hand, plan, "residency 6 names unknown tensor 42");
}

TEST(MemoryPlan, ZeroByteTensorsOverlapNothing) {
  Graph graph;
  unsigned x = graph.addTensor("x", 64, TensorKind::Input);
  unsigned e = graph.addTensor("empty", 0, TensorKind::Intermediate, true);
  unsigned y = graph.addTensor("y", 64, TensorKind::Intermediate, true);
  graph.addOperator("shape", {x}, {e});
  graph.addOperator("use", {x, e}, {y});
  Plan plan;
  plan.order = {0, 1};
  plan.residencies = {{x, 0, 1, 0, true, false},
                      {e, 0, 1, 0, false, true},
                      {y, 1, 1, 64, false, true}};
  ScratchpadConfig spm = makeSpm(128);
  EXPECT_EQ(messageOf(verifyPlan(graph, spm, plan)), "");
  EXPECT_EQ(computePeakUsage(graph, spm, plan), 128u);
  // A zero-byte operand still needs a residency.
  plan.residencies[1].end = 0;
  EXPECT_NE(messageOf(verifyPlan(graph, spm, plan))
                .find("operand 'empty' is not resident"),
            std::string::npos);
  // Every baseline handles it, even with no room to spare.
  for (const Baseline &baseline : kBaselines) {
    llvm::Expected<Plan> simulated = runBaseline(graph, spm, baseline);
    ASSERT_TRUE(static_cast<bool>(simulated))
        << baseline.name << ": " << messageOf(simulated.takeError());
    EXPECT_EQ(messageOf(verifyPlan(graph, spm, *simulated)), "")
        << baseline.name;
    EXPECT_EQ(computeTraffic(graph, *simulated).ncBytes(), 0u);
  }
}

//===----------------------------------------------------------------------===//
// Traffic and peak
//===----------------------------------------------------------------------===//

TEST(MemoryPlan, TrafficOfHandPlans) {
  HandGraph hand;
  Traffic traffic = computeTraffic(hand.graph, hand.getPlan());
  EXPECT_EQ(traffic.compulsoryLoadBytes, 256u + 128u);
  EXPECT_EQ(traffic.compulsoryStoreBytes, 256u);
  EXPECT_EQ(traffic.ncLoadBytes, 0u);
  EXPECT_EQ(traffic.ncStoreBytes, 0u);
  EXPECT_EQ(traffic.compulsoryBytes(), 640u);
  EXPECT_EQ(traffic.ncBytes(), 0u);

  // x is loaded twice, b (300 bytes, not its footprint) spilled and reloaded.
  traffic = computeTraffic(hand.graph, hand.getSpillPlan());
  EXPECT_EQ(traffic.compulsoryLoadBytes, 384u);
  EXPECT_EQ(traffic.compulsoryStoreBytes, 256u);
  EXPECT_EQ(traffic.ncLoadBytes, 256u + 300u);
  EXPECT_EQ(traffic.ncStoreBytes, 300u);
  EXPECT_EQ(traffic.ncBytes(), 856u);
}

TEST(MemoryPlan, PeakUsage) {
  HandGraph hand;
  ScratchpadConfig spm = makeSpm(2048);
  EXPECT_EQ(computePeakUsage(hand.graph, spm, hand.getPlan()), 1088u);
  EXPECT_EQ(computePeakUsage(hand.graph, spm, Plan{}), 0u);
}

//===----------------------------------------------------------------------===//
// Orders, budgets and capacity
//===----------------------------------------------------------------------===//

TEST(MemoryPlan, Orders) {
  HandGraph hand;
  ScratchpadConfig spm = makeSpm(0);
  EXPECT_EQ(getModelOrder(hand.graph), (std::vector<unsigned>{0, 1, 2, 3}));
  // After conv1, conv3 allocates 128 bytes and conv2 320: conv3 first.
  EXPECT_EQ(getMemoryAwareOrder(hand.graph, spm),
            (std::vector<unsigned>{0, 2, 1, 3}));
}

TEST(MemoryPlan, Budgets) {
  HandGraph hand;
  ScratchpadConfig spm = makeSpm(0);
  // add: b 320 + c 128 + x 256 + y 256.
  EXPECT_EQ(getMinimumCapacity(hand.graph, spm), 960u);
  // Order conv1, conv3, conv2, add: step 2 holds x, a, b, c = 960, step 3
  // x, b, c, y = 960.
  EXPECT_EQ(getNoSpillPeak(hand.graph, spm), 960u);
  // Byte granularity: b 300 + c 100 + x 256 + y 256.
  EXPECT_EQ(getMinimumCapacity(hand.graph, makeSpm(0, 1)), 912u);
  EXPECT_EQ(getNoSpillPeak(hand.graph, makeSpm(0, 1)), 912u);

  // A chain: inputs live only around their readers.
  Graph chain;
  unsigned in = chain.addTensor("in", 100, TensorKind::Input);
  unsigned t0 = chain.addTensor("t0", 200, TensorKind::Intermediate);
  unsigned w = chain.addTensor("w", 1000, TensorKind::Weight);
  unsigned out = chain.addTensor("out", 300, TensorKind::Intermediate, true);
  chain.addOperator("f", {in}, {t0});
  chain.addOperator("g", {t0, w}, {out});
  EXPECT_EQ(getMinimumCapacity(chain, makeSpm(0, 1)), 1500u);
  EXPECT_EQ(getNoSpillPeak(chain, makeSpm(0, 1)), 1500u);
}

TEST(MemoryPlan, CheckCapacity) {
  HandGraph hand;
  EXPECT_EQ(messageOf(checkCapacity(hand.graph, makeSpm(960))), "");
  EXPECT_EQ(messageOf(checkCapacity(hand.graph, makeSpm(900))),
            "operator 'add' needs 960 bytes of scratchpad (its operands and "
            "results) but the scratchpad has 900");
  llvm::Expected<Plan> plan =
      simulateSchedule(hand.graph, makeSpm(900), getModelOrder(hand.graph),
                       Placement::FirstFit, Eviction::LRU);
  ASSERT_FALSE(static_cast<bool>(plan));
  EXPECT_NE(messageOf(plan.takeError()).find("operator 'add' needs 960 bytes"),
            std::string::npos);
  llvm::Expected<Plan> badOrder =
      simulateSchedule(hand.graph, makeSpm(2048), {3, 2, 1, 0},
                       Placement::FirstFit, Eviction::LRU);
  ASSERT_FALSE(static_cast<bool>(badOrder));
  EXPECT_NE(messageOf(badOrder.takeError()).find("not a topological"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// Baselines
//===----------------------------------------------------------------------===//

TEST(MemoryPlan, BaselinesWithoutPressure) {
  HandGraph hand;
  for (uint64_t capacity : {uint64_t(1) << 30, uint64_t(960)}) {
    ScratchpadConfig spm = makeSpm(capacity);
    for (const Baseline &baseline : kBaselines) {
      llvm::Expected<Plan> plan = runBaseline(hand.graph, spm, baseline);
      ASSERT_TRUE(static_cast<bool>(plan))
          << baseline.name << ": " << messageOf(plan.takeError());
      EXPECT_EQ(messageOf(verifyPlan(hand.graph, spm, *plan)), "")
          << baseline.name << " at " << capacity;
      Traffic traffic = computeTraffic(hand.graph, *plan);
      EXPECT_EQ(traffic.compulsoryBytes(), 640u) << baseline.name;
      if (capacity > 960)
        EXPECT_EQ(traffic.ncBytes(), 0u) << baseline.name;
      EXPECT_LE(computePeakUsage(hand.graph, spm, *plan), capacity);
    }
  }
}

/// A chain where LRU and Belady disagree (every tensor 64 bytes, room for
/// three): at step 3 the scratchpad holds Y (last used at step 0, read at
/// step 4) and X (used at step 2, read at step 5).
struct EvictionGraph {
  Graph graph;
  EvictionGraph() {
    unsigned i = graph.addTensor("I", 64, TensorKind::Input);
    unsigned y = graph.addTensor("Y", 64, TensorKind::Intermediate);
    unsigned x = graph.addTensor("X", 64, TensorKind::Intermediate);
    unsigned z = graph.addTensor("Z", 64, TensorKind::Intermediate);
    unsigned w = graph.addTensor("W", 64, TensorKind::Intermediate);
    unsigned v = graph.addTensor("V", 64, TensorKind::Intermediate);
    unsigned out = graph.addTensor("out", 64, TensorKind::Intermediate, true);
    graph.addOperator("op0", {i}, {y});
    graph.addOperator("op1", {i}, {x});
    graph.addOperator("op2", {x}, {z});
    graph.addOperator("op3", {z}, {w});
    graph.addOperator("op4", {y, w}, {v});
    graph.addOperator("op5", {x, v}, {out});
  }
};

TEST(MemoryPlan, EvictionPolicies) {
  EvictionGraph eviction;
  const Graph &graph = eviction.graph;
  ScratchpadConfig spm = makeSpm(192);
  auto ncOf = [&](Placement placement, Eviction policy) -> uint64_t {
    llvm::Expected<Plan> plan =
        simulateSchedule(graph, spm, getModelOrder(graph), placement, policy);
    EXPECT_TRUE(static_cast<bool>(plan)) << messageOf(plan.takeError());
    if (!plan)
      return 0;
    EXPECT_EQ(messageOf(verifyPlan(graph, spm, *plan)), "");
    return computeTraffic(graph, *plan).ncBytes();
  };
  // Belady spills X once (store + load); LRU spills Y at step 3, then X to
  // make room for V at step 4.
  EXPECT_EQ(ncOf(Placement::BestFit, Eviction::Belady), 128u);
  EXPECT_EQ(ncOf(Placement::FirstFit, Eviction::LRU), 256u);
  // Windows over Y (at 64) and X (at 128) cost the same: the lower wins.
  EXPECT_EQ(ncOf(Placement::BestFit, Eviction::MinEvictedBytes), 256u);
}

TEST(MemoryPlan, FragmentedWorkingSetIsRepacked) {
  // At step 1, J sits between two holes of 64 bytes and B needs 128: J is
  // moved (reloaded) so that J and B fit the 192-byte scratchpad.
  Graph graph;
  unsigned i = graph.addTensor("I", 64, TensorKind::Input);
  unsigned j = graph.addTensor("J", 64, TensorKind::Input);
  unsigned a = graph.addTensor("A", 64, TensorKind::Intermediate);
  unsigned b = graph.addTensor("B", 128, TensorKind::Intermediate, true);
  unsigned out = graph.addTensor("out", 64, TensorKind::Intermediate, true);
  graph.addOperator("op0", {i, j}, {a});
  graph.addOperator("op1", {j}, {b});
  graph.addOperator("op2", {a}, {out});
  ScratchpadConfig spm = makeSpm(getMinimumCapacity(graph, makeSpm(0)));
  ASSERT_EQ(spm.capacity, 192u);
  for (const Baseline &baseline : kBaselines) {
    llvm::Expected<Plan> plan = runBaseline(graph, spm, baseline);
    ASSERT_TRUE(static_cast<bool>(plan))
        << baseline.name << ": " << messageOf(plan.takeError());
    EXPECT_EQ(messageOf(verifyPlan(graph, spm, *plan)), "") << baseline.name;
    if (baseline.memoryAware)
      continue;
    Traffic traffic = computeTraffic(graph, *plan);
    // J loaded again (64), A spilled and reloaded (64 + 64).
    EXPECT_EQ(traffic.ncLoadBytes, 128u) << baseline.name;
    EXPECT_EQ(traffic.ncStoreBytes, 64u) << baseline.name;
  }
}

//===----------------------------------------------------------------------===//
// Random graphs
//===----------------------------------------------------------------------===//

namespace {
/// A random DAG: a few inputs and weights, operators reading 1-3 earlier
/// tensors and writing 1-2 results of random (some zero, some unaligned)
/// sizes; unread results and a few others are graph outputs.
Graph makeRandomGraph(std::mt19937 &rng) {
  auto uniform = [&](unsigned lo, unsigned hi) {
    return std::uniform_int_distribution<unsigned>(lo, hi)(rng);
  };
  auto randomBytes = [&]() -> uint64_t {
    switch (uniform(0, 9)) {
    case 0:
      return 0;
    case 1:
      return uniform(1, 100);
    default:
      return uniform(1, 64) * 64 + (uniform(0, 1) ? uniform(0, 63) : 0);
    }
  };
  Graph graph;
  std::vector<unsigned> activations, weights;
  unsigned numInputs = uniform(1, 3);
  for (unsigned k = 0; k < numInputs; ++k)
    activations.push_back(graph.addTensor("in" + std::to_string(k),
                                          randomBytes(), TensorKind::Input));
  unsigned numWeights = uniform(0, 5);
  for (unsigned k = 0; k < numWeights; ++k)
    weights.push_back(graph.addTensor("w" + std::to_string(k), randomBytes(),
                                      TensorKind::Weight));
  unsigned numOps = uniform(1, 40);
  std::vector<unsigned> results;
  for (unsigned op = 0; op < numOps; ++op) {
    std::vector<unsigned> inputs;
    unsigned numReads = uniform(1, 3);
    for (unsigned k = 0; k < numReads; ++k) {
      // Mostly recent activations, as in real networks.
      unsigned size = activations.size();
      unsigned lo = size > 4 && uniform(0, 3) ? size - 4 : 0;
      inputs.push_back(activations[uniform(lo, size - 1)]);
    }
    if (!weights.empty() && uniform(0, 1))
      inputs.push_back(weights[uniform(0, weights.size() - 1)]);
    std::vector<unsigned> outputs;
    unsigned numWrites = uniform(1, 2);
    for (unsigned k = 0; k < numWrites; ++k) {
      unsigned tensor = graph.addTensor(
          "t" + std::to_string(op) + "_" + std::to_string(k), randomBytes(),
          TensorKind::Intermediate, uniform(0, 9) == 0);
      outputs.push_back(tensor);
      results.push_back(tensor);
      activations.push_back(tensor);
    }
    graph.addOperator("op" + std::to_string(op), inputs, outputs);
  }
  // Unread results are outputs; rebuild flags through a copy.
  Graph marked;
  for (const Tensor &tensor : graph.getTensors())
    marked.addTensor(tensor.name, tensor.bytes, tensor.kind,
                     tensor.isOutput ||
                         (!tensor.isExternal() && tensor.consumers.empty()));
  for (const Operator &op : graph.getOperators())
    marked.addOperator(op.name, op.inputs, op.outputs);
  return marked;
}
} // namespace

TEST(MemoryPlan, RandomGraphsGetValidBaselinePlans) {
  std::mt19937 rng(20231130);
  const uint64_t alignments[] = {1, 16, 64};
  unsigned spilled = 0;
  for (unsigned trial = 0; trial < 200; ++trial) {
    Graph graph = makeRandomGraph(rng);
    ASSERT_EQ(messageOf(graph.verify()), "") << "graph " << trial;
    ScratchpadConfig spm = makeSpm(0, alignments[trial % 3]);

    std::vector<unsigned> memoryOrder = getMemoryAwareOrder(graph, spm);
    ASSERT_TRUE(graph.isTopologicalOrder(memoryOrder)) << "graph " << trial;
    uint64_t minimum = getMinimumCapacity(graph, spm);
    uint64_t noSpill = getNoSpillPeak(graph, spm);
    ASSERT_LE(minimum, noSpill) << "graph " << trial;

    // Compulsory traffic: every read input or weight once, every output
    // once.
    uint64_t compulsory = 0;
    for (const Tensor &tensor : graph.getTensors())
      if (tensor.isExternal() ? !tensor.consumers.empty() : tensor.isOutput)
        compulsory += tensor.bytes;

    std::vector<uint64_t> capacities = {
        minimum, minimum + (2 * noSpill - minimum) * (trial % 7) / 6,
        uint64_t(1) << 40};
    for (uint64_t capacity : capacities) {
      spm.capacity = capacity;
      for (const Baseline &baseline : kBaselines) {
        llvm::Expected<Plan> plan = runBaseline(graph, spm, baseline);
        ASSERT_TRUE(static_cast<bool>(plan))
            << "graph " << trial << ", " << baseline.name << ", capacity "
            << capacity << ": " << messageOf(plan.takeError());
        ASSERT_EQ(messageOf(verifyPlan(graph, spm, *plan)), "")
            << "graph " << trial << ", " << baseline.name << ", capacity "
            << capacity;
        Traffic traffic = computeTraffic(graph, *plan);
        EXPECT_EQ(traffic.compulsoryBytes(), compulsory)
            << "graph " << trial << ", " << baseline.name;
        EXPECT_LE(computePeakUsage(graph, spm, *plan), capacity);
        if (capacity == uint64_t(1) << 40)
          EXPECT_EQ(traffic.ncBytes(), 0u)
              << "graph " << trial << ", " << baseline.name;
        spilled += traffic.ncBytes() != 0;
      }
      // Simulation is deterministic.
      llvm::Expected<Plan> first = runBaseline(graph, spm, kBaselines[4]);
      llvm::Expected<Plan> second = runBaseline(graph, spm, kBaselines[4]);
      ASSERT_TRUE(first && second);
      EXPECT_EQ(first->order, second->order);
      ASSERT_EQ(first->residencies.size(), second->residencies.size());
      for (auto [r1, r2] : llvm::zip(first->residencies, second->residencies))
        EXPECT_TRUE(r1.tensor == r2.tensor && r1.begin == r2.begin &&
                    r1.end == r2.end && r1.offset == r2.offset &&
                    r1.load == r2.load && r1.store == r2.store);
    }
  }
  // The capacities are tight enough to exercise eviction.
  EXPECT_GT(spilled, 100u);
}
