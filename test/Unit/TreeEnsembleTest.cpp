//===- TreeEnsembleTest.cpp - Boosted trees evaluated without XGBoost -----===//
//
// TreeEnsemble must predict what XGBoost predicts, bit for bit, on rows with
// missing features, for the objectives it accepts, and refuse boosters it
// cannot evaluate exactly. A blend of boosters must predict the mean of its
// members, and XGBoost must read it.
//
//===----------------------------------------------------------------------===//

#include "tessera/CostModel/TreeEnsemble.h"
#include "tessera/CostModel/XGBoostBooster.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <gtest/gtest.h>
#include <xgboost/c_api.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace tessera::cost;

namespace {

constexpr size_t kFeatures = 12;

/// Random rows, a fifth of the values missing (NaN), half the others whole
/// numbers (XGBoost's histogram splits then fall on values rows have: a row
/// equal to a threshold goes right).
std::vector<float> randomRows(size_t numRows, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<float> value(-4, 4);
  std::bernoulli_distribution missing(0.2), whole(0.5);
  std::vector<float> rows(numRows * kFeatures);
  for (float &v : rows) {
    v = missing(random) ? NAN : value(random);
    if (whole(random))
      v = std::round(v);
  }
  return rows;
}

/// A booster trained with XGBoost on rows whose label depends on several
/// features, missing ones included (so trees send them either way).
class XGBoostBooster {
public:
  XGBoostBooster(const std::string &objective, unsigned rounds,
                 unsigned depth) {
    const size_t numRows = 600;
    std::vector<float> rows = randomRows(numRows, 1);
    std::vector<float> labels(numRows);
    for (size_t i = 0; i < numRows; ++i) {
      const float *row = &rows[i * kFeatures];
      auto at = [&](size_t f) { return std::isnan(row[f]) ? 3.0f : row[f]; };
      labels[i] = at(0) * at(1) + std::sin(at(2)) - 0.5f * at(3) +
                  (std::isnan(row[4]) ? 2.0f : 0.0f);
    }
    XGDMatrixCreateFromMat(rows.data(), numRows, kFeatures, NAN, &matrix);
    XGDMatrixSetFloatInfo(matrix, "label", labels.data(), numRows);
    if (objective.rfind("rank:", 0) == 0) {
      std::vector<unsigned> groups(numRows / 20, 20);
      XGDMatrixSetUIntInfo(matrix, "group", groups.data(), groups.size());
    }
    XGBoosterCreate(&matrix, 1, &booster);
    XGBoosterSetParam(booster, "objective", objective.c_str());
    XGBoosterSetParam(booster, "max_depth", std::to_string(depth).c_str());
    XGBoosterSetParam(booster, "eta", "0.3");
    XGBoosterSetParam(booster, "tree_method", "hist");
    XGBoosterSetParam(booster, "nthread", "1");
    XGBoosterSetParam(booster, "seed", "7");
    for (unsigned round = 0; round < rounds; ++round)
      XGBoosterUpdateOneIter(booster, round, matrix);
  }
  ~XGBoostBooster() {
    XGBoosterFree(booster);
    XGDMatrixFree(matrix);
  }

  std::string json() const {
    bst_ulong size = 0;
    const char *text = nullptr;
    XGBoosterSaveModelToBuffer(booster, "{\"format\": \"json\"}", &size, &text);
    return std::string(text, size);
  }

  /// XGBoost's own prediction (margin) of dense rows.
  std::vector<float> predict(const std::vector<float> &rows) const {
    return predictWith(booster, rows);
  }

  /// What `handle` predicts (margins) for dense rows.
  static std::vector<float> predictWith(BoosterHandle handle,
                                        const std::vector<float> &rows) {
    size_t numRows = rows.size() / kFeatures;
    std::string array = llvm::formatv(
        "{{\"data\": [{0}, true], \"shape\": [{1}, {2}], \"typestr\": "
        "\"<f4\", \"version\": 3}",
        reinterpret_cast<uintptr_t>(rows.data()), numRows, kFeatures);
    const char *config =
        "{\"type\": 1, \"training\": false, "
        "\"iteration_begin\": 0, \"iteration_end\": 0, "
        "\"strict_shape\": false, \"missing\": NaN, \"cache_id\": 0}";
    const bst_ulong *shape = nullptr;
    bst_ulong dims = 0;
    const float *result = nullptr;
    EXPECT_EQ(XGBoosterPredictFromDense(handle, array.c_str(), config, nullptr,
                                        &shape, &dims, &result),
              0)
        << XGBGetLastError();
    return std::vector<float>(result, result + numRows);
  }

private:
  DMatrixHandle matrix = nullptr;
  BoosterHandle booster = nullptr;
};

/// Whether two floats are the same bits.
bool sameBits(float a, float b) { return std::memcmp(&a, &b, 4) == 0; }

void expectSamePredictions(const XGBoostBooster &booster, size_t numTrees) {
  std::string error;
  mlir::FailureOr<TreeEnsemble> ensemble =
      TreeEnsemble::fromXGBoostJSON(booster.json(), &error);
  ASSERT_TRUE(mlir::succeeded(ensemble)) << error;
  EXPECT_EQ(ensemble->getNumFeatures(), kFeatures);
  EXPECT_EQ(ensemble->getNumTrees(), numTrees);
  // One block (16 rows) and one chunk (128) whole, partial, and several.
  for (size_t numRows : {1, 16, 17, 128, 160, 203, 256}) {
    std::vector<float> rows = randomRows(numRows, 2);
    std::vector<float> expected = booster.predict(rows);
    std::vector<float> actual(expected.size());
    ensemble->predict(rows, expected.size(), actual);
    size_t differ = 0;
    for (size_t i = 0; i < expected.size(); ++i)
      differ += !sameBits(expected[i], actual[i]);
    EXPECT_EQ(differ, 0u) << numRows << " rows; first row: XGBoost "
                          << expected[0] << ", ensemble " << actual[0];
  }
  // No rows: nothing written.
  std::vector<float> none;
  ensemble->predict(none, 0, none);
}

TEST(TreeEnsemble, RegressionEqualsXGBoost) {
  expectSamePredictions(XGBoostBooster("reg:squarederror", 40, 6), 40);
}

TEST(TreeEnsemble, RankingEqualsXGBoost) {
  expectSamePredictions(XGBoostBooster("rank:pairwise", 25, 4), 25);
}

TEST(TreeEnsemble, StumpsAndLeavesOnly) {
  // Depth 1, and rounds after the label is fit (trees of a single leaf).
  expectSamePredictions(XGBoostBooster("reg:squarederror", 5, 1), 5);
}

TEST(TreeEnsemble, RefusesWhatItCannotEvaluateExactly) {
  std::string error;
  XGBoostBooster regression("reg:squarederror", 2, 3);
  std::string json = regression.json();
  // An objective with a link function (the sigmoid) the ensemble does not
  // apply.
  std::string logistic = json;
  size_t objective = logistic.find("\"reg:squarederror\"");
  ASSERT_NE(objective, std::string::npos);
  logistic.replace(objective, 18, "\"binary:logistic\"");
  EXPECT_TRUE(mlir::failed(TreeEnsemble::fromXGBoostJSON(logistic, &error)));
  EXPECT_NE(error.find("transforms the margin"), std::string::npos) << error;
  // A child pointing back at its parent would loop.
  size_t left = json.find("\"left_children\":[");
  ASSERT_NE(left, std::string::npos);
  size_t first = json.find_first_of("0123456789", left + 17);
  size_t end = json.find_first_of(",]", first);
  std::string looping = json;
  looping.replace(first, end - first, "0");
  EXPECT_TRUE(mlir::failed(TreeEnsemble::fromXGBoostJSON(looping, &error)));
  EXPECT_NE(error.find("children are malformed"), std::string::npos) << error;
  // A split on a feature the rows do not have.
  size_t feature = json.find("\"split_indices\":[");
  ASSERT_NE(feature, std::string::npos);
  first = json.find_first_of("0123456789", feature + 17);
  end = json.find_first_of(",]", first);
  std::string outOfRange = json;
  outOfRange.replace(first, end - first, "99");
  EXPECT_TRUE(mlir::failed(TreeEnsemble::fromXGBoostJSON(outOfRange, &error)));
  EXPECT_NE(error.find("splits on feature 99 of 12"), std::string::npos)
      << error;
  EXPECT_TRUE(mlir::failed(TreeEnsemble::fromXGBoostJSON("{", &error)));
  EXPECT_NE(error.find("not valid JSON"), std::string::npos) << error;
}

/// The serialised booster as `blendBoosters` takes it.
std::vector<std::string>
serialised(std::initializer_list<const XGBoostBooster *> boosters) {
  std::vector<std::string> members;
  for (const XGBoostBooster *booster : boosters)
    members.push_back(booster->json());
  return members;
}

TEST(BoosterBlend, PredictsTheMeanOfItsMembers) {
  XGBoostBooster deep("reg:squarederror", 30, 6),
      shallow("reg:squarederror", 30, 2);
  std::string error;
  mlir::FailureOr<std::string> blend =
      blendBoosters(serialised({&deep, &shallow}), &error);
  ASSERT_TRUE(mlir::succeeded(blend)) << error;
  mlir::FailureOr<OwnedBooster> loaded = loadXGBoost(
      llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(blend->data()),
                              blend->size()),
      &error);
  ASSERT_TRUE(mlir::succeeded(loaded)) << error;
  mlir::FailureOr<std::string> json =
      saveXGBoost(loaded->get(), "json", &error);
  ASSERT_TRUE(mlir::succeeded(json)) << error;
  mlir::FailureOr<TreeEnsemble> ensemble =
      TreeEnsemble::fromXGBoostJSON(*json, &error);
  ASSERT_TRUE(mlir::succeeded(ensemble)) << error;
  EXPECT_EQ(ensemble->getNumTrees(), 60u);
  // Only what prediction reads is kept.
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(*json);
  ASSERT_TRUE(static_cast<bool>(parsed)) << llvm::toString(parsed.takeError());
  const llvm::json::Array *trees = parsed->getAsObject()
                                       ->getObject("learner")
                                       ->getObject("gradient_booster")
                                       ->getObject("model")
                                       ->getArray("trees");
  ASSERT_TRUE(trees && trees->size() == 60u);
  for (const llvm::json::Value &tree : *trees)
    for (llvm::StringRef key : {"base_weights", "loss_changes", "sum_hessian"})
      for (const llvm::json::Value &statistic :
           *tree.getAsObject()->getArray(key))
        EXPECT_EQ(statistic.getAsNumber(), 0.0) << key.str();

  std::vector<float> rows = randomRows(203, 3);
  std::vector<float> a = deep.predict(rows), b = shallow.predict(rows);
  std::vector<float> fromXGBoost =
      XGBoostBooster::predictWith(loaded->get(), rows);
  std::vector<float> fromEnsemble(a.size());
  ensemble->predict(rows, a.size(), fromEnsemble);
  size_t differ = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    // The members' margins include the base score once each: their mean
    // does too.
    EXPECT_NEAR(fromEnsemble[i], 0.5f * (a[i] + b[i]), 1e-4f) << "row " << i;
    differ += !sameBits(fromXGBoost[i], fromEnsemble[i]);
  }
  EXPECT_EQ(differ, 0u);

  // One member is the member itself.
  mlir::FailureOr<std::string> alone =
      blendBoosters(serialised({&deep}), &error);
  ASSERT_TRUE(mlir::succeeded(alone)) << error;
  EXPECT_EQ(*alone, deep.json());
}

TEST(BoosterBlend, RefusesMembersThatDisagree) {
  XGBoostBooster regression("reg:squarederror", 10, 3),
      shorter("reg:squarederror", 8, 3), ranking("rank:pairwise", 10, 3);
  std::string error;
  EXPECT_TRUE(
      mlir::failed(blendBoosters(serialised({&regression, &shorter}), &error)));
  EXPECT_NE(error.find("booster 1 differs from booster 0"), std::string::npos)
      << error;
  EXPECT_NE(error.find("8 trees, 1 a round, against 10, 1"), std::string::npos)
      << error;
  EXPECT_TRUE(
      mlir::failed(blendBoosters(serialised({&regression, &ranking}), &error)));
  EXPECT_NE(error.find("booster 1 differs"), std::string::npos) << error;
  EXPECT_TRUE(mlir::failed(
      blendBoosters({regression.json(), "not a booster"}, &error)));
  EXPECT_NE(error.find("booster 1: "), std::string::npos) << error;
  EXPECT_TRUE(mlir::failed(blendBoosters({}, &error)));
  EXPECT_NE(error.find("no boosters"), std::string::npos) << error;
}

} // namespace
