//===- tessera-compile.cpp - Compile an ONNX model ------------------------===//
//
// tessera-compile model.onnx -o model.so [--emit=...] [-O0..-O3]
//     [--target=cpu] [--shape NAME:DIMS]... [--mlir-print-ir-after-all]
//
//===----------------------------------------------------------------------===//

#include "tessera/Driver/Compiler.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

namespace cl = llvm::cl;

static cl::OptionCategory category("tessera-compile options");

static cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                       cl::value_desc("path"), cl::Required,
                                       cl::cat(category));
static cl::opt<std::string>
    emit("emit",
         cl::desc("What to write: onnx-mlir (imported tensor IR), mlir "
                  "(LLVM dialect), llvm (LLVM IR), obj, lib (default)"),
         cl::init("lib"), cl::cat(category));
static cl::opt<unsigned>
    optLevel("O", cl::desc("Optimisation level, -O0 to -O3 (default -O2)"),
             cl::Prefix, cl::init(2), cl::cat(category));
static cl::opt<std::string> target("target", cl::desc("Target device (cpu)"),
                                   cl::init("cpu"), cl::cat(category));
static cl::list<std::string>
    shapes("shape",
           cl::desc("Static shape of an input, NAME:DIMS (e.g. "
                    "input:1x3x224x224); repeatable"),
           cl::cat(category));
static cl::opt<bool> printAfterAll("mlir-print-ir-after-all",
                                   cl::desc("Print the IR after every pass"),
                                   cl::cat(category));
static cl::opt<bool>
    printAfterFailure("mlir-print-ir-after-failure",
                      cl::desc("Print the IR after a pass fails"),
                      cl::cat(category));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "tessera-compile") << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "Tessera ONNX model compiler\n");

  tessera::CompileOptions options;
  options.inputPath = inputPath;
  options.outputPath = outputPath;
  if (!tessera::parseEmitKind(emit, options.emit))
    return fail("unknown --emit=" + emit +
                " (expected onnx-mlir, mlir, llvm, obj or lib)");
  if (optLevel > 3)
    return fail("unknown optimisation level -O" + llvm::Twine(optLevel));
  options.optLevel = optLevel;
  if (target != "cpu")
    return fail("unsupported --target=" + target +
                " (this build supports cpu)");
  for (const std::string &shape : shapes) {
    std::string error = tessera::parseShapeOverride(shape, options.import);
    if (!error.empty())
      return fail(error);
  }
  if (printAfterAll || printAfterFailure)
    options.configurePassManager = [](mlir::PassManager &pm) {
      pm.getContext()->disableMultithreading();
      pm.enableIRPrinting(
          /*shouldPrintBeforePass=*/nullptr,
          /*shouldPrintAfterPass=*/
          [](mlir::Pass *, mlir::Operation *) {
            return printAfterAll.getValue();
          },
          /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false,
          /*printAfterOnlyOnFailure=*/printAfterFailure);
    };

  mlir::MLIRContext context;
  // One line per error: "tessera-compile: error: <location>: <message>".
  mlir::ScopedDiagnosticHandler handler(&context, [](mlir::Diagnostic &diag) {
    if (diag.getSeverity() != mlir::DiagnosticSeverity::Error)
      return mlir::success();
    llvm::raw_ostream &os =
        llvm::WithColor::error(llvm::errs(), "tessera-compile");
    // Importer locations: the file, wrapped in the node's "name (OpType)".
    mlir::Location loc = diag.getLocation();
    auto name = llvm::dyn_cast<mlir::NameLoc>(loc);
    if (auto file = llvm::dyn_cast<mlir::FileLineColLoc>(
            name ? name.getChildLoc() : loc))
      os << file.getFilename().getValue() << ": ";
    if (name)
      os << "node " << name.getName().getValue() << ": ";
    os << diag.str() << "\n";
    return mlir::success();
  });
  return mlir::failed(tessera::compileModel(options, context)) ? 1 : 0;
}
