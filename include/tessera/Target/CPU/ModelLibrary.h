//===- ModelLibrary.h - Emit a compiled model for the host CPU --*- C++ -*-===//
//
// Turns the LLVM dialect module of a model into LLVM IR with the entry
// points of tessera-c/Runtime.h, then into an object file and a shared
// library.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TARGET_CPU_MODELLIBRARY_H
#define TESSERA_TARGET_CPU_MODELLIBRARY_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace tessera {

/// One input or output of a model, as tessera_tensor_info describes it.
struct TensorSignature {
  std::string name;
  int32_t dtype = 0;
  llvm::SmallVector<int64_t> shape;
};

/// The signature of a model's entry function.
struct ModelSignature {
  std::string modelName;
  std::string functionName;
  llvm::SmallVector<TensorSignature> inputs, outputs;
};

/// Reads the signature of `functionName` in an imported (tensor-level)
/// module: names and ONNX dtypes from the `tessera.name` / `tessera.dtype`
/// argument and result attributes, shapes from the types.
llvm::Expected<ModelSignature> extractSignature(mlir::ModuleOp module,
                                                llvm::StringRef functionName);

/// Translates an LLVM dialect module to LLVM IR for the host CPU, adds
/// `tessera_model_signature` and `tessera_model_run` for `signature`, and
/// optimises it at `optLevel` (0 to 3).
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToHostIR(mlir::ModuleOp module, const ModelSignature &signature,
                  unsigned optLevel, llvm::LLVMContext &llvmContext);

/// Writes `module` as an object file for the host to `path`.
llvm::Error writeObjectFile(llvm::Module &module, unsigned optLevel,
                            llvm::StringRef path);

/// Links `objectPath` into the shared library `libraryPath`.
llvm::Error linkSharedLibrary(llvm::StringRef objectPath,
                              llvm::StringRef libraryPath);

} // namespace tessera

#endif // TESSERA_TARGET_CPU_MODELLIBRARY_H
