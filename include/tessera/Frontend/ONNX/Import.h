//===- Import.h - ONNX model importer ---------------------------*- C++ -*-===//
//
// Loads an ONNX model and imports it as a module with one function on
// tensors (linalg, tensor, arith and math dialects), static shapes only.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_FRONTEND_ONNX_IMPORT_H
#define TESSERA_FRONTEND_ONNX_IMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
class DialectRegistry;
class MLIRContext;
} // namespace mlir

namespace tessera {

/// How to import a model.
struct ImportOptions {
  /// Static shapes for graph inputs, by input name; they replace the model's
  /// (possibly dynamic) dimensions before shape inference.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Name of the imported function.
  std::string functionName = "main_graph";
};

/// Parses a `--shape` value, `NAME:1x3x224x224`, into `options`. Returns an
/// error message, or an empty string on success.
std::string parseShapeOverride(llvm::StringRef text, ImportOptions &options);

/// Registers the dialects that imported modules use.
void registerImportDialects(mlir::DialectRegistry &registry);

/// Loads the model at `path` and imports it into `context`. On failure every
/// problem is reported through the context's diagnostic engine (with the
/// file, node name and op type in the location) and null is returned.
mlir::OwningOpRef<mlir::ModuleOp> importONNXModel(llvm::StringRef path,
                                                  mlir::MLIRContext &context,
                                                  const ImportOptions &options);

} // namespace tessera

#endif // TESSERA_FRONTEND_ONNX_IMPORT_H
