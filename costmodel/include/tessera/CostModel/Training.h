//===- Training.h - Training and evaluation of cost models ------*- C++ -*-===//
//
// `tessera-cost train` and `eval`: XGBoost regression on log latency (with
// a within-group ranking term) and a pairwise-ranking booster, trained on the
// kernel groups (shapes) outside the held-out split, never on rows of a
// held-out shape; a roofline model calibrated on the same training rows; and
// the per-group metrics on the held-out groups.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COSTMODEL_TRAINING_H
#define TESSERA_COSTMODEL_TRAINING_H

#include "tessera/CostModel/CostModel.h"
#include "tessera/CostModel/Dataset.h"
#include "tessera/CostModel/PairwiseObjective.h"

#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace tessera::cost {

/// Whether a kernel group belongs to the held-out split: a hash of the
/// group name (its shape) and `salt`, modulo 100, below `percent`.
bool isHeldOut(llvm::StringRef group, unsigned percent, llvm::StringRef salt);

struct TrainOptions {
  std::string name = "xgb-cpu";
  unsigned rounds = 400;
  unsigned maxDepth = 8;
  double eta = 0.08;
  double subsample = 0.8;
  double colsample = 0.8;
  double minChildWeight = 2;
  unsigned holdoutPercent = 20;
  std::string holdoutSalt = "tessera-v1";
  /// Train the ranking booster too, with this XGBoost objective.
  bool rank = true;
  std::string rankObjective = "rank:pairwise";
  /// Regress ln(latency / roofline estimate) rather than ln(latency): the
  /// booster learns the schedule's effect relative to the problem's size.
  bool residual = true;
  /// The regressor's ranking term (`PairwiseObjective.h`; weight 0: the
  /// squared error alone). Several terms train one regressor each, blended
  /// into the model's booster (`XGBoostBooster.h`): it predicts the mean of
  /// their log latencies, for the walk of all their trees.
  std::vector<PairwiseTermOptions> regressors{PairwiseTermOptions()};
  unsigned threads = 1;
  unsigned seed = 0;
  /// A model for the dataset's CPU only (its target names the CPU; the
  /// registry prefers it on that CPU and never picks it on another), rather
  /// than for the whole architecture family.
  bool cpuSpecific = false;
  /// Features (name prefixes) the boosters may not use: their columns are
  /// missing in training, so no tree splits on them.
  std::vector<std::string> ignoredFeatures;
  /// Stored in the model file ("training.commands"), for provenance.
  std::vector<std::string> commands;
  std::vector<std::string> datasetPaths;
};

/// Trains the boosters and calibrates the roofline on the training split of
/// `dataset` (rows with status ok). Logs progress to `log` when given.
mlir::FailureOr<ModelFileContents> trainModel(const Dataset &dataset,
                                              const TrainOptions &options,
                                              std::string *error,
                                              llvm::raw_ostream *log);

/// Fits the roofline's compute rate, bandwidth scale and call overhead to
/// the rows (by least squares of log latency over a grid).
RooflineParams calibrateRoofline(const Dataset &dataset,
                                 llvm::ArrayRef<size_t> rows,
                                 const RooflineParams &defaults);

/// Metrics of one kernel group.
struct GroupMetrics {
  std::string group, family;
  size_t size = 0;
  double mape = 0, kendallTau = 0, pairwiseAccuracy = 0, top1 = 0, top5 = 0;
};

/// Metrics of a predictor over the groups of an evaluation.
struct EvalSummary {
  size_t rows = 0;
  double mape = 0;
  double meanKendallTau = 0, medianKendallTau = 0;
  double meanPairwiseAccuracy = 0;
  double meanTop1 = 0, meanTop5 = 0;
  /// Fraction of groups whose top-1 (top-5) score is at least 0.9.
  double top1AtLeast90 = 0, top5AtLeast90 = 0;
  /// Kendall's tau and pairwise accuracy over all evaluated rows as one
  /// ranking (across shapes too).
  double pooledKendallTau = 0, pooledPairwiseAccuracy = 0;
  std::vector<GroupMetrics> groups;
};

/// Evaluates predictions (`predicted[i]` for `dataset.rows[rows[i]]`) per
/// kernel group; groups with fewer than `minGroupSize` rows are skipped.
/// `isLatency` = false skips MAPE (ranking scores).
EvalSummary evaluatePredictions(const Dataset &dataset,
                                llvm::ArrayRef<size_t> rows,
                                llvm::ArrayRef<double> predicted,
                                bool isLatency, size_t minGroupSize = 5);

} // namespace tessera::cost

#endif // TESSERA_COSTMODEL_TRAINING_H
