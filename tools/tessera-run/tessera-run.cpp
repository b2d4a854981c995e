//===- tessera-run.cpp - Run a compiled Tessera model library -------------===//
//
// Loads a model library built by `tessera-compile --emit=lib`, runs it on
// inputs from tensor files (or seeded random inputs), compares the outputs
// with expected tensors, times repeated runs and saves the outputs:
//
//   tessera-run model.so --test-data test_data_set_0
//   tessera-run model.so --input x.npy --expect y.npy --rtol=1e-3
//   tessera-run model.so --repeat 100 --summary
//
//===----------------------------------------------------------------------===//

#include "tessera/Runtime/ModelLibrary.h"
#include "tessera/Runtime/TensorFile.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <random>

using namespace llvm;
using namespace tessera;

static cl::OptionCategory runCategory("tessera-run options");

static cl::opt<std::string> libraryPath(cl::Positional, cl::Required,
                                        cl::desc("<model library>"),
                                        cl::cat(runCategory));

static cl::list<std::string>
    inputFiles("input", cl::desc("Input tensor file (.pb or .npy), in order"),
               cl::value_desc("file"), cl::cat(runCategory));

static cl::list<std::string>
    expectFiles("expect",
                cl::desc("Expected output tensor file (.pb or .npy), in order"),
                cl::value_desc("file"), cl::cat(runCategory));

static cl::opt<std::string> testDataDir(
    "test-data",
    cl::desc("ONNX test data directory: inputs from input_<i>.pb, expected "
             "outputs from output_<i>.pb"),
    cl::value_desc("dir"), cl::cat(runCategory));

static cl::opt<double> relTolerance("rtol", cl::desc("Relative tolerance"),
                                    cl::init(1e-4), cl::cat(runCategory));

static cl::opt<double> absTolerance("atol", cl::desc("Absolute tolerance"),
                                    cl::init(1e-5), cl::cat(runCategory));

static cl::opt<unsigned>
    repeat("repeat",
           cl::desc("Time this many runs and print the median latency"),
           cl::init(0), cl::cat(runCategory));

static cl::opt<unsigned>
    warmup("warmup",
           cl::desc("Untimed runs before the timed ones (default: 1 when "
                    "--repeat > 1)"),
           cl::init(0), cl::cat(runCategory));

static cl::opt<uint64_t> seed("seed", cl::desc("Seed of the random inputs"),
                              cl::init(0), cl::cat(runCategory));

static cl::opt<bool>
    printSignature("print-signature",
                   cl::desc("Print the model's inputs and outputs and exit"),
                   cl::cat(runCategory));

static cl::opt<std::string>
    saveOutputsDir("save-outputs",
                   cl::desc("Write output <i> to <dir>/output_<i>.pb (.npy "
                            "with --save-format=npy)"),
                   cl::value_desc("dir"), cl::cat(runCategory));

namespace {
/// The file format of saved outputs.
enum class SaveFormat { Pb, Npy };
} // namespace

static cl::opt<SaveFormat>
    saveFormat("save-format", cl::desc("Format of --save-outputs files"),
               cl::init(SaveFormat::Pb),
               cl::values(clEnumValN(SaveFormat::Pb, "pb", "ONNX TensorProto"),
                          clEnumValN(SaveFormat::Npy, "npy", "NumPy .npy")),
               cl::cat(runCategory));

static cl::opt<bool>
    summary("summary",
            cl::desc("Print each output's shape, dtype, min, max, mean and "
                     "first values"),
            cl::cat(runCategory));

/// Prints the inputs and outputs of `model`.
static void printModelSignature(const ModelLibrary &model) {
  outs() << "model '" << model.getModelName() << "' (ABI version "
         << model.getSignature().abi_version << ")\n";
  auto print = [](StringRef kind, ArrayRef<tessera_tensor_info> infos) {
    for (auto [index, info] : enumerate(infos))
      outs() << kind << " " << index << " '" << info.name
             << "': " << formatType(info.dtype, ArrayRef(info.shape, info.rank))
             << "\n";
  };
  print("input", model.getInputs());
  print("output", model.getOutputs());
}

/// Returns a value uniformly distributed in [-1, 1) on a grid of step
/// 2^-fractionBits, which a float type with that many fraction bits holds
/// exactly; the sequence is the same on every host.
static double nextUniform(std::mt19937_64 &rng, int fractionBits) {
  return std::ldexp(static_cast<double>(rng() >> (63 - fractionBits)),
                    -fractionBits) -
         1.0;
}

/// Returns a tensor of `info`'s shape filled from `rng`: uniform in [-1, 1)
/// for floats, integers in [-5, 5] (signed) or [0, 9] (unsigned), booleans.
static Tensor createRandomTensor(const tessera_tensor_info &info,
                                 std::mt19937_64 &rng) {
  Tensor tensor;
  tensor.name = info.name;
  tensor.dtype = info.dtype;
  tensor.shape.assign(info.shape, info.shape + info.rank);
  size_t elementSize = tessera_dtype_size(info.dtype);
  int64_t numElements = tessera_num_elements(&info);
  tensor.data.resize(numElements * elementSize);
  for (int64_t i = 0; i < numElements; ++i) {
    char *element = tensor.data.data() + i * elementSize;
    auto store = [&](auto value) {
      std::memcpy(element, &value, sizeof(value));
    };
    auto signedInt = [&] { return static_cast<int64_t>(rng() % 11) - 5; };
    auto unsignedInt = [&] { return rng() % 10; };
    switch (info.dtype) {
    case TESSERA_DTYPE_FLOAT:
      store(static_cast<float>(nextUniform(rng, 23)));
      break;
    case TESSERA_DTYPE_DOUBLE:
      store(nextUniform(rng, 52));
      break;
    case TESSERA_DTYPE_FLOAT16: {
      APFloat value(nextUniform(rng, 10));
      bool losesInfo;
      value.convert(APFloat::IEEEhalf(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
      store(static_cast<uint16_t>(value.bitcastToAPInt().getZExtValue()));
      break;
    }
    case TESSERA_DTYPE_INT8:
      store(static_cast<int8_t>(signedInt()));
      break;
    case TESSERA_DTYPE_INT16:
      store(static_cast<int16_t>(signedInt()));
      break;
    case TESSERA_DTYPE_INT32:
      store(static_cast<int32_t>(signedInt()));
      break;
    case TESSERA_DTYPE_INT64:
      store(signedInt());
      break;
    case TESSERA_DTYPE_UINT8:
      store(static_cast<uint8_t>(unsignedInt()));
      break;
    case TESSERA_DTYPE_UINT16:
      store(static_cast<uint16_t>(unsignedInt()));
      break;
    case TESSERA_DTYPE_UINT32:
      store(static_cast<uint32_t>(unsignedInt()));
      break;
    case TESSERA_DTYPE_UINT64:
      store(static_cast<uint64_t>(unsignedInt()));
      break;
    case TESSERA_DTYPE_BOOL:
      store(static_cast<uint8_t>(rng() % 2));
      break;
    }
  }
  return tensor;
}

/// Reads the tensor files `paths` into `tensors`.
static Error readTensorFiles(ArrayRef<std::string> paths,
                             std::vector<Tensor> &tensors) {
  for (const std::string &path : paths) {
    Expected<Tensor> tensor = readTensorFile(path);
    if (!tensor)
      return tensor.takeError();
    tensors.push_back(std::move(*tensor));
  }
  return Error::success();
}

/// Returns the files `<dir>/<prefix><i>.pb` that exist, for i = 0, 1, ...
static std::vector<std::string> findTestDataFiles(StringRef dir,
                                                  StringRef prefix) {
  std::vector<std::string> paths;
  while (true) {
    SmallString<256> path(dir);
    sys::path::append(path, prefix + Twine(paths.size()) + ".pb");
    if (!sys::fs::exists(path))
      return paths;
    paths.push_back(path.str().str());
  }
}

/// Prints min, max, mean and the first values of `tensor` (output `name`).
static void printSummary(StringRef name, const Tensor &tensor) {
  constexpr int64_t numShown = 8;
  int64_t numElements = tensor.getNumElements();
  outs() << "output '" << name
         << "': " << formatType(tensor.dtype, tensor.shape);
  if (numElements == 0) {
    outs() << ", no elements\n";
    return;
  }
  double min = getElementAsDouble(tensor, 0), max = min, sum = 0;
  for (int64_t i = 0; i < numElements; ++i) {
    double value = getElementAsDouble(tensor, i);
    min = std::min(min, value);
    max = std::max(max, value);
    sum += value;
  }
  outs() << ", min " << format("%g", min) << ", max " << format("%g", max)
         << ", mean " << format("%g", sum / numElements) << ", values [";
  for (int64_t i = 0, e = std::min(numElements, numShown); i < e; ++i)
    outs() << (i ? ", " : "") << format("%g", getElementAsDouble(tensor, i));
  outs() << (numElements > numShown ? ", ...]\n" : "]\n");
}

/// Runs `model` `warmupRuns` times untimed, then `timedRuns` times, and
/// prints the median latency of the timed runs. The tensors were checked by
/// a first run, so the timed calls go straight to the model.
static Error timeRuns(const ModelLibrary &model, ArrayRef<Tensor> inputs,
                      MutableArrayRef<Tensor> outputs, unsigned warmupRuns,
                      unsigned timedRuns) {
  std::vector<const void *> inputBuffers = getConstDataPointers(inputs);
  std::vector<void *> outputBuffers = getDataPointers(outputs);

  for (unsigned i = 0; i < warmupRuns; ++i)
    if (Error error = model.run(inputBuffers, outputBuffers))
      return error;
  std::vector<double> latencies;
  for (unsigned i = 0; i < timedRuns; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (Error error = model.run(inputBuffers, outputBuffers))
      return error;
    std::chrono::duration<double, std::milli> elapsed =
        std::chrono::steady_clock::now() - start;
    latencies.push_back(elapsed.count());
  }
  std::sort(latencies.begin(), latencies.end());
  size_t middle = latencies.size() / 2;
  double median = latencies.size() % 2
                      ? latencies[middle]
                      : (latencies[middle - 1] + latencies[middle]) / 2;
  outs() << "median latency: " << format("%.4g", median) << " ms (" << timedRuns
         << (timedRuns == 1 ? " run)\n" : " runs)\n");
  return Error::success();
}

/// Compares `outputs` with `expected` and prints one line per output; fails
/// when any output mismatches.
static Error checkOutputs(const ModelLibrary &model, ArrayRef<Tensor> outputs,
                          ArrayRef<Tensor> expected) {
  unsigned failures = 0;
  for (auto [info, output, reference] :
       zip_equal(model.getOutputs(), outputs, expected)) {
    TensorComparison result =
        compareTensors(output, reference, relTolerance, absTolerance);
    outs() << "output '" << info.name << "': ";
    if (result.ok) {
      outs() << "max abs error " << format("%g", result.maxAbsError)
             << ", max rel error " << format("%g", result.maxRelError)
             << ": OK\n";
      continue;
    }
    ++failures;
    if (result.mismatches == 0) {
      outs() << "MISMATCH (" << result.message << ")\n";
      continue;
    }
    outs() << "max abs error " << format("%g", result.maxAbsError)
           << ", max rel error " << format("%g", result.maxRelError)
           << ": MISMATCH (" << result.mismatches << " of "
           << output.getNumElements() << " elements)\n"
           << "  " << result.message << "\n";
  }
  if (failures)
    return createStringError(Twine(failures) + " of " + Twine(outputs.size()) +
                             " outputs differ from the expected values");
  return Error::success();
}

/// Writes `outputs` into `dir` as output_<i>.pb or output_<i>.npy.
static Error saveOutputs(StringRef dir, ArrayRef<Tensor> outputs) {
  if (std::error_code ec = sys::fs::create_directories(dir))
    return createStringError("cannot create directory '" + dir +
                             "': " + ec.message());
  StringRef extension = saveFormat == SaveFormat::Npy ? ".npy" : ".pb";
  for (auto [index, output] : enumerate(outputs)) {
    SmallString<256> path(dir);
    sys::path::append(path, "output_" + Twine(index) + extension);
    if (Error error = writeTensorFile(path, output))
      return error;
  }
  return Error::success();
}

/// Runs the tool once the command line is parsed.
static Error runTool() {
  Expected<ModelLibrary> model = ModelLibrary::load(libraryPath);
  if (!model)
    return model.takeError();
  if (printSignature) {
    printModelSignature(*model);
    return Error::success();
  }

  if (!testDataDir.empty() && (!inputFiles.empty() || !expectFiles.empty()))
    return createStringError(
        "--test-data cannot be combined with --input or --expect");
  std::vector<std::string> inputPaths(inputFiles.begin(), inputFiles.end());
  std::vector<std::string> expectPaths(expectFiles.begin(), expectFiles.end());
  if (!testDataDir.empty()) {
    if (!sys::fs::is_directory(testDataDir))
      return createStringError("test data directory '" + testDataDir +
                               "' does not exist");
    inputPaths = findTestDataFiles(testDataDir, "input_");
    expectPaths = findTestDataFiles(testDataDir, "output_");
  }

  std::vector<Tensor> inputs;
  if (Error error = readTensorFiles(inputPaths, inputs))
    return error;
  if (inputFiles.empty() && testDataDir.empty()) {
    std::mt19937_64 rng(seed);
    for (const tessera_tensor_info &info : model->getInputs())
      inputs.push_back(createRandomTensor(info, rng));
  }
  if (Error error = model->checkInputs(inputs, inputPaths))
    return error;

  std::vector<Tensor> expected;
  if (Error error = readTensorFiles(expectPaths, expected))
    return error;
  if (!expected.empty() && expected.size() != model->getOutputs().size())
    return createStringError(Twine(expected.size()) +
                             " expected outputs given, but the model has " +
                             Twine(model->getOutputs().size()));

  std::vector<Tensor> outputs = model->createOutputTensors();
  if (Error error = model->run(inputs, outputs))
    return error;
  if (repeat > 0) {
    unsigned warmupRuns =
        warmup.getNumOccurrences() ? warmup : (repeat > 1 ? 1 : 0);
    if (Error error = timeRuns(*model, inputs, outputs, warmupRuns, repeat))
      return error;
  }

  if (summary)
    for (auto [info, output] : zip_equal(model->getOutputs(), outputs))
      printSummary(info.name, output);
  if (!saveOutputsDir.empty())
    if (Error error = saveOutputs(saveOutputsDir, outputs))
      return error;
  if (!expected.empty())
    return checkOutputs(*model, outputs, expected);
  return Error::success();
}

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  cl::HideUnrelatedOptions(runCategory);
  cl::ParseCommandLineOptions(argc, argv, "Tessera model runner\n");
  if (Error error = runTool()) {
    outs().flush();
    WithColor::error(errs(), "tessera-run")
        << toString(std::move(error)) << "\n";
    return 1;
  }
  return 0;
}
