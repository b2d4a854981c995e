//===- tessera-compile.cpp - Compile an ONNX model ------------------------===//
//
// tessera-compile model.onnx -o model.so [--emit=...] [-O0..-O3]
//     [--target=cpu] [--shape NAME:DIMS]... [--mlir-print-ir-after-all]
//     [--spm-size=BYTES [--memory-solver=...] [--report-memory=FILE]]
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
static cl::opt<uint64_t>
    spmSize("spm-size",
            cl::desc("Plan operator order, scratchpad offsets and DMA "
                     "transfers for a scratchpad of this many bytes"),
            cl::value_desc("bytes"), cl::init(0), cl::cat(category));
static cl::opt<uint64_t>
    spmAlignment("spm-alignment",
                 cl::desc("Byte alignment of scratchpad buffers (default 64)"),
                 cl::init(64), cl::cat(category));
static cl::opt<std::string> memorySolver(
    "memory-solver",
    cl::desc("Scratchpad solver: ilp (default), fixed-order, dc, b0..b4"),
    cl::init("ilp"), cl::cat(category));
static cl::opt<double>
    memoryTimeLimit("memory-time-limit",
                    cl::desc("Time limit of each ILP solve, seconds "
                             "(default 10)"),
                    cl::init(10), cl::cat(category));
static cl::opt<bool> spmExcludeWeights(
    "spm-exclude-weights",
    cl::desc("Leave weights out of the scratchpad (operators stream them)"),
    cl::cat(category));
static cl::opt<std::string>
    reportMemory("report-memory",
                 cl::desc("Write the memory plan report (JSON) to this file"),
                 cl::value_desc("file.json"), cl::cat(category));
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
  if (!reportMemory.empty() && spmSize == 0)
    return fail("--report-memory needs --spm-size");
  options.memory.spmSize = spmSize;
  options.memory.alignment = spmAlignment;
  options.memory.solver = memorySolver;
  options.memory.timeLimitSeconds = memoryTimeLimit;
  options.memory.includeWeights = !spmExcludeWeights;
  options.memory.reportPath = reportMemory;
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
  // One line per error or warning: "tessera-compile: error: <location>:
  // <message>".
  mlir::ScopedDiagnosticHandler handler(&context, [](mlir::Diagnostic &diag) {
    if (diag.getSeverity() != mlir::DiagnosticSeverity::Error &&
        diag.getSeverity() != mlir::DiagnosticSeverity::Warning)
      return mlir::success();
    llvm::raw_ostream &os =
        diag.getSeverity() == mlir::DiagnosticSeverity::Error
            ? llvm::WithColor::error(llvm::errs(), "tessera-compile")
            : llvm::WithColor::warning(llvm::errs(), "tessera-compile");
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
