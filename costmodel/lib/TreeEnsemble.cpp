//===- TreeEnsemble.cpp - Boosted trees flattened for prediction ----------===//

#include "tessera/CostModel/TreeEnsemble.h"
#include "tessera/CostModel/XGBoostBooster.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

using namespace mlir;

namespace tessera::cost {

/// Rows walked through a tree together.
static constexpr size_t kBlock = 16;
/// Rows that go through one tree before the next (in blocks): the tree's
/// nodes come into the cache once for all of them (a large ensemble does not
/// fit in the L2 cache; 128 rows of features do).
static constexpr size_t kChunk = 8 * kBlock;

/// Objectives whose prediction is the margin itself and whose base score is
/// its own margin (no link function).
static bool isIdentityObjective(llvm::StringRef name) {
  return llvm::is_contained(
      {"reg:squarederror", "rank:pairwise", "rank:ndcg", "rank:map"}, name);
}

/// A JSON array of numbers as doubles; false when it is not one of `size`.
static bool readNumbers(const llvm::json::Object &object, llvm::StringRef key,
                        size_t size, std::vector<double> &out) {
  const llvm::json::Array *array = object.getArray(key);
  if (!array || array->size() != size)
    return false;
  out.clear();
  for (const llvm::json::Value &value : *array) {
    std::optional<double> number = value.getAsNumber();
    if (!number)
      return false;
    out.push_back(*number);
  }
  return true;
}

FailureOr<TreeEnsemble> TreeEnsemble::fromXGBoostJSON(llvm::StringRef json,
                                                      std::string *error) {
  auto fail = [&](const llvm::Twine &message) -> FailureOr<TreeEnsemble> {
    if (error)
      *error = ("booster: " + message).str();
    return failure();
  };
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(json);
  if (!parsed)
    return fail("not valid JSON: " + llvm::toString(parsed.takeError()));
  const llvm::json::Object *root = parsed->getAsObject();
  const llvm::json::Object *learner =
      root ? root->getObject("learner") : nullptr;
  if (!learner)
    return fail("no learner");
  const llvm::json::Object *param = learner->getObject("learner_model_param");
  const llvm::json::Object *objective = learner->getObject("objective");
  const llvm::json::Object *booster = learner->getObject("gradient_booster");
  if (!param || !objective || !booster)
    return fail("the learner lacks its parameters, objective or booster");
  auto integerParam = [&](llvm::StringRef key) {
    return xgboostIntegerParam(*param, key).value_or(-1);
  };
  std::optional<llvm::StringRef> baseScore = param->getString("base_score");
  int64_t numFeature = integerParam("num_feature");
  if (!baseScore || numFeature <= 0)
    return fail("no base score or feature count");
  if (numFeature >= kMissingGoesRight)
    return fail(llvm::formatv("{0} features, more than are evaluated ({1})",
                              numFeature, kMissingGoesRight - 1));
  if (integerParam("num_class") > 1 || integerParam("num_target") > 1)
    return fail("several outputs (classes or targets)");
  llvm::StringRef objectiveName = objective->getString("name").value_or("");
  if (!isIdentityObjective(objectiveName))
    return fail("objective '" + objectiveName +
                "' transforms the margin; only regression on squared error "
                "and ranking objectives are evaluated");
  if (booster->getString("name") != std::optional<llvm::StringRef>("gbtree"))
    return fail("not a gbtree booster");
  const llvm::json::Object *model = booster->getObject("model");
  const llvm::json::Array *treeArray =
      model ? model->getArray("trees") : nullptr;
  if (!treeArray)
    return fail("no trees");

  TreeEnsemble ensemble;
  std::string baseText = baseScore->str();
  char *end = nullptr;
  ensemble.baseScore = std::strtof(baseText.c_str(), &end);
  if (end != baseText.c_str() + baseText.size() ||
      !std::isfinite(ensemble.baseScore))
    return fail("base score '" + baseText + "' is not a number");
  ensemble.numFeatures = numFeature;

  std::vector<double> left, right, feature, condition, defaultLeft, splitType;
  for (size_t index = 0; index < treeArray->size(); ++index) {
    const llvm::json::Value &treeValue = (*treeArray)[index];
    auto failTree = [&](const llvm::Twine &message) {
      return fail(llvm::formatv("tree {0}: ", index) + message);
    };
    const llvm::json::Object *tree = treeValue.getAsObject();
    const llvm::json::Object *treeParam =
        tree ? tree->getObject("tree_param") : nullptr;
    std::optional<llvm::StringRef> numNodesText =
        treeParam ? treeParam->getString("num_nodes") : std::nullopt;
    int64_t numNodes;
    if (!numNodesText || numNodesText->getAsInteger(10, numNodes) ||
        numNodes <= 0)
      return failTree("no node count");
    if (numNodes > std::numeric_limits<uint16_t>::max())
      return failTree(llvm::formatv("{0} nodes, more than a tree may have "
                                    "here ({1})",
                                    numNodes,
                                    std::numeric_limits<uint16_t>::max()));
    if (!readNumbers(*tree, "left_children", numNodes, left) ||
        !readNumbers(*tree, "right_children", numNodes, right) ||
        !readNumbers(*tree, "split_indices", numNodes, feature) ||
        !readNumbers(*tree, "split_conditions", numNodes, condition) ||
        !readNumbers(*tree, "default_left", numNodes, defaultLeft) ||
        !readNumbers(*tree, "split_type", numNodes, splitType))
      return failTree("its node arrays are missing or not of its node count");
    // Breadth first from the root, XGBoost's node `order[k]` becoming node
    // k, each split's children a pair. XGBoost numbers a node's children
    // after it, so the walk visits each node once and cannot loop.
    std::vector<int64_t> order = {0};
    std::vector<uint32_t> depth = {0};
    size_t base = ensemble.nodes.size();
    uint32_t treeDepth = 0;
    for (size_t k = 0; k < order.size(); ++k) {
      int64_t i = order[k];
      Node node;
      if (left[i] == -1) {
        node.threshold = std::numeric_limits<float>::quiet_NaN();
        node.feature = kMissingGoesRight;
        // (A root leaf is never walked: its tree's depth is 0.)
        node.left = k == 0 ? 0 : k - 1;
        ensemble.nodes.push_back(node);
        ensemble.leafValues.push_back(condition[i]);
        continue;
      }
      if (!(left[i] > i && left[i] < numNodes && right[i] > i &&
            right[i] < numNodes && left[i] != right[i]))
        return failTree(llvm::formatv("node {0}'s children are malformed", i));
      if (splitType[i] != 0)
        return failTree("categorical splits are not evaluated");
      if (!(feature[i] >= 0 && feature[i] < numFeature &&
            feature[i] == std::floor(feature[i])))
        return failTree(llvm::formatv("node {0} splits on feature {1} of {2}",
                                      i, static_cast<int64_t>(feature[i]),
                                      numFeature));
      node.threshold = condition[i];
      node.feature = static_cast<uint16_t>(feature[i]) |
                     (defaultLeft[i] != 0 ? 0 : kMissingGoesRight);
      node.left = order.size();
      ensemble.nodes.push_back(node);
      ensemble.leafValues.push_back(0);
      for (double child : {left[i], right[i]}) {
        order.push_back(static_cast<int64_t>(child));
        depth.push_back(depth[k] + 1);
        treeDepth = std::max(treeDepth, depth[k] + 1);
      }
    }
    if (static_cast<int64_t>(order.size()) != numNodes)
      return failTree(llvm::formatv("{0} of its {1} nodes are reachable from "
                                    "its root",
                                    order.size(), numNodes));
    ensemble.trees.push_back({static_cast<uint32_t>(base), treeDepth});
  }
  if (const llvm::json::Array *info = model->getArray("tree_info"))
    for (const llvm::json::Value &group : *info)
      if (group.getAsInteger() != std::optional<int64_t>(0))
        return fail("trees of several output groups");
  return ensemble;
}

void TreeEnsemble::walkBlock(const Tree &tree, const float *rows,
                             float *sums) const {
  // kBlock is a constant: the loops over the block unroll and `at` lives in
  // registers.
  uint32_t at[kBlock];
  const Node *treeNodes = nodes.data() + tree.begin;
  for (size_t r = 0; r < kBlock; ++r)
    at[r] = 0;
  for (uint32_t level = 0; level < tree.depth; ++level) {
    for (size_t r = 0; r < kBlock; ++r) {
      Node node = treeNodes[at[r]];
      float value = rows[r * numFeatures + (node.feature & ~kMissingGoesRight)];
      bool goRight = std::isnan(value) ? (node.feature & kMissingGoesRight) != 0
                                       : !(value < node.threshold);
      at[r] = node.left + goRight;
    }
  }
  const float *treeLeaves = leafValues.data() + tree.begin;
  for (size_t r = 0; r < kBlock; ++r)
    sums[r] += treeLeaves[at[r]];
}

void TreeEnsemble::predict(ArrayRef<float> rows, size_t numRows,
                           MutableArrayRef<float> out) const {
  assert(rows.size() >= numRows * numFeatures && out.size() >= numRows &&
         "a row of features and an output per row");
  std::vector<float> padded;
  for (size_t begin = 0; begin < numRows; begin += kChunk) {
    size_t count = std::min(kChunk, numRows - begin);
    size_t numBlocks = (count + kBlock - 1) / kBlock;
    const float *chunk = rows.data() + begin * numFeatures;
    if (count % kBlock != 0) {
      // The last rows, and copies of the last row to fill their block.
      padded.assign(chunk, chunk + count * numFeatures);
      for (size_t r = count; r < numBlocks * kBlock; ++r)
        padded.insert(padded.end(), chunk + (count - 1) * numFeatures,
                      chunk + count * numFeatures);
      chunk = padded.data();
    }
    // Each row sums its leaves in tree order, as XGBoost does.
    float sums[kChunk];
    std::fill_n(sums, kChunk, baseScore);
    for (const Tree &tree : trees)
      for (size_t b = 0; b < numBlocks; ++b)
        walkBlock(tree, chunk + b * kBlock * numFeatures, sums + b * kBlock);
    std::copy_n(sums, count, out.data() + begin);
  }
}

} // namespace tessera::cost
