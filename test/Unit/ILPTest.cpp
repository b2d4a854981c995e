//===- ILPTest.cpp - Tests of the tessera::ilp wrapper on CBC -------------===//

#include "tessera/Support/ILP.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace tessera::ilp;

namespace {

/// Solves `model` and fails the test on a solver error.
Solution solveOrFail(const Model &model, const SolveOptions &options = {}) {
  llvm::Expected<Solution> solution = model.solve(options);
  if (!solution) {
    ADD_FAILURE() << llvm::toString(solution.takeError());
    return {};
  }
  return std::move(*solution);
}

TEST(ILPTest, Knapsack) {
  // max 10a + 13b + 7c + 8d s.t. 4a + 6b + 3c + 5d <= 10: a + b (23,
  // weight 10) beats b + c (20), a + d (18), a + c (17) and c + d (15).
  Model model;
  double values[] = {10, 13, 7, 8}, weights[] = {4, 6, 3, 5};
  LinearExpr capacity;
  std::vector<Var> vars;
  for (int i = 0; i < 4; ++i) {
    vars.push_back(model.addBinary());
    model.addObjective(vars.back(), -values[i]);
    capacity.add(vars.back(), weights[i]);
  }
  model.addLessEqual(capacity, 10);
  Solution solution = solveOrFail(model);
  ASSERT_EQ(solution.status, Status::Optimal);
  EXPECT_NEAR(solution.objective, -23, 1e-6);
  EXPECT_NEAR(solution.bound, -23, 1e-6);
  EXPECT_NEAR(solution.gap(), 0, 1e-9);
  EXPECT_EQ(solution.getInteger(vars[0]), 1);
  EXPECT_EQ(solution.getInteger(vars[1]), 1);
  EXPECT_EQ(solution.getInteger(vars[2]), 0);
  EXPECT_EQ(solution.getInteger(vars[3]), 0);
}

TEST(ILPTest, EqualityAndContinuous) {
  // x + y = 7, 2x - y = 2 (integers) -> x = 3, y = 4; z >= x - 0.5 with
  // min z -> z = 2.5.
  Model model;
  Var x = model.addInteger(0, 10);
  Var y = model.addInteger(-5, 10);
  Var z = model.addContinuous(-100, 100);
  model.addEqual(LinearExpr().add(x).add(y), 7);
  model.addEqual(LinearExpr().add(x, 2).add(y, -1), 2);
  model.addGreaterEqual(LinearExpr().add(z).add(x, -1), -0.5);
  model.addObjective(z, 1);
  EXPECT_EQ(model.numVariables(), 3u);
  EXPECT_EQ(model.numConstraints(), 3u);
  Solution solution = solveOrFail(model);
  ASSERT_EQ(solution.status, Status::Optimal);
  EXPECT_EQ(solution.getInteger(x), 3);
  EXPECT_EQ(solution.getInteger(y), 4);
  EXPECT_NEAR(solution.values[z], 2.5, 1e-6);
  EXPECT_NEAR(solution.objective, 2.5, 1e-6);
}

TEST(ILPTest, DuplicateTermsAreSummed) {
  // x appears twice in one row: 2x <= 3 with max x (integer) -> x = 1.
  Model model;
  Var x = model.addInteger(0, 10);
  model.addLessEqual(LinearExpr().add(x).add(x), 3);
  model.addObjective(x, -1);
  Solution solution = solveOrFail(model);
  ASSERT_EQ(solution.status, Status::Optimal);
  EXPECT_EQ(solution.getInteger(x), 1);
}

TEST(ILPTest, FixAndNoRows) {
  Model model;
  Var x = model.addBinary();
  Var y = model.addInteger(0, 5);
  model.fix(y, 2);
  model.addObjective(x, -1);
  model.addObjective(y, 1);
  Solution solution = solveOrFail(model);
  ASSERT_EQ(solution.status, Status::Optimal);
  EXPECT_EQ(solution.getInteger(x), 1);
  EXPECT_EQ(solution.getInteger(y), 2);
  EXPECT_NEAR(solution.objective, 1, 1e-6);
}

TEST(ILPTest, Infeasible) {
  Model model;
  Var x = model.addBinary();
  Var y = model.addBinary();
  model.addGreaterEqual(LinearExpr().add(x).add(y), 3);
  model.addObjective(x, 1);
  Solution solution = solveOrFail(model);
  EXPECT_EQ(solution.status, Status::Infeasible);
  EXPECT_FALSE(solution.hasSolution());

  // Integrality alone makes this one infeasible: 2x = 1.
  Model parity;
  Var z = parity.addInteger(0, 4);
  parity.addEqual(LinearExpr().add(z, 2), 1);
  EXPECT_EQ(solveOrFail(parity).status, Status::Infeasible);
}

/// A market split instance (Cornuéjols and Dawande): rows
/// sum_j a_ij x_j + s+_i - s-_i = d_i with d_i = a_i . x*, minimising the
/// slacks. x* reaches 0, but branch and bound needs a very long time to
/// find or prove it. Returns the model, the x variables and x*.
struct MarketSplit {
  Model model;
  std::vector<Var> x;
  std::vector<Var> slacks;
  std::vector<double> planted;
};

MarketSplit makeMarketSplit(unsigned rows, unsigned columns, unsigned seed) {
  MarketSplit instance;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> coefficient(0, 99);
  for (unsigned j = 0; j < columns; ++j) {
    instance.x.push_back(instance.model.addBinary());
    instance.planted.push_back(rng() % 2);
  }
  for (unsigned i = 0; i < rows; ++i) {
    LinearExpr row;
    double rhs = 0;
    for (unsigned j = 0; j < columns; ++j) {
      int a = coefficient(rng);
      row.add(instance.x[j], a);
      rhs += a * instance.planted[j];
    }
    Var plus = instance.model.addContinuous(0, 1e4);
    Var minus = instance.model.addContinuous(0, 1e4);
    instance.model.addObjective(plus, 1);
    instance.model.addObjective(minus, 1);
    instance.slacks.push_back(plus);
    instance.slacks.push_back(minus);
    row.add(plus, 1).add(minus, -1);
    instance.model.addEqual(row, rhs);
  }
  return instance;
}

TEST(ILPTest, TimeLimit) {
  MarketSplit instance = makeMarketSplit(6, 50, 1);
  SolveOptions options;
  options.timeLimitSeconds = 0.5;
  Solution solution = solveOrFail(instance.model, options);
  EXPECT_NE(solution.status, Status::Optimal);
  EXPECT_NE(solution.status, Status::Infeasible);
  EXPECT_LT(solution.seconds, 5.0);
  if (solution.hasSolution()) {
    EXPECT_GE(solution.objective, solution.bound - 1e-6);
    EXPECT_GT(solution.gap(), 0);
  }
}

TEST(ILPTest, WarmStart) {
  // The planted assignment has objective 0, which is also the LP bound: a
  // solver that takes the start stops at once, proven optimal.
  MarketSplit instance = makeMarketSplit(6, 50, 2);
  SolveOptions options;
  options.timeLimitSeconds = 0.5;
  options.warmStart.assign(instance.model.numVariables(), 0);
  for (auto [var, value] : llvm::zip(instance.x, instance.planted))
    options.warmStart[var] = value;
  Solution solution = solveOrFail(instance.model, options);
  ASSERT_EQ(solution.status, Status::Optimal);
  EXPECT_NEAR(solution.objective, 0, 1e-6);
  for (auto [var, value] : llvm::zip(instance.x, instance.planted))
    EXPECT_EQ(solution.getInteger(var), value);
}

TEST(ILPTest, PartialWarmStart) {
  // Fix half of the start and leave the rest (NaN) to CBC: with the other
  // half forced to the planted values the completion is unique.
  Model model;
  std::vector<Var> vars;
  for (int i = 0; i < 6; ++i) {
    vars.push_back(model.addBinary());
    model.addObjective(vars.back(), i % 2 ? -1.0 : 1.0);
  }
  for (int i = 0; i + 1 < 6; i += 2)
    model.addLessEqual(LinearExpr().add(vars[i]).add(vars[i + 1]), 1);
  SolveOptions options;
  options.warmStart.assign(6, std::nan(""));
  options.warmStart[vars[0]] = 0;
  Solution solution = solveOrFail(model, options);
  ASSERT_EQ(solution.status, Status::Optimal);
  EXPECT_NEAR(solution.objective, -3, 1e-6);
}

} // namespace
