//===- Dataset.h - Measured datasets of the cost model ----------*- C++ -*-===//
//
// A dataset is a CSV file with a header that names its format version, the
// feature schema (version and fingerprint) and the target it was measured
// on, then one row per measured kernel variant:
//
//   # tessera-cost-dataset 1
//   # feature-schema 1 0123456789abcdef
//   # target cpu x86_64 sapphirerapids
//   # latency min
//   key,group,family,config,status,latency_us,noise,repeats,rejected,f.kind_matmul,...
//   matmul_64x64x64|t=;o=0.1.2;v=1;u=1;p=0,matmul_64x64x64,matmul,...,ok,123.4,...
//
// `latency` names the statistic of a kernel's samples in `latency_us`:
// `min` (the fastest sample, what collection writes), `median` (datasets
// of the first collections, which have no `latency` line) or `min-geomean`
// (repeat collections merged by the geometric mean of their fastest
// samples); datasets of different statistics do not merge. `status` is `ok` or
// `failed:<why>` (crash, timeout, compile); failed rows have empty latencies
// and features. Shards of a collection merge into one file (mergeDatasets); a
// file is appended to, so collection can resume.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COSTMODEL_DATASET_H
#define TESSERA_COSTMODEL_DATASET_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"

#include <string>
#include <vector>

namespace tessera::cost {

constexpr unsigned kDatasetVersion = 1;

/// The statistic collection labels kernels with, and the one a dataset
/// without a `# latency` line has.
constexpr llvm::StringLiteral kCollectedLatencyStatistic = "min";
constexpr llvm::StringLiteral kLegacyLatencyStatistic = "median";
/// The statistic of repeat collections merged by their geometric mean
/// (MergeRule::GeometricMean): per kernel, the geometric mean of each
/// collection's fastest sample.
constexpr llvm::StringLiteral kRepeatedLatencyStatistic = "min-geomean";

/// The code generation of datasets and model files that record none: they
/// predate the record (Schedule.h's kCodegenVersion is the current one).
constexpr unsigned kUnrecordedCodegenVersion = 1;

/// Columns before the features.
constexpr unsigned kDatasetFixedColumns = 9;

/// One measured (or failed) kernel variant.
struct DatasetRow {
  std::string key, group, family, config, status = "ok";
  double latencyUs = 0;
  /// Relative noise of the kept samples: median absolute deviation / median.
  double noise = 0;
  unsigned repeats = 0, rejected = 0;
  std::vector<float> features;

  bool isOk() const { return status == "ok"; }
};

/// A dataset in memory.
struct Dataset {
  unsigned schemaVersion = 0;
  std::string schemaFingerprint;
  /// "cpu x86_64 <cpu name>".
  std::string target;
  /// The statistic of the samples in `latency_us` ("min", "median" or
  /// "min-geomean").
  std::string latencyStatistic = kLegacyLatencyStatistic.str();
  /// The code generation the latencies were measured under (Schedule.h's
  /// kCodegenVersion), kUnrecordedCodegenVersion without a `# codegen` line.
  unsigned codegenVersion = kUnrecordedCodegenVersion;
  std::vector<std::string> featureNames;
  std::vector<DatasetRow> rows;

  /// An empty dataset of the current feature schema and code generation for
  /// `target`, its latencies of `latencyStatistic`.
  static Dataset create(llvm::StringRef target,
                        llvm::StringRef latencyStatistic);

  /// Reads a dataset. Fails with a message (file and line) on a malformed
  /// header, a row whose column count differs from the header's, or a value
  /// that is not a number.
  static mlir::FailureOr<Dataset> read(llvm::StringRef path,
                                       std::string *error);

  /// Checks that the dataset's features are the current schema's, in order,
  /// and its latencies those of the current code generation.
  mlir::LogicalResult checkCurrent(std::string *error) const;

  /// The header lines and the column line.
  std::string header() const;
  /// One row as a CSV line (no newline), with `numFeatures` feature cells
  /// (empty ones for a failed row).
  static std::string formatRow(const DatasetRow &row, size_t numFeatures);

  /// Writes the whole dataset.
  mlir::LogicalResult write(llvm::StringRef path, std::string *error) const;

  /// Keys of all rows (ok or failed).
  llvm::StringSet<> keys() const;
};

/// Appends rows to a dataset file, creating it with `header` when absent;
/// an existing file must have the same header. Flushes before returning.
mlir::LogicalResult appendToDataset(llvm::StringRef path,
                                    const Dataset &headerOf,
                                    llvm::ArrayRef<DatasetRow> rows,
                                    std::string *error);

/// What a merge makes of a key that several inputs have.
enum class MergeRule {
  /// Shards of one collection: the first row of each key wins.
  FirstRow,
  /// Repeat collections of the same kernels (fastest-sample latencies): a
  /// key's latency is the geometric mean of its measured rows, `repeats` and
  /// `rejected` their sums, `noise` the largest; a key measured nowhere keeps
  /// its first row. The result's statistic is kRepeatedLatencyStatistic.
  GeometricMean,
};

/// Merges datasets with identical headers (measurements-only datasets, without
/// feature columns, whatever their schema line) by `rule`. Rows keep the order
/// of their keys' first appearance.
mlir::FailureOr<Dataset> mergeDatasets(llvm::ArrayRef<std::string> paths,
                                       std::string *error,
                                       MergeRule rule = MergeRule::FirstRow);

} // namespace tessera::cost

#endif // TESSERA_COSTMODEL_DATASET_H
