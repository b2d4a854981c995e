//===- Collect.cpp - Dataset collection of tessera-cost -------------------===//

#include "Collect.h"

#include "tessera/CostModel/Dataset.h"
#include "tessera/CostModel/Features.h"
#include "tessera/CostModel/Metrics.h"
#include "tessera/CostModel/Schedule.h"
#include "tessera/CostModel/Training.h"
#include "tessera/InitAll.h"
#include "tessera/Target/CPU/TargetMachine.h"
#include "tessera/Transforms/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

using namespace mlir;

namespace tessera::cost {

std::string hostTargetLine() {
  llvm::Triple triple(llvm::sys::getProcessTriple());
  return llvm::formatv("cpu {0} {1}", triple.getArchName(),
                       llvm::sys::getHostCPUName())
      .str();
}

namespace {
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

//===----------------------------------------------------------------------===//
// Child: compile and measure one batch
//===----------------------------------------------------------------------===//

/// A buffer of the kernel's arguments and its memref descriptor.
struct Argument {
  float *data = nullptr;
  int64_t elements = 0;
  std::vector<int64_t> descriptor; // allocated, aligned, offset, sizes, strides
};

struct MeasureResult {
  double latencyUs = 0, noise = 0;
  unsigned repeats = 0, rejected = 0;
};

using KernelFn = void (*)(void *, void *, void *, void *, void *, void *,
                          void *, void *);

/// Summarises a kernel's samples. The label is the fastest sample: other
/// processes only ever slow a kernel down, and on a shared machine the
/// minimum repeats a little better between runs than the median (per-group
/// Kendall tau 0.875-0.925 against 0.866-0.895 on the same samples,
/// docs/cost-model.md). Samples further from the
/// median than 3 robust standard deviations and 5% count as rejected
/// (interference); `noise` is the median absolute deviation of the rest
/// over their median.
MeasureResult summarize(const std::vector<double> &samples) {
  double m = median(samples);
  std::vector<double> deviations;
  for (double s : samples)
    deviations.push_back(std::fabs(s - m));
  double tolerance = std::max(3 * 1.4826 * median(deviations), 0.05 * m);
  std::vector<double> kept;
  for (double s : samples)
    if (std::fabs(s - m) <= tolerance)
      kept.push_back(s);
  MeasureResult result;
  result.latencyUs =
      samples.empty() ? 0 : *std::min_element(samples.begin(), samples.end());
  double keptMedian = median(kept);
  std::vector<double> keptDeviations;
  for (double s : kept)
    keptDeviations.push_back(std::fabs(s - keptMedian));
  result.noise = keptMedian > 0 ? median(keptDeviations) / keptMedian : 0;
  result.repeats = samples.size();
  result.rejected = samples.size() - kept.size();
  return result;
}

/// Columns of a code-generation facts file (`collect --codegen-facts`).
constexpr const char *kCodegenFactColumns =
    "key,max_vector_bits,vector_loads,scalar_loads,vector_stores,"
    "scalar_stores,shuffles,gathers,scatters,vector_fp_ops,scalar_fp_ops,"
    "phis,blocks,instructions";

/// Appends one line per kernel function `k<i>` of `module` (after LLVM's
/// optimisation) to `path`: static counts of its instructions by kind.
void writeCodegenFacts(llvm::Module &module, ArrayRef<KernelVariant> batch,
                       StringRef path) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Append);
  if (ec)
    return;
  for (llvm::Function &fn : module) {
    unsigned index;
    if (fn.isDeclaration() || !fn.getName().starts_with("k") ||
        fn.getName().drop_front().getAsInteger(10, index) ||
        index >= batch.size())
      continue;
    unsigned maxVectorBits = 0;
    uint64_t vectorLoads = 0, scalarLoads = 0, vectorStores = 0,
             scalarStores = 0, shuffles = 0, gathers = 0, scatters = 0,
             vectorFP = 0, scalarFP = 0, phis = 0, blocks = 0, instructions = 0;
    for (llvm::BasicBlock &block : fn) {
      ++blocks;
      for (llvm::Instruction &inst : block) {
        ++instructions;
        llvm::Type *type = inst.getType();
        if (auto *store = dyn_cast<llvm::StoreInst>(&inst))
          type = store->getValueOperand()->getType();
        bool isVector = type->isVectorTy();
        if (isVector)
          maxVectorBits = std::max<unsigned>(
              maxVectorBits, type->getPrimitiveSizeInBits().getKnownMinValue());
        auto *intrinsic = dyn_cast<llvm::IntrinsicInst>(&inst);
        if (isa<llvm::LoadInst>(inst))
          ++(isVector ? vectorLoads : scalarLoads);
        else if (isa<llvm::StoreInst>(inst))
          ++(isVector ? vectorStores : scalarStores);
        else if (isa<llvm::ShuffleVectorInst>(inst))
          ++shuffles;
        else if (intrinsic &&
                 intrinsic->getIntrinsicID() == llvm::Intrinsic::masked_gather)
          ++gathers;
        else if (intrinsic &&
                 intrinsic->getIntrinsicID() == llvm::Intrinsic::masked_scatter)
          ++scatters;
        else if (isa<llvm::PHINode>(inst))
          ++phis;
        else if (type->isFPOrFPVectorTy() &&
                 (inst.isBinaryOp() || inst.isUnaryOp() || intrinsic))
          ++(isVector ? vectorFP : scalarFP);
      }
    }
    os << batch[index].key() << ',' << maxVectorBits << ',' << vectorLoads
       << ',' << scalarLoads << ',' << vectorStores << ',' << scalarStores
       << ',' << shuffles << ',' << gathers << ',' << scatters << ','
       << vectorFP << ',' << scalarFP << ',' << phis << ',' << blocks << ','
       << instructions << '\n';
  }
}

/// Allocates and fills (pseudo-random values in [-0.5, 0.5)) the buffers of
/// a kernel's arguments with their memref descriptors.
std::vector<Argument> allocateArguments(ArrayRef<SmallVector<int64_t>> shapes,
                                        uint64_t seed) {
  std::vector<Argument> args(shapes.size());
  for (auto [arg, shape] : llvm::zip(args, shapes)) {
    int64_t elements = 1;
    for (int64_t d : shape)
      elements *= d;
    size_t bytes = ((elements * sizeof(float) + 63) / 64) * 64;
    arg.data = static_cast<float *>(std::aligned_alloc(64, bytes));
    for (int64_t e = 0; e < elements; ++e) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      arg.data[e] = static_cast<float>((seed >> 40) & 0xffff) / 65536.0f - 0.5f;
    }
    int64_t rank = shape.size();
    arg.descriptor.assign(3 + 2 * rank, 0);
    std::memcpy(&arg.descriptor[0], &arg.data, sizeof(float *));
    std::memcpy(&arg.descriptor[1], &arg.data, sizeof(float *));
    int64_t stride = 1;
    for (int64_t r = rank - 1; r >= 0; --r) {
      arg.descriptor[3 + r] = shape[r];
      arg.descriptor[3 + rank + r] = stride;
      stride *= shape[r];
    }
    arg.elements = elements;
  }
  return args;
}

void freeArguments(std::vector<Argument> &args) {
  for (Argument &arg : args)
    std::free(arg.data);
  args.clear();
}

SmallVector<void *> descriptors(std::vector<Argument> &args) {
  SmallVector<void *> pointers;
  for (Argument &arg : args)
    pointers.push_back(arg.descriptor.data());
  return pointers;
}

void callOnce(KernelFn fn, ArrayRef<void *> args) {
  void *a[8] = {nullptr};
  for (size_t i = 0; i < args.size() && i < 8; ++i)
    a[i] = args[i];
  fn(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
}

/// Whether two runs' buffers agree (relative tolerance: schedules reorder
/// floating-point reductions).
bool sameResults(const std::vector<Argument> &a,
                 const std::vector<Argument> &b) {
  for (auto [x, y] : llvm::zip(a, b)) {
    for (int64_t e = 0; e < x.elements; ++e) {
      float u = x.data[e], v = y.data[e];
      if (std::isnan(u) != std::isnan(v))
        return false;
      if (std::fabs(u - v) > 1e-3f * std::max(1.0f, std::fabs(v)))
        return false;
    }
  }
  return true;
}

/// Writes one protocol line to the parent.
void report(FILE *out, const std::string &line) {
  std::fputs(line.c_str(), out);
  std::fputc('\n', out);
  std::fflush(out);
}

std::string featureText(ArrayRef<float> features) {
  std::string text;
  llvm::raw_string_ostream os(text);
  for (float f : features)
    os << ' ' << llvm::format("%.7g", static_cast<double>(f));
  return text;
}

/// Compiles and measures `batch`, reporting on `out`:
///   fail <i> <status>         kernel i cannot be built
///   compiled                  the batch is compiled
///   start <i>                 kernel i is being measured
///   row <i> <latency> <noise> <repeats> <rejected> <features...>
///   batchfail <message>       the batch as a whole failed to compile
int runChild(ArrayRef<KernelVariant> batch, const CollectOptions &options,
             FILE *out) {
#if defined(__x86_64__)
  // Flush denormals to zero: their slow paths are not what the model is for.
  _mm_setcsr(_mm_getcsr() | 0x8040);
#endif
  DialectRegistry registry;
  ::tessera::registerAllDialects(registry);
  MLIRContext ctx(registry);
  ctx.disableMultithreading();
  registerBuiltinDialectTranslation(ctx);
  registerLLVMDialectTranslation(ctx);
  // Diagnostics of the kernels go to the parent as failure reasons.
  std::string lastDiagnostic;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
    lastDiagnostic = diag.str();
    return success();
  });

  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&ctx));
  std::vector<std::vector<float>> features(batch.size());
  std::vector<SmallVector<SmallVector<int64_t>>> argShapes(batch.size());
  std::vector<bool> built(batch.size(), false);
  IRRewriter rewriter(&ctx);
  for (auto [i, variant] : llvm::enumerate(batch)) {
    std::string error;
    std::string name = "k" + std::to_string(i);
    FailureOr<KernelSource> source = generateKernel(variant, name, &error);
    if (failed(source)) {
      report(out, llvm::formatv("fail {0} failed:generate", i));
      continue;
    }
    OwningOpRef<ModuleOp> kernel =
        parseSourceString<ModuleOp>(source->text, &ctx);
    if (!kernel) {
      report(out, llvm::formatv("fail {0} failed:parse", i));
      continue;
    }
    linalg::LinalgOp op;
    kernel->walk([&](linalg::LinalgOp found) { op = found; });
    FailureOr<KernelDescription> description =
        op ? describeOperator(op, &error) : FailureOr<KernelDescription>();
    if (failed(description)) {
      report(out, llvm::formatv("fail {0} failed:features", i));
      continue;
    }
    SmallVector<float> vector = computeFeatures(*description);
    features[i].assign(vector.begin(), vector.end());
    auto config = op->getAttrOfType<mlir::tessera::KernelConfigAttr>(
        kKernelConfigAttrName);
    if (failed(applyKernelConfig(rewriter, op, config))) {
      report(out, llvm::formatv("fail {0} failed:schedule", i));
      continue;
    }
    argShapes[i] = source->argShapes;
    for (Operation &fn : llvm::make_early_inc_range(*kernel->getBody()))
      fn.moveBefore(module->getBody(), module->getBody()->end());
    if (options.check) {
      // The same kernel without its schedule applied, as the reference.
      FailureOr<KernelSource> reference =
          generateKernel(variant, "r" + std::to_string(i), &error);
      OwningOpRef<ModuleOp> referenceModule =
          succeeded(reference)
              ? parseSourceString<ModuleOp>(reference->text, &ctx)
              : nullptr;
      if (!referenceModule) {
        report(out, llvm::formatv("fail {0} failed:parse", i));
        continue;
      }
      for (Operation &fn :
           llvm::make_early_inc_range(*referenceModule->getBody()))
        fn.moveBefore(module->getBody(), module->getBody()->end());
    }
    built[i] = true;
  }

  PassManager pm(&ctx);
  mlir::tessera::CPUPipelineOptions pipelineOptions;
  pipelineOptions.optLevel = 3;
  mlir::tessera::buildCPUPipeline(pm, pipelineOptions);
  if (failed(pm.run(*module))) {
    report(out, "batchfail lowering: " + lastDiagnostic);
    return 1;
  }
  // The harness passes distinct buffers: tell LLVM (upstream's FuncToLLVM
  // drops `llvm.noalias` of memref arguments).
  module->walk([&](LLVM::LLVMFuncOp fn) {
    if (fn.isExternal())
      return;
    for (unsigned a = 0; a < fn.getNumArguments(); ++a)
      if (isa<LLVM::LLVMPointerType>(fn.getArgument(a).getType()))
        fn.setArgAttr(a, LLVM::LLVMDialect::getNoAliasAttrName(),
                      UnitAttr::get(&ctx));
  });

  auto targetMachine = ::tessera::createHostTargetMachine(3);
  if (!targetMachine) {
    report(out, "batchfail " + llvm::toString(targetMachine.takeError()));
    return 1;
  }
  ExecutionEngineOptions engineOptions;
  auto transformer =
      makeOptimizingTransformer(3, /*sizeLevel=*/0, targetMachine->get());
  // With --codegen-facts, what LLVM made of each kernel, after optimisation.
  auto optimizeAndRecord = [&](llvm::Module *m) -> llvm::Error {
    if (llvm::Error e = transformer(m))
      return e;
    writeCodegenFacts(*m, batch, options.codegenFactsFile);
    return llvm::Error::success();
  };
  if (options.codegenFactsFile.empty())
    engineOptions.transformer = transformer;
  else
    engineOptions.transformer = optimizeAndRecord;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  engineOptions.enableGDBNotificationListener = false;
  engineOptions.enablePerfNotificationListener = false;
  auto engine = ExecutionEngine::create(*module, engineOptions);
  if (!engine) {
    report(out, "batchfail jit: " + llvm::toString(engine.takeError()));
    return 1;
  }
  report(out, "compiled");

  // Phase 1, per kernel: (check,) allocate, warm up (at least two calls and
  // one millisecond), choose the calls per sample.
  struct Live {
    size_t index;
    KernelFn fn;
    std::vector<Argument> args;
    SmallVector<void *> pointers;
    unsigned inner = 1;
    unsigned wanted = 0;
    std::vector<double> samples;
  };
  std::vector<Live> live;
  live.reserve(batch.size());
  uint64_t seed = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!built[i])
      continue;
    auto symbol = (*engine)->lookup("_mlir_ciface_k" + std::to_string(i));
    if (!symbol) {
      llvm::consumeError(symbol.takeError());
      report(out, llvm::formatv("fail {0} failed:jit", i));
      continue;
    }
    if (argShapes[i].size() > 8) {
      report(out, llvm::formatv("fail {0} failed:arguments", i));
      continue;
    }
    KernelFn fn = reinterpret_cast<KernelFn>(*symbol);
    seed = seed * 6364136223846793005ull + 1;
    report(out, llvm::formatv("start {0}", i));
    if (options.check) {
      // The scheduled kernel must compute what the unscheduled one does.
      auto reference = (*engine)->lookup("_mlir_ciface_r" + std::to_string(i));
      if (!reference) {
        llvm::consumeError(reference.takeError());
        report(out, llvm::formatv("fail {0} failed:jit", i));
        continue;
      }
      std::vector<Argument> a = allocateArguments(argShapes[i], seed);
      std::vector<Argument> b = allocateArguments(argShapes[i], seed);
      callOnce(fn, descriptors(a));
      callOnce(reinterpret_cast<KernelFn>(*reference), descriptors(b));
      bool same = sameResults(a, b);
      freeArguments(a);
      freeArguments(b);
      if (!same) {
        report(out, llvm::formatv("fail {0} failed:mismatch", i));
        continue;
      }
    }
    Live kernel{i, fn, allocateArguments(argShapes[i], seed), {}, 1, 0, {}};
    kernel.pointers = descriptors(kernel.args);
    Clock::time_point start = Clock::now();
    unsigned calls = 0;
    do {
      callOnce(fn, kernel.pointers);
      ++calls;
    } while ((calls < 2 || secondsSince(start) < 1e-3) && calls < 200);
    double perCallUs = secondsSince(start) * 1e6 / calls;
    kernel.inner = static_cast<unsigned>(
        std::clamp(std::ceil(options.minSampleUs / std::max(perCallUs, 1e-3)),
                   1.0, 1000.0));
    // Long kernels get fewer samples (at least 3) to bound the time.
    kernel.wanted = perCallUs > 20000
                        ? std::max(3u, std::min(options.repeats, 5u))
                        : options.repeats;
    live.push_back(std::move(kernel));
  }
  // Descriptors point into each kernel's arguments: take them once the
  // kernels stopped moving.
  for (Live &kernel : live)
    kernel.pointers = descriptors(kernel.args);

  // Phase 2: rounds of one sample per kernel, in a rotating order, so that
  // a change of the machine's load hits every kernel of the batch (one
  // kernel group) alike. Each sample follows one untimed call (caches warm
  // again after the other kernels ran).
  for (unsigned round = 0; !live.empty() && round < options.repeats; ++round) {
    for (size_t k = 0; k < live.size(); ++k) {
      Live &kernel = live[(k + round) % live.size()];
      if (kernel.samples.size() >= kernel.wanted)
        continue;
      report(out, llvm::formatv("start {0}", kernel.index));
      callOnce(kernel.fn, kernel.pointers);
      Clock::time_point t0 = Clock::now();
      for (unsigned c = 0; c < kernel.inner; ++c)
        callOnce(kernel.fn, kernel.pointers);
      kernel.samples.push_back(secondsSince(t0) * 1e6 / kernel.inner);
    }
  }
  if (!options.samplesFile.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream samples(options.samplesFile, ec,
                                 llvm::sys::fs::OF_Append);
    for (Live &kernel : live) {
      samples << batch[kernel.index].key() << ',';
      llvm::interleave(
          kernel.samples, samples,
          [&](double us) { samples << llvm::format("%.7g", us); }, " ");
      samples << '\n';
    }
  }
  for (Live &kernel : live) {
    MeasureResult result = summarize(kernel.samples);
    freeArguments(kernel.args);
    std::string line;
    llvm::raw_string_ostream os(line);
    os << "row " << kernel.index << ' '
       << llvm::format("%.7g", result.latencyUs) << ' '
       << llvm::format("%.4g", result.noise) << ' ' << result.repeats << ' '
       << result.rejected << featureText(features[kernel.index]);
    report(out, line);
  }
  return 0;
}

//===----------------------------------------------------------------------===//
// Parent: run children, survive crashes and time-outs
//===----------------------------------------------------------------------===//

struct ChildOutcome {
  std::vector<std::optional<DatasetRow>> rows; // per kernel of the batch
  bool compiled = false;
  /// The kernel being measured when the child stopped, if any.
  std::optional<size_t> current;
  bool timedOut = false, crashed = false, batchFailed = false;
  std::string message;
};

DatasetRow failedRow(const KernelVariant &variant, StringRef status) {
  DatasetRow row;
  row.key = variant.key();
  row.group = variant.group();
  row.family = variant.family;
  row.config = variant.config;
  row.status = status.str();
  return row;
}

ChildOutcome runOneChild(ArrayRef<KernelVariant> batch,
                         const CollectOptions &options) {
  ChildOutcome outcome;
  outcome.rows.resize(batch.size());
  int fds[2];
  if (pipe(fds) != 0) {
    outcome.batchFailed = true;
    outcome.message = "pipe failed";
    return outcome;
  }
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    outcome.batchFailed = true;
    outcome.message = "fork failed";
    return outcome;
  }
  if (pid == 0) {
    close(fds[0]);
    FILE *out = fdopen(fds[1], "w");
    int code = runChild(batch, options, out);
    std::fclose(out);
    _exit(code);
  }
  close(fds[1]);

  std::string pending;
  Clock::time_point phaseStart = Clock::now();
  bool eof = false;
  while (!eof) {
    double limit =
        outcome.compiled ? options.kernelTimeoutSec : options.compileTimeoutSec;
    double remaining = limit - secondsSince(phaseStart);
    if (remaining <= 0) {
      outcome.timedOut = true;
      kill(pid, SIGKILL);
      break;
    }
    struct pollfd pfd = {fds[0], POLLIN, 0};
    int ready = poll(&pfd, 1, static_cast<int>(std::ceil(remaining * 1000)));
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready <= 0)
      continue;
    char chunk[65536];
    ssize_t n = read(fds[0], chunk, sizeof(chunk));
    if (n <= 0) {
      eof = true;
      break;
    }
    pending.append(chunk, n);
    size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      SmallVector<StringRef> words;
      StringRef(line).split(words, ' ', -1, false);
      if (words.empty())
        continue;
      size_t index = 0;
      if (words.size() > 1)
        words[1].getAsInteger(10, index);
      if (words[0] == "compiled") {
        outcome.compiled = true;
        phaseStart = Clock::now();
      } else if (words[0] == "start") {
        outcome.current = index;
        phaseStart = Clock::now();
      } else if (words[0] == "fail" && index < batch.size() &&
                 words.size() >= 3) {
        outcome.rows[index] = failedRow(batch[index], words[2]);
        outcome.current.reset();
      } else if (words[0] == "row" && index < batch.size() &&
                 words.size() >= 6) {
        DatasetRow row = failedRow(batch[index], "ok");
        double value;
        words[2].getAsDouble(row.latencyUs);
        words[3].getAsDouble(row.noise);
        words[4].getAsInteger(10, row.repeats);
        words[5].getAsInteger(10, row.rejected);
        for (size_t w = 6; w < words.size(); ++w) {
          words[w].getAsDouble(value);
          row.features.push_back(static_cast<float>(value));
        }
        outcome.rows[index] = std::move(row);
        outcome.current.reset();
      } else if (words[0] == "batchfail") {
        outcome.batchFailed = true;
        outcome.message = line.substr(10);
      }
    }
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!outcome.timedOut &&
      (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0)))
    outcome.crashed = !outcome.batchFailed;
  if (!outcome.timedOut && !outcome.crashed && !outcome.batchFailed &&
      outcome.current)
    outcome.crashed = true;
  return outcome;
}

/// Measures a batch: kernels that crash or time out are recorded as failed;
/// a batch that fails to compile as a whole is split until the culprit is
/// alone.
void runBatch(ArrayRef<KernelVariant> batch, const CollectOptions &options,
              std::vector<DatasetRow> &rows) {
  std::vector<KernelVariant> pending(batch.begin(), batch.end());
  while (!pending.empty()) {
    ChildOutcome outcome = runOneChild(pending, options);
    if (!outcome.compiled) {
      if (pending.size() == 1) {
        StringRef status = outcome.timedOut  ? "failed:compile-timeout"
                           : outcome.crashed ? "failed:compile-crash"
                                             : "failed:compile";
        if (outcome.batchFailed && !options.quiet)
          llvm::errs() << "tessera-cost collect: " << pending[0].key() << ": "
                       << outcome.message << "\n";
        rows.push_back(outcome.rows[0] ? *outcome.rows[0]
                                       : failedRow(pending[0], status));
        return;
      }
      // Keep the kernels that failed on their own; split the rest.
      std::vector<KernelVariant> rest;
      for (auto [i, variant] : llvm::enumerate(pending)) {
        if (outcome.rows[i])
          rows.push_back(*outcome.rows[i]);
        else
          rest.push_back(variant);
      }
      size_t half = rest.size() / 2;
      if (half == 0) {
        runBatch(rest, options, rows);
      } else {
        runBatch(ArrayRef<KernelVariant>(rest).take_front(half), options, rows);
        runBatch(ArrayRef<KernelVariant>(rest).drop_front(half), options, rows);
      }
      return;
    }
    std::vector<KernelVariant> rest;
    for (auto [i, variant] : llvm::enumerate(pending)) {
      if (outcome.rows[i]) {
        rows.push_back(*outcome.rows[i]);
      } else if (outcome.current && *outcome.current == i) {
        rows.push_back(failedRow(variant, outcome.timedOut ? "failed:timeout"
                                                           : "failed:crash"));
      } else {
        rest.push_back(variant);
      }
    }
    if (rest.size() == pending.size()) {
      // No progress (the child died before measuring anything).
      for (const KernelVariant &variant : rest)
        rows.push_back(failedRow(variant, "failed:crash"));
      return;
    }
    pending = std::move(rest);
  }
}
} // namespace

bool isGroupSelected(const CollectOptions &options, size_t groupIndex,
                     StringRef group) {
  if (groupIndex % options.shardCount != options.shardIndex)
    return false;
  TrainOptions split;
  return !options.heldOutOnly ||
         isHeldOut(group, split.holdoutPercent, split.holdoutSalt);
}

int runCollect(const CollectOptions &options) {
  if (options.shardCount == 0 || options.shardIndex >= options.shardCount) {
    llvm::errs() << "tessera-cost collect: bad shard " << options.shardIndex
                 << "/" << options.shardCount << "\n";
    return 1;
  }
  Dataset header =
      Dataset::create(hostTargetLine(), kCollectedLatencyStatistic);
  llvm::StringSet<> done;
  if (llvm::sys::fs::exists(options.output)) {
    std::string error;
    FailureOr<Dataset> existing = Dataset::read(options.output, &error);
    if (failed(existing)) {
      llvm::errs() << "tessera-cost collect: cannot resume: " << error << "\n";
      return 1;
    }
    if (failed(existing->checkCurrent(&error)) ||
        existing->target != header.target) {
      llvm::errs() << "tessera-cost collect: cannot resume '" << options.output
                   << "': "
                   << (error.empty() ? "it was measured on another target ('" +
                                           existing->target + "')"
                                     : error)
                   << "\n";
      return 1;
    }
    if (existing->latencyStatistic != header.latencyStatistic) {
      llvm::errs() << "tessera-cost collect: cannot resume '" << options.output
                   << "': its latencies are the " << existing->latencyStatistic
                   << " of the samples, this collection's the "
                   << header.latencyStatistic << "\n";
      return 1;
    }
    done = existing->keys();
  }
  // Side files start with their column line.
  for (auto [path, columns] :
       {std::pair(options.codegenFactsFile, kCodegenFactColumns),
        std::pair(options.samplesFile, "key,samples_us")}) {
    if (path.empty() || llvm::sys::fs::exists(path))
      continue;
    std::error_code ec;
    llvm::raw_fd_ostream file(path, ec);
    if (ec) {
      llvm::errs() << "tessera-cost collect: cannot write '" << path
                   << "': " << ec.message() << "\n";
      return 1;
    }
    file << columns << "\n";
  }

  // Shards and batches are whole kernel groups (a group's variants are
  // contiguous in the enumeration): the schedules of one shape are measured
  // together, under the same conditions.
  std::vector<KernelVariant> all = enumerateVariants(options.variants);
  std::vector<KernelVariant> todo;
  size_t inShard = 0, already = 0, groupIndex = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (i > 0 && all[i].group() != all[i - 1].group())
      ++groupIndex;
    if (!isGroupSelected(options, groupIndex, all[i].group()))
      continue;
    ++inShard;
    if (done.contains(all[i].key())) {
      ++already;
      continue;
    }
    if (!options.limit || todo.size() < options.limit)
      todo.push_back(all[i]);
  }
  if (!options.quiet)
    llvm::errs() << llvm::formatv(
        "tessera-cost collect: shard {0}/{1}: {2} variants, {3} already in "
        "'{4}', measuring {5}\n",
        options.shardIndex, options.shardCount, inShard, already,
        options.output, todo.size());
  std::vector<std::pair<size_t, size_t>> batches;
  for (size_t b = 0; b < todo.size();) {
    size_t e = b + 1;
    while (e < todo.size() && e - b < options.batchSize &&
           todo[e].group() == todo[b].group())
      ++e;
    batches.push_back({b, e - b});
    b = e;
  }

  Clock::time_point start = Clock::now();
  size_t measured = 0, failedCount = 0;
  for (auto [b, size] : batches) {
    ArrayRef<KernelVariant> batch =
        ArrayRef<KernelVariant>(todo).slice(b, size);
    std::vector<DatasetRow> rows;
    runBatch(batch, options, rows);
    for (const DatasetRow &row : rows)
      (row.isOk() ? measured : failedCount) += 1;
    std::string error;
    if (failed(appendToDataset(options.output, header, rows, &error))) {
      llvm::errs() << "tessera-cost collect: " << error << "\n";
      return 1;
    }
    if (!options.quiet) {
      double elapsed = secondsSince(start);
      size_t doneNow = b + batch.size();
      llvm::errs() << llvm::formatv(
          "  {0}/{1} ok {2} failed {3}  {4:f1} s  (eta {5:f0} s)\n", doneNow,
          todo.size(), measured, failedCount, elapsed,
          elapsed / doneNow * (todo.size() - doneNow));
    }
  }
  if (!options.quiet)
    llvm::errs() << llvm::formatv("tessera-cost collect: {0} measured, {1} "
                                  "failed in {2:f1} s\n",
                                  measured, failedCount, secondsSince(start));
  return 0;
}

} // namespace tessera::cost
