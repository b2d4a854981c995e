//===- Training.cpp - Training and evaluation of cost models --------------===//

#include "tessera/CostModel/Training.h"
#include "tessera/CostModel/Metrics.h"
#include "tessera/CostModel/PairwiseObjective.h"
#include "tessera/CostModel/XGBoostBooster.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>
#include <tuple>

using namespace mlir;

namespace tessera::cost {

bool isHeldOut(StringRef group, unsigned percent, StringRef salt) {
  uint64_t hash = 1469598103934665603ull;
  for (char c : (salt + "/" + group).str()) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash % 100 < percent;
}

namespace {
/// Frees XGBoost handles on scope exit.
struct BoosterGuard {
  BoosterHandle booster = nullptr;
  DMatrixHandle matrix = nullptr;
  ~BoosterGuard() {
    if (booster)
      XGBoosterFree(booster);
    if (matrix)
      XGDMatrixFree(matrix);
  }
};

std::string lastXGBoostError() { return XGBGetLastError(); }

/// The operator kind of a feature row (the one-hot kind features come first).
OpKind kindOfRow(const DatasetRow &row) {
  for (unsigned k = 0; k < kNumOpKinds && k < row.features.size(); ++k)
    if (row.features[k] > 0.5f)
      return static_cast<OpKind>(k);
  return OpKind::Other;
}

/// Whether two pair terms train the same regressor (without the pair term,
/// its other parameters do not matter).
bool sameObjective(const PairwiseTermOptions &a, const PairwiseTermOptions &b) {
  if (a.weight == 0 || b.weight == 0)
    return a.weight == b.weight;
  return a.weight == b.weight && a.temperature == b.temperature &&
         a.saturation == b.saturation && a.topWeight == b.topWeight &&
         a.topWidth == b.topWidth;
}

/// Trains one booster on `rows` (grouped when `groups` is non-empty), with
/// XGBoost's `objective`, or with the gradients of `custom` when given.
FailureOr<std::string>
trainBooster(const Dataset &dataset, ArrayRef<size_t> rows,
             ArrayRef<float> labels, ArrayRef<unsigned> groups,
             const TrainOptions &options, StringRef objective,
             const PairwiseObjective *custom, std::string *error,
             llvm::raw_ostream *log) {
  size_t numColumns = FeatureSchema::size();
  std::vector<float> matrix(rows.size() * numColumns);
  for (auto [i, r] : llvm::enumerate(rows))
    std::copy(dataset.rows[r].features.begin(), dataset.rows[r].features.end(),
              matrix.begin() + i * numColumns);
  ArrayRef<std::string> featureNames = FeatureSchema::names();
  for (size_t c = 0; c < featureNames.size(); ++c) {
    StringRef name = featureNames[c];
    if (llvm::any_of(options.ignoredFeatures, [&](const std::string &prefix) {
          return name.starts_with(prefix);
        }))
      for (size_t i = 0; i < rows.size(); ++i)
        matrix[i * numColumns + c] = NAN;
  }
  BoosterGuard guard;
  auto fail = [&](StringRef what) -> FailureOr<std::string> {
    if (error)
      *error = llvm::formatv("XGBoost ({0}): {1}", what, lastXGBoostError());
    return failure();
  };
  if (XGDMatrixCreateFromMat(matrix.data(), rows.size(), numColumns, NAN,
                             &guard.matrix) != 0)
    return fail("matrix");
  if (XGDMatrixSetFloatInfo(guard.matrix, "label", labels.data(),
                            labels.size()) != 0)
    return fail("labels");
  if (!groups.empty() &&
      XGDMatrixSetUIntInfo(guard.matrix, "group", groups.data(),
                           groups.size()) != 0)
    return fail("groups");
  DMatrixHandle matrices[] = {guard.matrix};
  if (XGBoosterCreate(matrices, 1, &guard.booster) != 0)
    return fail("booster");
  auto set = [&](const char *key, const std::string &value) {
    return XGBoosterSetParam(guard.booster, key, value.c_str()) == 0;
  };
  bool ok =
      set("objective", objective.str()) && set("tree_method", "hist") &&
      set("max_depth", std::to_string(options.maxDepth)) &&
      set("eta", llvm::formatv("{0}", options.eta).str()) &&
      set("subsample", llvm::formatv("{0}", options.subsample).str()) &&
      set("colsample_bytree", llvm::formatv("{0}", options.colsample).str()) &&
      set("min_child_weight",
          llvm::formatv("{0}", options.minChildWeight).str()) &&
      set("nthread", std::to_string(options.threads)) &&
      set("seed", std::to_string(options.seed)) && set("verbosity", "0");
  if (!ok)
    return fail("parameters");
  const char *names[] = {"train"};
  // The margins of the training rows (the custom objective's input).
  const char *marginConfig = R"({"type": 1, "training": true,
      "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
  std::vector<float> gradient, hessian;
  for (unsigned round = 0; round < options.rounds; ++round) {
    if (custom) {
      const bst_ulong *shape = nullptr;
      bst_ulong dims = 0;
      const float *margins = nullptr;
      if (XGBoosterPredictFromDMatrix(guard.booster, guard.matrix, marginConfig,
                                      &shape, &dims, &margins) != 0)
        return fail("margins");
      custom->gradients(ArrayRef<float>(margins, rows.size()), gradient,
                        hessian);
      if (XGBoosterBoostOneIter(guard.booster, guard.matrix, gradient.data(),
                                hessian.data(), gradient.size()) != 0)
        return fail("training");
    } else if (XGBoosterUpdateOneIter(guard.booster, round, guard.matrix) !=
               0) {
      return fail("training");
    }
    if (log && (round + 1) % 100 == 0) {
      const char *evaluation = nullptr;
      if (XGBoosterEvalOneIter(guard.booster, round, matrices, names, 1,
                               &evaluation) == 0)
        *log << "  " << (custom ? "regression + pairs" : objective) << " "
             << evaluation << "\n";
    }
  }
  std::string message;
  FailureOr<std::string> bytes = saveXGBoost(guard.booster, "ubj", &message);
  if (failed(bytes))
    return fail("saving");
  return bytes;
}
} // namespace

RooflineParams calibrateRoofline(const Dataset &dataset, ArrayRef<size_t> rows,
                                 const RooflineParams &defaults) {
  std::vector<RooflineTerms> terms;
  std::vector<double> logLatency;
  for (size_t r : rows) {
    terms.push_back(rooflineTermsFromFeatures(dataset.rows[r].features));
    logLatency.push_back(std::log(dataset.rows[r].latencyUs));
  }
  RooflineParams best = defaults;
  double bestError = INFINITY;
  RooflineParams candidate = defaults;
  for (int f = 0; f <= 32; ++f) {
    candidate.scalarFlops = 0.25e9 * std::exp2(f / 4.0);
    for (int b = -16; b <= 16; ++b) {
      double scale = std::exp2(b / 4.0);
      for (int i = 0; i < 4; ++i)
        candidate.bandwidth[i] = defaults.bandwidth[i] * scale;
      for (double overhead : {0.02, 0.1, 0.3, 1.0}) {
        candidate.overheadUs = overhead;
        double sum = 0;
        for (size_t i = 0; i < terms.size(); ++i) {
          double e =
              std::log(evaluateRoofline(terms[i], candidate)) - logLatency[i];
          sum += e * e;
        }
        if (sum < bestError) {
          bestError = sum;
          best = candidate;
        }
      }
    }
  }
  return best;
}

FailureOr<ModelFileContents> trainModel(const Dataset &dataset,
                                        const TrainOptions &options,
                                        std::string *error,
                                        llvm::raw_ostream *log) {
  if (failed(dataset.checkCurrent(error)))
    return failure();
  if (options.regressors.empty()) {
    if (error)
      *error = "no regressor to train";
    return failure();
  }
  for (auto [i, pairs] : llvm::enumerate(options.regressors)) {
    for (auto [what, value, positive] :
         {std::tuple<StringRef, double, bool>{"weight", pairs.weight, false},
          {"temperature", pairs.temperature, true},
          {"saturation", pairs.saturation, true},
          {"top weight", pairs.topWeight, false},
          {"top width", pairs.topWidth, true}}) {
      if (positive ? value > 0 : value >= 0)
        continue;
      if (error)
        *error =
            llvm::formatv("the ranking term's {0} must be {1} 0 (given {2})",
                          what, positive ? ">" : ">=", value);
      return failure();
    }
    for (size_t j = 0; j < i; ++j)
      if (sameObjective(pairs, options.regressors[j])) {
        if (error)
          *error = llvm::formatv("regressors {0} and {1} of the blend have "
                                 "the same objective",
                                 j, i);
        return failure();
      }
  }
  // Training rows, grouped (the ranker needs each group contiguous).
  llvm::MapVector<StringRef, std::vector<size_t>> byGroup;
  size_t heldOutRows = 0, failedRows = 0;
  llvm::StringSet<> heldOutGroups;
  for (auto [i, row] : llvm::enumerate(dataset.rows)) {
    if (!row.isOk()) {
      ++failedRows;
      continue;
    }
    if (isHeldOut(row.group, options.holdoutPercent, options.holdoutSalt)) {
      ++heldOutRows;
      heldOutGroups.insert(row.group);
      continue;
    }
    byGroup[row.group].push_back(i);
  }
  const int rooflineIndex = FeatureSchema::indexOf("log2_roofline_us");
  std::vector<size_t> rows;
  std::vector<unsigned> groupSizes;
  std::vector<float> logLabels, labelOffsets, logLatencies, relevance;
  std::bitset<kNumOpKinds> kinds;
  llvm::StringMap<unsigned> families;
  for (auto &[group, members] : byGroup) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t r : members) {
      double l = std::log(dataset.rows[r].latencyUs);
      lo = std::min(lo, l);
      hi = std::max(hi, l);
    }
    for (size_t r : members) {
      const DatasetRow &row = dataset.rows[r];
      rows.push_back(r);
      double l = std::log(row.latencyUs);
      double offset =
          options.residual ? std::log(2.0) * row.features[rooflineIndex] : 0;
      logLabels.push_back(static_cast<float>(l - offset));
      labelOffsets.push_back(static_cast<float>(offset));
      logLatencies.push_back(static_cast<float>(l));
      // Relevance 0..31: faster is more relevant (rank:pairwise).
      relevance.push_back(hi > lo ? std::round(31.0 * (hi - l) / (hi - lo))
                                  : 0.0f);
      kinds.set(static_cast<unsigned>(kindOfRow(row)));
      families[row.family] += 1;
    }
    groupSizes.push_back(members.size());
  }
  if (rows.size() < 10) {
    if (error)
      *error = llvm::formatv("only {0} training rows (status ok, outside the "
                             "held-out groups); collect more",
                             rows.size());
    return failure();
  }
  if (log)
    *log << llvm::formatv("train: {0} rows in {1} groups ({2} held-out rows "
                          "in {3} groups, {4} failed rows skipped)\n",
                          rows.size(), groupSizes.size(), heldOutRows,
                          heldOutGroups.size(), failedRows);

  ModelFileContents contents;
  contents.name = options.name;
  contents.residual = options.residual;
  {
    SmallVector<StringRef> words;
    StringRef(dataset.target).split(words, ' ', -1, false);
    contents.target.kind = words.size() > 0 ? words[0].str() : "cpu";
    contents.target.arch = words.size() > 1 ? words[1].str() : "";
    if (options.cpuSpecific)
      contents.target.cpu = words.size() > 2 ? words[2].str() : "";
  }
  if (options.cpuSpecific && contents.target.cpu.empty()) {
    if (error)
      *error = llvm::formatv("the dataset's target '{0}' names no CPU; a "
                             "model for its CPU needs one",
                             dataset.target);
    return failure();
  }
  for (unsigned k = 0; k < kNumOpKinds; ++k)
    if (kinds.test(k))
      contents.kinds.push_back(static_cast<OpKind>(k));

  auto start = std::chrono::steady_clock::now();
  std::vector<std::string> members;
  for (const PairwiseTermOptions &terms : options.regressors) {
    std::optional<PairwiseObjective> pairwise;
    if (terms.weight > 0) {
      pairwise.emplace(logLabels, labelOffsets, logLatencies, groupSizes,
                       terms);
      if (log)
        *log << llvm::formatv("train: regression with {0} ordered pairs (top "
                              "weight {1})\n",
                              pairwise->numPairs(), terms.topWeight);
    }
    FailureOr<std::string> member =
        trainBooster(dataset, rows, logLabels, {}, options, "reg:squarederror",
                     pairwise ? &*pairwise : nullptr, error, log);
    if (failed(member))
      return failure();
    members.push_back(std::move(*member));
  }
  std::string message;
  FailureOr<std::string> regressor = blendBoosters(members, &message);
  if (failed(regressor)) {
    if (error)
      *error = "blending the regressors: " + message;
    return failure();
  }
  contents.regressor = std::move(*regressor);
  if (options.rank) {
    FailureOr<std::string> ranker =
        trainBooster(dataset, rows, relevance, groupSizes, options,
                     options.rankObjective, nullptr, error, log);
    if (failed(ranker))
      return failure();
    contents.ranker = std::move(*ranker);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  RooflineParams defaults;
  contents.analytical = calibrateRoofline(dataset, rows, defaults);
  if (log)
    *log << llvm::formatv("train: boosters in {0:f1} s; roofline calibrated: "
                          "{1:e} flop/s, L1 {2:e} B/s, overhead {3} us\n",
                          seconds, contents.analytical.scalarFlops,
                          contents.analytical.bandwidth[0],
                          contents.analytical.overheadUs);

  llvm::json::Object familyCounts;
  for (auto &entry : families)
    familyCounts[entry.getKey().str()] = entry.getValue();
  llvm::json::Array commands, datasets;
  for (const std::string &command : options.commands)
    commands.push_back(command);
  for (const std::string &path : options.datasetPaths)
    datasets.push_back(path);
  contents.training = llvm::json::Object{
      {"datasets", std::move(datasets)},
      {"dataset_target", dataset.target},
      {"latency_statistic", dataset.latencyStatistic},
      {"train_rows", static_cast<int64_t>(rows.size())},
      {"train_groups", static_cast<int64_t>(groupSizes.size())},
      {"heldout_rows", static_cast<int64_t>(heldOutRows)},
      {"heldout_groups", static_cast<int64_t>(heldOutGroups.size())},
      {"failed_rows", static_cast<int64_t>(failedRows)},
      {"train_rows_per_family", std::move(familyCounts)},
      {"holdout",
       llvm::json::Object{{"percent", options.holdoutPercent},
                          {"salt", options.holdoutSalt},
                          {"rule", "fnv1a(salt + '/' + group) % 100 < "
                                   "percent"}}},
      {"params",
       llvm::json::Object{
           {"rounds", options.rounds},
           {"max_depth", options.maxDepth},
           {"eta", options.eta},
           {"subsample", options.subsample},
           {"colsample_bytree", options.colsample},
           {"min_child_weight", options.minChildWeight},
           {"seed", options.seed},
           {"regression", options.residual
                              ? "reg:squarederror on ln(latency_us / "
                                "roofline_us)"
                              : "reg:squarederror on ln(latency_us)"},
           {"rank", options.rank ? "rank:pairwise, relevance "
                                   "0-31 per group"
                                 : "none"}}},
      {"commands", std::move(commands)}};
  auto termJSON = [](const PairwiseTermOptions &terms) {
    return llvm::json::Object{{"weight", terms.weight},
                              {"temperature", terms.temperature},
                              {"saturation", terms.saturation},
                              {"top_weight", terms.topWeight},
                              {"top_width", terms.topWidth}};
  };
  llvm::json::Object &params = *contents.training.getObject("params");
  if (options.regressors.size() == 1) {
    params["pairwise_term"] = termJSON(options.regressors.front());
  } else {
    llvm::json::Array terms;
    for (const PairwiseTermOptions &member : options.regressors)
      terms.push_back(termJSON(member));
    params["pairwise_terms"] = std::move(terms);
    params["blend"] = "one regressor per pairwise term, leaves over their "
                      "number: the mean of their log latencies";
  }
  return contents;
}

EvalSummary evaluatePredictions(const Dataset &dataset, ArrayRef<size_t> rows,
                                ArrayRef<double> predicted, bool isLatency,
                                size_t minGroupSize) {
  EvalSummary summary;
  llvm::MapVector<StringRef, std::vector<size_t>> byGroup;
  for (auto [i, r] : llvm::enumerate(rows))
    byGroup[dataset.rows[r].group].push_back(i);
  std::vector<double> allPredicted, allMeasured, taus;
  for (auto &[group, members] : byGroup) {
    if (members.size() < minGroupSize)
      continue;
    std::vector<double> p, m;
    for (size_t i : members) {
      p.push_back(predicted[i]);
      m.push_back(dataset.rows[rows[i]].latencyUs);
    }
    GroupMetrics g;
    g.group = group.str();
    g.family = dataset.rows[rows[members.front()]].family;
    g.size = members.size();
    g.mape = isLatency ? meanAbsolutePercentageError(p, m) : 0;
    g.kendallTau = kendallTau(p, m);
    g.pairwiseAccuracy = pairwiseAccuracy(p, m);
    g.top1 = topKScore(p, m, 1);
    g.top5 = topKScore(p, m, 5);
    summary.rows += members.size();
    allPredicted.insert(allPredicted.end(), p.begin(), p.end());
    allMeasured.insert(allMeasured.end(), m.begin(), m.end());
    taus.push_back(g.kendallTau);
    summary.meanKendallTau += g.kendallTau;
    summary.meanPairwiseAccuracy += g.pairwiseAccuracy;
    summary.meanTop1 += g.top1;
    summary.meanTop5 += g.top5;
    summary.top1AtLeast90 += g.top1 >= 0.9;
    summary.top5AtLeast90 += g.top5 >= 0.9;
    summary.groups.push_back(std::move(g));
  }
  size_t n = summary.groups.size();
  if (n) {
    summary.meanKendallTau /= n;
    summary.meanPairwiseAccuracy /= n;
    summary.meanTop1 /= n;
    summary.meanTop5 /= n;
    summary.top1AtLeast90 /= n;
    summary.top5AtLeast90 /= n;
    summary.medianKendallTau = median(std::move(taus));
  }
  summary.mape =
      isLatency ? meanAbsolutePercentageError(allPredicted, allMeasured) : 0;
  // Ranking scores are only comparable within a group.
  if (isLatency) {
    summary.pooledKendallTau = kendallTau(allPredicted, allMeasured);
    summary.pooledPairwiseAccuracy =
        pairwiseAccuracy(allPredicted, allMeasured);
  }
  return summary;
}

} // namespace tessera::cost
