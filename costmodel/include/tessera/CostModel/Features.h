//===- Features.h - Features of kernels for the cost model ------*- C++ -*-===//
//
// What the cost model sees of a kernel. A tensor operator with a
// #tessera.kernel_config, or an affine loop nest, is first described as a
// KernelDescription (iteration domain, memory accesses as linear index
// functions, body operations, the scheduled loop nest, tokens of its printed
// IR); computeFeatures() turns a description into the fixed-length vector of
// the versioned feature schema (docs/cost-model.md lists every feature).
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COSTMODEL_FEATURES_H
#define TESSERA_COSTMODEL_FEATURES_H

#include "tessera/CostModel/Schedule.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <array>
#include <optional>
#include <string>

namespace tessera::cost {

/// Kinds of kernels the feature schema distinguishes (one-hot features).
enum class OpKind {
  Matmul,
  BatchMatmul,
  Conv2D,
  DepthwiseConv2D,
  PoolMax,
  PoolSum,
  Elementwise,
  Reduction,
  Contraction,
  Stencil,
  Other,
};
constexpr unsigned kNumOpKinds = 11;

/// Names used in datasets, model files and diagnostics ("matmul", ...).
llvm::StringRef stringifyOpKind(OpKind kind);
std::optional<OpKind> symbolizeOpKind(llvm::StringRef name);

/// One memory access of a kernel. Index `r` of the accessed buffer is
/// `sum_d coefficients[r][d] * i_d + offsets[r]` over the iteration-domain
/// dimensions `i_d` (row-major buffer). Accesses with the same `buffer`
/// touch the same memory.
struct KernelAccess {
  unsigned buffer = 0;
  llvm::SmallVector<int64_t> shape;
  llvm::SmallVector<llvm::SmallVector<int64_t>> coefficients;
  llvm::SmallVector<int64_t> offsets;
  int64_t elementBytes = 4;
  bool isRead = true;
  bool isWrite = false;
};

/// Scalar operations executed per iteration of the kernel's body.
struct BodyOpCounts {
  int64_t add = 0, mul = 0, div = 0, cmp = 0, transcendental = 0, other = 0;
  int64_t flops() const { return add + mul + div + cmp + transcendental; }
};

/// Number of hashed IR token n-gram buckets in the schema.
constexpr unsigned kNumTokenBuckets = 64;

/// A kernel as the cost model sees it.
struct KernelDescription {
  OpKind kind = OpKind::Other;
  /// Extents of the iteration-domain dimensions and which are reductions.
  llvm::SmallVector<int64_t> domain;
  llvm::SmallVector<bool> isReduction;
  llvm::SmallVector<KernelAccess> accesses;
  BodyOpCounts body;
  unsigned numInputs = 0, numOutputs = 0;
  /// The loop nest that runs the kernel (set by setSchedule).
  ScheduledNest schedule;
  /// Whether the vector body spans `vectorWidth` elements of the vector
  /// dimension (operators) or is already part of the loop steps (loop nests
  /// with vector loads and stores).
  bool vectorBodySpansDomain = true;
  llvm::SmallVector<int64_t> loopOrder;
  /// Counts of hashed unigrams and bigrams of the printed operator (without
  /// its schedule) and of the printed schedule.
  std::array<float, kNumTokenBuckets> opTokens{};
  std::array<float, kNumTokenBuckets> scheduleTokens{};
};

/// Describes a linalg operator with static shapes (tensors or buffers). The
/// schedule is the operator's `tessera.kernel_config` attribute when it has
/// one, else getDefaultKernelConfig(). Fails with a message in `error` for
/// an operator the extractor does not know (not linalg, dynamic shapes,
/// non-linear index functions).
mlir::FailureOr<KernelDescription> describeOperator(mlir::Operation *op,
                                                    std::string *error);

/// Describes a loop nest rooted at `outermost`: affine.for and scf.for loops
/// (one per level) with constant trip counts and bounds linear in the outer
/// loops, whose accesses are loads and stores (affine, memref or vector) of
/// static memrefs at indices linear in the loops (induction variables,
/// constants, affine.apply, integer +, - and * by a constant). Each loop is
/// one domain dimension; the nest is its own schedule (tile structure shows
/// as loops whose counters combine in the access functions). Fails with a
/// message for a nest it does not know.
mlir::FailureOr<KernelDescription> describeLoopNest(mlir::Operation *outermost,
                                                    std::string *error);

/// Whether `op` is a loop nest that is a kernel of its own, for
/// describeLoopNest: an affine.for or scf.for inside no other, with no linalg
/// operator inside (loops around operators, as tiling makes, are not
/// kernels: the operators inside them are).
bool isLoopNestKernel(mlir::Operation *op);

/// describeLoopNest for a loop, describeOperator for anything else.
mlir::FailureOr<KernelDescription> describeKernel(mlir::Operation *op,
                                                  std::string *error);

/// Sets the schedule of a description of an operator to `config` (its
/// scheduled nest and schedule tokens). Fails when the configuration does not
/// fit the operator.
mlir::LogicalResult setSchedule(KernelDescription &description,
                                mlir::tessera::KernelConfigAttr config,
                                std::string *error);

/// The feature schema: version, names, and a fingerprint of both that model
/// files and datasets record.
struct FeatureSchema {
  static constexpr unsigned kVersion = 3;
  /// Names of the features, in vector order.
  static llvm::ArrayRef<std::string> names();
  static size_t size() { return names().size(); }
  /// FNV-1a hash of the version and the names, as 16 hex digits.
  static llvm::StringRef fingerprint();
  /// Index of a feature by name, or -1.
  static int indexOf(llvm::StringRef name);
};

/// Cache capacities the memory-traffic features assume (part of schema v1,
/// independent of the target).
constexpr int64_t kFeatureCacheBytes[3] = {32 * 1024, 1024 * 1024,
                                           32 * 1024 * 1024};

/// Fills `out` (FeatureSchema::size() values) with the features of
/// `description`.
void computeFeatures(const KernelDescription &description,
                     llvm::MutableArrayRef<float> out);
llvm::SmallVector<float> computeFeatures(const KernelDescription &description);

/// Quantities derived from a description that features and the analytical
/// model share.
struct KernelStatistics {
  double iterations = 0;  ///< points of the iteration domain
  double flops = 0;       ///< scalar floating-point operations
  double uniqueBytes = 0; ///< bytes of all accessed buffer regions
  /// Estimated bytes moved into a cache of each kFeatureCacheBytes (or
  /// custom) capacity by the scheduled loop nest.
  llvm::SmallVector<double> trafficBytes;
};
KernelStatistics computeStatistics(const KernelDescription &description,
                                   llvm::ArrayRef<int64_t> cacheBytes);

/// The quantities the roofline model combines, for the cache capacities of
/// kFeatureCacheBytes. Features hold them exactly (log2(1 + x) form), so
/// the analytical model can be calibrated from a dataset.
struct RooflineTerms {
  double flops = 0;
  /// SIMD lanes the kernel's vector loop can use (1 = scalar).
  double effectiveLanes = 1;
  /// Bytes the core loads and stores (accesses invariant in the innermost
  /// loop counted once per innermost loop).
  double coreBytes = 0;
  /// Bytes moved into L1, L2 and L3.
  double traffic[3] = {0, 0, 0};
};
RooflineTerms computeRooflineTerms(const KernelDescription &description);
RooflineTerms computeRooflineTerms(const KernelDescription &description,
                                   const KernelStatistics &statistics);
/// Reads the terms back from a feature vector of the current schema.
RooflineTerms rooflineTermsFromFeatures(llvm::ArrayRef<float> features);

/// Adds the hashed unigrams and bigrams of `text` to `buckets`.
void addTokenNgrams(llvm::StringRef text,
                    std::array<float, kNumTokenBuckets> &buckets);

} // namespace tessera::cost

#endif // TESSERA_COSTMODEL_FEATURES_H
