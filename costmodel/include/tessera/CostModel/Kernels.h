//===- Kernels.h - Kernel variants of dataset collection --------*- C++ -*-===//
//
// The kernels `tessera-cost collect` measures: operator families (matmul,
// batch matmul, conv2d, depthwise conv2d, pooling, elementwise chains,
// reductions, and PolyBench-like loop nests written as linalg.generic) over a
// grid of shapes (one kernel group per shape), each under sampled
// #tessera.kernel_config schedules. The enumeration is deterministic, so
// shards (`--shard i/n`) of one enumeration never overlap.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_COSTMODEL_KERNELS_H
#define TESSERA_COSTMODEL_KERNELS_H

#include "tessera/Dialect/Tessera/IR/Tessera.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace tessera::cost {

/// One kernel to measure: a family, its shape parameters and a schedule.
struct KernelVariant {
  std::string family;
  llvm::SmallVector<int64_t> shape;
  /// The schedule in the compact form of formatCompactConfig().
  std::string config;

  /// The kernel group (family and shape), e.g. "matmul_64x48x32".
  std::string group() const;
  /// Unique key of the variant: "<group>|<config>".
  std::string key() const { return group() + "|" + config; }
};

/// Options of the enumeration.
struct VariantOptions {
  uint64_t seed = 1;
  /// Schedules sampled per kernel group (the default schedule included).
  unsigned schedulesPerGroup = 36;
  /// Scales the number of groups per family (1 = the full grid sample).
  double groupScale = 1.0;
  /// Families to enumerate; empty = all.
  llvm::SmallVector<std::string> families;
};

/// Names of all families.
llvm::ArrayRef<llvm::StringRef> getKernelFamilies();

/// The variants of a collection, in a fixed order.
std::vector<KernelVariant> enumerateVariants(const VariantOptions &options);

/// A kernel as MLIR text: one func.func on memrefs holding one linalg
/// operator with its `tessera.kernel_config`, and its argument shapes (f32).
struct KernelSource {
  std::string text;
  llvm::SmallVector<llvm::SmallVector<int64_t>> argShapes;
};

/// Generates the function `name` of `variant`. Fails for an unknown family
/// or a shape of the wrong length.
mlir::FailureOr<KernelSource> generateKernel(const KernelVariant &variant,
                                             llvm::StringRef name,
                                             std::string *error);

/// Compact, comma-free form of a kernel configuration, used in datasets:
/// `t=64x64x32/8x8x0;o=0.2.1;v=8;u=4;p=0` (tile levels separated by '/',
/// `t=` empty when untiled).
std::string formatCompactConfig(mlir::tessera::KernelConfigAttr config);
mlir::FailureOr<mlir::tessera::KernelConfigAttr>
parseCompactConfig(mlir::MLIRContext *ctx, llvm::StringRef text,
                   std::string *error);

} // namespace tessera::cost

#endif // TESSERA_COSTMODEL_KERNELS_H
