//===- Compiler.h - Compile an ONNX model end to end ------------*- C++ -*-===//
//
// The compile driver behind tessera-compile: import, the CPU
// pipeline (built by buildCPUPipeline), LLVM IR, object, shared library.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DRIVER_COMPILER_H
#define TESSERA_DRIVER_COMPILER_H

#include "tessera/Frontend/ONNX/Import.h"

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"

#include <functional>
#include <string>

namespace mlir {
class MLIRContext;
class PassManager;
} // namespace mlir

namespace tessera {

/// The last stage of compilation, whose result is written out.
enum class EmitKind {
  ONNXMLIR, ///< the imported module on tensors
  MLIR,     ///< the module in the LLVM dialect, after the CPU pipeline
  LLVMIR,   ///< LLVM IR with the entry points, optimised
  Object,   ///< an object file
  Library,  ///< a shared library (the default)
};

/// Parses an --emit value; returns false for an unknown one.
bool parseEmitKind(llvm::StringRef text, EmitKind &kind);

/// Scratchpad planning (tessera-schedule-memory); off when spmSize is 0.
struct MemoryPlanningOptions {
  uint64_t spmSize = 0;
  uint64_t alignment = 64;
  std::string solver = "ilp";
  double timeLimitSeconds = 10;
  bool includeWeights = true;
  /// Where to write the JSON plan report, if anywhere.
  std::string reportPath;
};

struct CompileOptions {
  std::string inputPath;
  std::string outputPath;
  EmitKind emit = EmitKind::Library;
  unsigned optLevel = 2;
  ImportOptions import;
  MemoryPlanningOptions memory;
  /// Called on the pass manager before it runs, e.g. to enable IR printing.
  std::function<void(mlir::PassManager &)> configurePassManager;
};

/// Compiles `options.inputPath` and writes `options.outputPath`. Errors are
/// reported through the context's diagnostic engine; on failure no output
/// file is left behind.
mlir::LogicalResult compileModel(const CompileOptions &options,
                                 mlir::MLIRContext &context);

} // namespace tessera

#endif // TESSERA_DRIVER_COMPILER_H
