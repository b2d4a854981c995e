//===- XGBoostBooster.cpp - XGBoost boosters: load, save, blend -----------===//

#include "tessera/CostModel/XGBoostBooster.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <xgboost/c_api.h>

using namespace mlir;

namespace tessera::cost {

FailureOr<OwnedBooster> loadXGBoost(ArrayRef<uint8_t> bytes,
                                    std::string *message) {
  BoosterHandle handle = nullptr;
  if (XGBoosterCreate(nullptr, 0, &handle) != 0) {
    *message = XGBGetLastError();
    return failure();
  }
  OwnedBooster booster(handle, XGBoosterFree);
  if (XGBoosterLoadModelFromBuffer(handle, bytes.data(), bytes.size()) != 0) {
    *message = XGBGetLastError();
    return failure();
  }
  return booster;
}

std::optional<int64_t> xgboostIntegerParam(const llvm::json::Object &object,
                                           StringRef key) {
  std::optional<StringRef> text = object.getString(key);
  int64_t value = 0;
  if (!text || text->getAsInteger(10, value))
    return std::nullopt;
  return value;
}

FailureOr<std::string> saveXGBoost(void *booster, StringRef format,
                                   std::string *message) {
  std::string config = llvm::formatv("{{\"format\": \"{0}\"}", format);
  bst_ulong size = 0;
  const char *bytes = nullptr;
  if (XGBoosterSaveModelToBuffer(booster, config.c_str(), &size, &bytes) != 0) {
    *message = XGBGetLastError();
    return failure();
  }
  return std::string(bytes, size);
}

namespace {
/// A member of a blend: its booster as JSON, and what the members must agree
/// on.
struct Member {
  llvm::json::Value json = nullptr;
  /// learner_model_param and objective, printed: equal across members.
  std::string signature;
  int64_t numTrees = 0, treesPerRound = 0;
};

/// The gbtree model (learner.gradient_booster.model) of a booster's JSON,
/// with its trees; null if it has none.
llvm::json::Object *gbtreeModel(llvm::json::Value &json) {
  llvm::json::Object *learner = nullptr, *booster = nullptr;
  if (llvm::json::Object *root = json.getAsObject())
    learner = root->getObject("learner");
  if (learner)
    booster = learner->getObject("gradient_booster");
  if (!booster ||
      booster->getString("name") != std::optional<StringRef>("gbtree"))
    return nullptr;
  llvm::json::Object *model = booster->getObject("model");
  if (!model || !model->getArray("trees") ||
      !model->getObject("gbtree_model_param"))
    return nullptr;
  return model;
}

FailureOr<Member> readMember(StringRef bytes, std::string *message) {
  FailureOr<OwnedBooster> booster = loadXGBoost(
      ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(bytes.data()),
                        bytes.size()),
      message);
  if (failed(booster))
    return failure();
  FailureOr<std::string> text = saveXGBoost(booster->get(), "json", message);
  if (failed(text))
    return failure();
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(*text);
  if (!parsed) {
    *message = llvm::toString(parsed.takeError());
    return failure();
  }
  Member member;
  member.json = std::move(*parsed);
  llvm::json::Object *model = gbtreeModel(member.json);
  if (!model) {
    *message = "not a gbtree booster";
    return failure();
  }
  const llvm::json::Object &params = *model->getObject("gbtree_model_param");
  std::optional<int64_t> numTrees = xgboostIntegerParam(params, "num_trees");
  std::optional<int64_t> perRound =
      xgboostIntegerParam(params, "num_parallel_tree");
  if (!numTrees || !perRound || *perRound <= 0 ||
      *numTrees != static_cast<int64_t>(model->getArray("trees")->size()) ||
      *numTrees % *perRound != 0) {
    *message = "its tree counts are malformed";
    return failure();
  }
  member.numTrees = *numTrees;
  member.treesPerRound = *perRound;
  const llvm::json::Object &learner =
      *member.json.getAsObject()->getObject("learner");
  llvm::json::Object signature;
  for (StringRef key : {"learner_model_param", "objective"})
    if (const llvm::json::Value *value = learner.get(key))
      signature[key] = *value;
  member.signature =
      llvm::formatv("{0}", llvm::json::Value(std::move(signature))).str();
  return member;
}

/// Writes `value` as XGBoost's JSON reader takes it: the numbers of its
/// arrays of floats with an exponent, so that it reads a whole-valued one as
/// a float too (llvm::json prints 2.0 as 2, which it would read as an
/// integer and refuse).
void writeForXGBoost(llvm::json::OStream &out, const llvm::json::Value &value,
                     bool floats = false) {
  if (const llvm::json::Object *object = value.getAsObject()) {
    out.object([&] {
      for (const auto &[key, member] : *object) {
        out.attributeBegin(key);
        writeForXGBoost(out, member,
                        llvm::is_contained({"base_weights", "loss_changes",
                                            "split_conditions", "sum_hessian"},
                                           StringRef(key)));
        out.attributeEnd();
      }
    });
  } else if (const llvm::json::Array *array = value.getAsArray()) {
    out.array([&] {
      for (const llvm::json::Value &element : *array)
        writeForXGBoost(out, element, floats);
    });
  } else if (std::optional<double> number = value.getAsNumber();
             floats && number) {
    out.rawValue(llvm::formatv("{0:e9}", *number).str());
  } else {
    out.value(value);
  }
}

/// Divides the leaves of `tree` by `count` and zeroes its training
/// statistics (node weights, split gains, hessian sums): prediction reads
/// none of them, and they are half of a compressed booster.
LogicalResult scaleLeavesDropStatistics(llvm::json::Object &tree,
                                        double count) {
  llvm::json::Array *left = tree.getArray("left_children");
  llvm::json::Array *values = tree.getArray("split_conditions");
  if (!left || !values || values->size() != left->size())
    return failure();
  for (size_t i = 0; i < left->size(); ++i) {
    std::optional<int64_t> child = (*left)[i].getAsInteger();
    std::optional<double> value = (*values)[i].getAsNumber();
    if (!child || !value)
      return failure();
    if (*child == -1)
      (*values)[i] = *value / count;
  }
  for (StringRef key : {"base_weights", "loss_changes", "sum_hessian"}) {
    llvm::json::Array *statistic = tree.getArray(key);
    if (!statistic || statistic->size() != left->size())
      return failure();
    for (llvm::json::Value &element : *statistic)
      element = 0.0;
  }
  return success();
}
} // namespace

FailureOr<std::string> blendBoosters(ArrayRef<std::string> members,
                                     std::string *message) {
  if (members.empty()) {
    *message = "no boosters to blend";
    return failure();
  }
  if (members.size() == 1)
    return members.front();
  std::vector<Member> read;
  for (auto [i, bytes] : llvm::enumerate(members)) {
    std::string why;
    FailureOr<Member> member = readMember(bytes, &why);
    if (failed(member)) {
      *message = llvm::formatv("booster {0}: {1}", i, why);
      return failure();
    }
    const Member &first = read.empty() ? *member : read.front();
    if (member->signature != first.signature ||
        member->numTrees != first.numTrees ||
        member->treesPerRound != first.treesPerRound) {
      *message = llvm::formatv(
          "booster {0} differs from booster 0 in its objective, base score, "
          "features or trees ({1} trees, {2} a round, against {3}, {4})",
          i, member->numTrees, member->treesPerRound, first.numTrees,
          first.treesPerRound);
      return failure();
    }
    read.push_back(std::move(*member));
  }

  int64_t perRound = read.front().treesPerRound;
  int64_t rounds = read.front().numTrees / perRound;
  double count = static_cast<double>(read.size());
  llvm::json::Array trees, treeInfo;
  for (int64_t round = 0; round < rounds; ++round) {
    for (auto [m, member] : llvm::enumerate(read)) {
      llvm::json::Array &memberTrees =
          *gbtreeModel(member.json)->getArray("trees");
      for (int64_t t = round * perRound; t < (round + 1) * perRound; ++t) {
        llvm::json::Object *tree = memberTrees[t].getAsObject();
        if (!tree || failed(scaleLeavesDropStatistics(*tree, count))) {
          *message =
              llvm::formatv("tree {0} of booster {1} is malformed", t, m);
          return failure();
        }
        (*tree)["id"] = static_cast<int64_t>(trees.size());
        trees.push_back(std::move(*tree));
        treeInfo.push_back(0);
      }
    }
  }
  llvm::json::Object &model = *gbtreeModel(read.front().json);
  llvm::json::Object *params = model.getObject("gbtree_model_param");
  (*params)["num_trees"] = std::to_string(trees.size());
  (*params)["num_parallel_tree"] = std::to_string(perRound * read.size());
  model["tree_info"] = std::move(treeInfo);
  model["trees"] = std::move(trees);
  // XGBoost 2 indexes the trees of each round.
  if (model.getArray("iteration_indptr")) {
    llvm::json::Array indptr;
    for (int64_t round = 0; round <= rounds; ++round)
      indptr.push_back(round * perRound * static_cast<int64_t>(read.size()));
    model["iteration_indptr"] = std::move(indptr);
  }

  std::string json;
  {
    llvm::raw_string_ostream os(json);
    llvm::json::OStream out(os);
    writeForXGBoost(out, read.front().json);
  }
  FailureOr<OwnedBooster> blend = loadXGBoost(
      ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(json.data()),
                        json.size()),
      message);
  if (failed(blend)) {
    *message = "XGBoost rejects the blend: " + *message;
    return failure();
  }
  return saveXGBoost(blend->get(), "ubj", message);
}

} // namespace tessera::cost
