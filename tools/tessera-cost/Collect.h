//===- Collect.h - Dataset collection of tessera-cost -----------*- C++ -*-===//
//
// `tessera-cost collect`: enumerates kernel variants, compiles each batch in a
// forked child (Tessera's CPU pipeline, MLIR's ExecutionEngine at -O3 for the
// host), measures every kernel (warm-up, repeated samples, outliers
// rejected, median) and appends feature rows and labels to a dataset. A
// child that crashes or overruns its time limit costs only the kernel it was
// on: that kernel is recorded as failed and collection goes on.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TOOLS_TESSERA_COST_COLLECT_H
#define TESSERA_TOOLS_TESSERA_COST_COLLECT_H

#include "tessera/CostModel/Kernels.h"

#include "llvm/ADT/StringRef.h"

#include <string>

namespace tessera::cost {

struct CollectOptions {
  std::string output;
  unsigned shardIndex = 0, shardCount = 1;
  /// Measure only the kernel groups `eval` holds out by default (a repeat
  /// collection of the held-out shapes, merged with `merge --geomean`).
  bool heldOutOnly = false;
  VariantOptions variants;
  /// Measure at most this many new variants (0 = all).
  size_t limit = 0;
  /// Kernels compiled and measured together in one child (never more than
  /// one kernel group).
  unsigned batchSize = 64;
  /// Samples per kernel, and the least time of one sample.
  unsigned repeats = 9;
  double minSampleUs = 100;
  /// Time limits of a batch's compilation and of one kernel's measurement.
  double compileTimeoutSec = 120;
  double kernelTimeoutSec = 20;
  bool quiet = false;
  /// Also run each kernel without its schedule and record a mismatch of
  /// the results as a failure (tests).
  bool check = false;
  /// When set, a CSV file to which every compiled kernel's code-generation
  /// statistics (what LLVM made of its schedule: vector and scalar loads,
  /// stores and floating-point operations, gathers, scatters, shuffles,
  /// blocks, instructions) are appended: see writeCodegenFacts().
  std::string codegenFactsFile;
  /// When set, a CSV file to which every measured kernel's samples (in
  /// microseconds, in the order taken) are appended: the raw data of
  /// measurement studies (bench/costmodel/repeatability.py).
  std::string samplesFile;
};

/// Whether the `groupIndex`-th kernel group of the enumeration, `group`, is
/// among those a collection with `options` measures (its shard, and the
/// held-out split when `heldOutOnly`).
bool isGroupSelected(const CollectOptions &options, size_t groupIndex,
                     llvm::StringRef group);

/// Runs a collection; returns the process exit code.
int runCollect(const CollectOptions &options);

/// The target line of datasets collected on this machine:
/// "cpu <arch> <cpu name>".
std::string hostTargetLine();

} // namespace tessera::cost

#endif // TESSERA_TOOLS_TESSERA_COST_COLLECT_H
