//===- Compiler.cpp - Compile an ONNX model end to end --------------------===//

#include "tessera/Driver/Compiler.h"
#include "tessera/Dialect/Tessera/IR/Tessera.h"
#include "tessera/Target/CPU/ModelLibrary.h"
#include "tessera/Transforms/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace ::tessera;

bool ::tessera::parseEmitKind(StringRef text, EmitKind &kind) {
  std::optional<EmitKind> parsed =
      llvm::StringSwitch<std::optional<EmitKind>>(text)
          .Case("onnx-mlir", EmitKind::ONNXMLIR)
          .Case("mlir", EmitKind::MLIR)
          .Case("llvm", EmitKind::LLVMIR)
          .Case("obj", EmitKind::Object)
          .Case("lib", EmitKind::Library)
          .Default(std::nullopt);
  if (!parsed)
    return false;
  kind = *parsed;
  return true;
}

/// Writes text to `path` through a temporary file ("-" is stdout).
static LogicalResult writeText(StringRef path, MLIRContext &context,
                               llvm::function_ref<void(raw_ostream &)> write) {
  std::string error;
  auto output = openOutputFile(path, &error);
  if (!output) {
    emitError(UnknownLoc::get(&context)) << error;
    return failure();
  }
  write(output->os());
  output->keep();
  return success();
}

/// Reports an llvm::Error as an MLIR error; returns failure if there was one.
static LogicalResult report(llvm::Error error, MLIRContext &context,
                            StringRef what) {
  if (!error)
    return success();
  emitError(UnknownLoc::get(&context))
      << what << ": " << llvm::toString(std::move(error));
  return failure();
}

namespace tessera {
LogicalResult compileModel(const CompileOptions &options,
                           MLIRContext &context) {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<mlir::tessera::TesseraDialect>();
  context.appendDialectRegistry(registry);

  OwningOpRef<ModuleOp> module =
      importONNXModel(options.inputPath, context, options.import);
  if (!module)
    return failure();
  if (options.emit == EmitKind::ONNXMLIR)
    return writeText(options.outputPath, context,
                     [&](raw_ostream &os) { module->print(os); });

  llvm::Expected<ModelSignature> signature =
      extractSignature(*module, options.import.functionName);
  if (!signature)
    return report(signature.takeError(), context, "signature");

  PassManager pm(&context);
  mlir::tessera::CPUPipelineOptions pipelineOptions;
  pipelineOptions.optLevel = options.optLevel;
  pipelineOptions.spmSize = options.memory.spmSize;
  pipelineOptions.spmAlignment = options.memory.alignment;
  pipelineOptions.memorySolver = options.memory.solver;
  pipelineOptions.memoryTimeLimit = options.memory.timeLimitSeconds;
  pipelineOptions.spmIncludeWeights = options.memory.includeWeights;
  pipelineOptions.memoryReport = options.memory.reportPath;
  mlir::tessera::buildCPUPipeline(pm, pipelineOptions);
  if (options.configurePassManager)
    options.configurePassManager(pm);
  if (failed(pm.run(*module)))
    return failure();
  if (options.emit == EmitKind::MLIR)
    return writeText(options.outputPath, context,
                     [&](raw_ostream &os) { module->print(os); });

  llvm::LLVMContext llvmContext;
  auto llvmModule =
      translateToHostIR(*module, *signature, options.optLevel, llvmContext);
  if (!llvmModule)
    return report(llvmModule.takeError(), context, "LLVM IR");
  if (options.emit == EmitKind::LLVMIR)
    return writeText(options.outputPath, context, [&](raw_ostream &os) {
      (*llvmModule)->print(os, nullptr);
    });

  if (options.emit == EmitKind::Object)
    return report(
        writeObjectFile(**llvmModule, options.optLevel, options.outputPath),
        context, "object file");

  SmallString<128> objectPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("tessera-model", "o", objectPath))
    return report(llvm::errorCodeToError(ec), context, "temporary object");
  llvm::FileRemover removeObject(objectPath);
  if (failed(report(writeObjectFile(**llvmModule, options.optLevel, objectPath),
                    context, "object file")))
    return failure();
  return report(linkSharedLibrary(objectPath, options.outputPath), context,
                "shared library");
}
} // namespace tessera
