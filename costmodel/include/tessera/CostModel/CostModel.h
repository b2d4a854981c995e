//===- CostModel.h - The cost model interface passes use --------*- C++ -*-===//
//
// CostModel predicts the latency of kernels: operators with a
// #tessera.kernel_config, or loop nests. Two models implement it: the learned
// XGBoost model (a model file trained by `tessera-cost train`) and the
// roofline model, the analytical fallback. The registry picks the model for a
// target: in the first directory of the search path that has one, a model
// file for its CPU, else one for its architecture family; else the roofline
// model with a warning. Passes use only this header.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COSTMODEL_COSTMODEL_H
#define TESSERA_COSTMODEL_COSTMODEL_H

#include "tessera/CostModel/Features.h"
#include "tessera/CostModel/TreeEnsemble.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/JSON.h"

#include <bitset>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tessera::cost {

/// A predicted latency and the model that made it.
struct Prediction {
  double latencyUs = 0;
  /// The model's name, or "analytical" for the roofline model.
  std::string source;
  /// Set when a learned model was asked but the analytical model answered:
  /// why (for a warning).
  std::string fallbackReason;
};

/// The machine a model predicts for: `kind` is cpu, gpu or fpga; `arch` a
/// family ("x86_64", "aarch64", "sm_90", ...).
struct TargetDesc {
  std::string kind = "cpu";
  std::string arch;
  /// The CPU (LLVM's name, "znver4"); empty when unknown. A model file with a
  /// CPU is for that CPU only.
  std::string cpu;
  int64_t vectorBits = 0;
  int64_t cores = 0;

  /// The host CPU.
  static TargetDesc host();
  /// From a #tessera.target attribute (a CPU without an arch is the host).
  static TargetDesc fromAttr(mlir::tessera::TargetAttr attr);
  /// "cpu-x86_64", "gpu-sm_90", "fpga".
  std::string key() const;
};

/// Parameters of the roofline model: compute throughput and the bandwidth of
/// each memory level.
struct RooflineParams {
  /// Scalar floating-point operations per second on one core.
  double scalarFlops = 4e9;
  /// 32-bit lanes of a SIMD register.
  int64_t simdLanes = 16;
  /// Bytes per second between the core and L1 (with full-width vector
  /// accesses), and into L1, L2 and L3 from the next level. Cache capacities
  /// are the features' (kFeatureCacheBytes).
  double bandwidth[4] = {150e9, 60e9, 30e9, 12e9};
  /// Fixed cost of one kernel call, in microseconds.
  double overheadUs = 0.1;

  /// Rates, bandwidths and lanes positive and finite, overhead not negative
  /// (else a prediction could be infinite or negative).
  bool isValid() const;
  /// Defaults for a target (CPU: SIMD lanes from vector_bits).
  static RooflineParams forTarget(const TargetDesc &target);
  llvm::json::Object toJSON() const;
  static RooflineParams fromJSON(const llvm::json::Object &object,
                                 const RooflineParams &defaults);
};

/// Latency in microseconds of a kernel under the roofline model: the largest
/// of its compute time and the time to move its estimated traffic through
/// each memory level, plus the call overhead.
double predictRooflineUs(const KernelDescription &kernel,
                         const RooflineParams &params);
double evaluateRoofline(const RooflineTerms &terms,
                        const RooflineParams &params);

/// The interface of every cost model.
class CostModel {
public:
  virtual ~CostModel();

  /// The name recorded as the source of its predictions.
  virtual llvm::StringRef getName() const = 0;

  /// Predicts the latency of each kernel of a batch.
  virtual void predictBatch(llvm::ArrayRef<const KernelDescription *> kernels,
                            llvm::MutableArrayRef<Prediction> out) = 0;

  /// Predicts one kernel.
  Prediction predict(const KernelDescription &kernel);

  /// Describes and predicts an operator (with its kernel_config, or the
  /// default one) or an affine loop nest. Fails, with a message, on an
  /// operation the feature extractor does not know.
  mlir::FailureOr<Prediction> predict(mlir::Operation *op, std::string *error);

  /// Predicts an operator under each of `configs` (the candidates of a
  /// search), describing the operator once.
  mlir::LogicalResult
  predictConfigs(mlir::Operation *op,
                 llvm::ArrayRef<mlir::tessera::KernelConfigAttr> configs,
                 llvm::SmallVectorImpl<Prediction> &out, std::string *error);
};

/// The analytical model.
class RooflineCostModel : public CostModel {
public:
  explicit RooflineCostModel(RooflineParams params = {}) : params(params) {}
  llvm::StringRef getName() const override { return "analytical"; }
  void predictBatch(llvm::ArrayRef<const KernelDescription *> kernels,
                    llvm::MutableArrayRef<Prediction> out) override;
  const RooflineParams &getParams() const { return params; }

private:
  RooflineParams params;
};

/// Format of model files and its version.
constexpr llvm::StringLiteral kModelFileFormat = "tessera-cost-model";
constexpr unsigned kModelFileVersion = 1;

/// A learned model from a model file. Kernels of an operator kind absent from
/// its training data get the roofline model's prediction (calibrated on the
/// same data) with a fallback reason.
class LearnedCostModel : public CostModel {
public:
  /// Loads a model file. Fails with a message naming the file when it is
  /// missing, not valid JSON, of another format or feature schema, or when
  /// XGBoost rejects a booster or it cannot be evaluated as a TreeEnsemble.
  static mlir::FailureOr<std::unique_ptr<LearnedCostModel>>
  load(llvm::StringRef path, std::string *error);

  llvm::StringRef getName() const override { return name; }
  void predictBatch(llvm::ArrayRef<const KernelDescription *> kernels,
                    llvm::MutableArrayRef<Prediction> out) override;

  /// Predicts from feature rows (FeatureSchema::size() floats each, row
  /// major): log-latency regression, in microseconds.
  void predictFeatures(llvm::ArrayRef<float> rows, size_t numRows,
                       llvm::MutableArrayRef<double> latencyUs);
  /// The regression booster's margins (its label: ln latency, or ln of
  /// latency over the roofline estimate).
  void predictMargins(llvm::ArrayRef<float> rows, size_t numRows,
                      llvm::MutableArrayRef<float> margins);
  /// Ranking scores (lower = faster) from the pairwise-ranking booster;
  /// false when the file has none.
  bool rankFeatures(llvm::ArrayRef<float> rows, size_t numRows,
                    llvm::MutableArrayRef<double> scores);
  bool hasRanker() const { return ranker.has_value(); }

  const TargetDesc &getTarget() const { return target; }
  const RooflineParams &getAnalyticalParams() const { return analytical; }
  bool coversKind(OpKind kind) const { return kinds.test(unsigned(kind)); }
  /// The file's "training" object (dataset summary, parameters, commands).
  const llvm::json::Object &getTrainingInfo() const { return training; }

private:
  LearnedCostModel() = default;
  std::string name;
  TargetDesc target;
  RooflineParams analytical;
  std::bitset<kNumOpKinds> kinds;
  llvm::json::Object training;
  bool residual = false;
  std::optional<TreeEnsemble> regressor;
  std::optional<TreeEnsemble> ranker;
};

/// XGBoost's own predictor on the regression booster of model file `path`:
/// the margins (one per row) that LearnedCostModel's tree ensemble equals,
/// bit for bit, and the microseconds the prediction took (one thread).
/// `tessera-cost eval` compares and times the two.
mlir::FailureOr<std::vector<float>>
predictWithXGBoost(llvm::StringRef path, llvm::ArrayRef<float> rows,
                   size_t numRows, double *microseconds, std::string *error);

/// Boosters and metadata that make a model file.
struct ModelFileContents {
  std::string name;
  TargetDesc target;
  RooflineParams analytical;
  llvm::SmallVector<OpKind> kinds;
  llvm::json::Object training;
  /// Serialised boosters (XGBoost UBJSON); the ranker may be empty.
  std::string regressor, ranker;
  /// The regressor predicts ln(latency / roofline estimate) instead of
  /// ln(latency) (the roofline estimate is the log2_roofline_us feature).
  bool residual = false;
};

/// Writes a model file.
mlir::LogicalResult writeModelFile(llvm::StringRef path,
                                   const ModelFileContents &contents,
                                   std::string *error);

/// Finds and loads cost models per target. Model files are looked up in
/// $TESSERA_COST_MODEL_PATH (colon-separated directories), the installed
/// share/tessera/costmodel and the source tree's costmodel/models, in that
/// order; in each, a file for the target's CPU wins, else the first file
/// (names sorted) for the kind and architecture that names no CPU. Other
/// backends (a GPU or FPGA model of another format) register a loader for
/// their `backend` name.
class CostModelRegistry {
public:
  using Loader = std::function<mlir::FailureOr<std::unique_ptr<CostModel>>(
      llvm::StringRef path, std::string *error)>;

  static CostModelRegistry &instance();

  /// Registers the loader of model files whose "backend" is `backend`
  /// ("xgboost" is built in).
  void registerBackend(llvm::StringRef backend, Loader loader);

  /// Directories searched for model files, in order.
  llvm::SmallVector<std::string> getSearchPaths() const;

  /// Loads a model file with its backend's loader.
  mlir::FailureOr<std::unique_ptr<CostModel>> loadFile(llvm::StringRef path,
                                                       std::string *error);

  /// The model for `target`: a matching model file, else the roofline model
  /// for the target; `warning` then says why (no file fits, or the files
  /// that fit could not be loaded).
  std::unique_ptr<CostModel> getModelFor(const TargetDesc &target,
                                         std::string *warning);

private:
  CostModelRegistry();
  llvm::StringMap<Loader> loaders;
};

} // namespace tessera::cost

#endif // TESSERA_COSTMODEL_COSTMODEL_H
