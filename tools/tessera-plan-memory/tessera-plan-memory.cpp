//===- tessera-plan-memory.cpp - Compare scratchpad solvers on a model ----===//
//
// tessera-plan-memory model.onnx [--solvers=b0,...,ilp,dc]
//     [--budgets=mr,mh,mp,256k,...] [--weights=in|out|both]
//     [--time-limit=S] [--element-bytes=N] [--alignment=A]
//
// Imports the model once, runs the graph pipeline, extracts the operator
// graph (the same one tessera-schedule-memory plans) and plans it with every
// requested solver at every requested scratchpad budget. Prints one JSON
// object per line: the budget, the solver, NC and compulsory bytes, solve
// time, gap and bounds. Every plan is verified before it is reported.
//
//===----------------------------------------------------------------------===//

#include "tessera/Frontend/ONNX/Import.h"
#include "tessera/Memory/GraphExtraction.h"
#include "tessera/Memory/Heuristics.h"
#include "tessera/Memory/Planner.h"
#include "tessera/Transforms/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

#include <optional>

namespace cl = llvm::cl;
namespace memory = tessera::memory;

static cl::OptionCategory category("tessera-plan-memory options");
static cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string>
    solvers("solvers",
            cl::desc("Comma-separated solvers (default: all of b0, b1, "
                     "b2, b3, b4, fixed-order, ilp, dc)"),
            cl::init("b0,b1,b2,b3,b4,fixed-order,ilp,dc"), cl::cat(category));
static cl::opt<std::string> budgets(
    "budgets",
    cl::desc("Comma-separated scratchpad sizes: mr (largest working set), "
             "mp (no-spill peak), mh ((mr+mp)/2), or bytes with an optional "
             "k/m suffix (default: mr,mh,mp,256k,512k,1m,2m)"),
    cl::init("mr,mh,mp,256k,512k,1m,2m"), cl::cat(category));
static cl::opt<std::string>
    weights("weights",
            cl::desc("Weights in the scratchpad problem: in, out or both "
                     "(default both)"),
            cl::init("both"), cl::cat(category));
static cl::opt<double> timeLimit("time-limit",
                                 cl::desc("ILP time limit per solve, seconds"),
                                 cl::init(10), cl::cat(category));
static cl::opt<unsigned>
    elementBytes("element-bytes",
                 cl::desc("Bytes per element (0: from the type; 1: the "
                          "paper's int8 accounting)"),
                 cl::init(0), cl::cat(category));
static cl::opt<uint64_t> alignment("alignment",
                                   cl::desc("Buffer alignment in bytes"),
                                   cl::init(64), cl::cat(category));
static cl::opt<unsigned> partSize("part-size",
                                  cl::desc("Operators per divide-and-conquer "
                                           "part"),
                                  cl::init(24), cl::cat(category));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "tessera-plan-memory")
      << message << "\n";
  return 1;
}

/// A budget name resolved against the graph: mr, mp, mh or a size.
static std::optional<uint64_t> resolveBudget(llvm::StringRef name,
                                             uint64_t minimum, uint64_t peak) {
  if (name == "mr")
    return minimum;
  if (name == "mp")
    return peak;
  if (name == "mh")
    return (minimum + peak) / 2 / alignment * alignment;
  uint64_t scale = 1;
  if (name.consume_back("k") || name.consume_back("K"))
    scale = 1024;
  else if (name.consume_back("m") || name.consume_back("M"))
    scale = 1024 * 1024;
  uint64_t value;
  if (name.getAsInteger(10, value))
    return std::nullopt;
  return value * scale;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "Compare Tessera's scratchpad solvers\n");
  if (alignment == 0 || !llvm::isPowerOf2_64(alignment))
    return fail("--alignment must be a power of two");
  llvm::SmallVector<bool> weightSettings;
  if (weights == "in" || weights == "both")
    weightSettings.push_back(true);
  if (weights == "out" || weights == "both")
    weightSettings.push_back(false);
  if (weightSettings.empty())
    return fail("unknown --weights=" + weights + " (expected in, out, both)");
  llvm::SmallVector<memory::PlannerKind> kinds;
  llvm::SmallVector<llvm::StringRef> solverNames;
  llvm::SplitString(solvers, solverNames, ",");
  for (llvm::StringRef name : solverNames) {
    std::optional<memory::PlannerKind> kind = memory::parsePlannerKind(name);
    if (!kind)
      return fail("unknown solver '" + name + "'");
    kinds.push_back(*kind);
  }
  llvm::SmallVector<llvm::StringRef> budgetNames;
  llvm::SplitString(budgets, budgetNames, ",");
  for (llvm::StringRef name : budgetNames)
    if (!resolveBudget(name, 0, 0))
      return fail("unknown budget '" + name + "'");

  mlir::MLIRContext context;
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  context.appendDialectRegistry(registry);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      tessera::importONNXModel(inputPath, context, tessera::ImportOptions());
  if (!module)
    return 1;
  mlir::PassManager pm(&context);
  mlir::tessera::buildGraphPipeline(pm, mlir::tessera::CPUPipelineOptions());
  if (mlir::failed(pm.run(*module)))
    return 1;
  auto func = module->lookupSymbol<mlir::func::FuncOp>("main_graph");
  if (!func)
    return fail("the imported module has no @main_graph");
  mlir::tessera::splitSharedInitialisers(func);

  for (bool includeWeights : weightSettings) {
    mlir::tessera::GraphExtractionOptions extraction;
    extraction.includeWeights = includeWeights;
    extraction.elementBytes = elementBytes;
    mlir::FailureOr<mlir::tessera::ExtractedGraph> extracted =
        mlir::tessera::extractGraph(func, extraction);
    if (mlir::failed(extracted))
      return 1;
    const memory::Graph &graph = extracted->graph;
    memory::ScratchpadConfig spm;
    spm.alignment = alignment;
    uint64_t minimum = memory::getMinimumCapacity(graph, spm);
    uint64_t peak = memory::getNoSpillPeak(graph, spm);

    for (llvm::StringRef budgetName : budgetNames) {
      uint64_t capacity = *resolveBudget(budgetName, minimum, peak);
      spm.capacity = capacity;
      for (memory::PlannerKind kind : kinds) {
        memory::PlannerOptions options;
        options.kind = kind;
        options.spm = spm;
        options.timeLimitSeconds = timeLimit;
        options.partSize = partSize;
        llvm::json::Object row{
            {"model", llvm::sys::path::filename(inputPath)},
            {"weights", includeWeights ? "in" : "out"},
            {"budget", budgetName},
            {"spm_bytes", capacity},
            {"mr_bytes", minimum},
            {"mp_bytes", peak},
            {"operators", static_cast<int64_t>(graph.numOperators())},
            {"tensors", static_cast<int64_t>(graph.numTensors())},
            {"solver", memory::getPlannerName(kind)}};
        llvm::Expected<memory::PlanResult> result =
            memory::planMemory(graph, options);
        if (!result) {
          row["error"] = llvm::toString(result.takeError());
        } else {
          row["plan_source"] = result->plannerName;
          row["nc_bytes"] = result->traffic.ncBytes();
          row["compulsory_bytes"] = result->traffic.compulsoryBytes();
          row["peak_spm_bytes"] = result->peakBytes;
          row["solve_seconds"] = result->solveSeconds;
          row["proven_optimal"] = result->provenOptimal;
          if (result->gap)
            row["gap"] = *result->gap;
          if (result->solverBound)
            row["solver_bound_nc_bytes"] = *result->solverBound;
          if (result->relaxationBound)
            row["relaxation_bound_nc_bytes"] = *result->relaxationBound;
          row["verified"] = true;
          if (!result->warnings.empty()) {
            llvm::json::Array warnings;
            for (const std::string &warning : result->warnings)
              warnings.push_back(warning);
            row["warnings"] = std::move(warnings);
          }
        }
        llvm::outs() << llvm::formatv("{0}\n",
                                      llvm::json::Value(std::move(row)));
        llvm::outs().flush();
      }
    }
  }
  return 0;
}
