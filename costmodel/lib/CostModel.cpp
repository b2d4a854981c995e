//===- CostModel.cpp - Cost models, model files and the registry ----------===//

#include "tessera/CostModel/CostModel.h"
#include "tessera/CostModel/Dataset.h"
#include "tessera/CostModel/Schedule.h"
#include "tessera/CostModel/XGBoostBooster.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Base64.h"
#include "llvm/Support/Compression.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <xgboost/c_api.h>

#include <chrono>
#include <cmath>
#include <cstdlib>

using namespace mlir;

namespace tessera::cost {

//===----------------------------------------------------------------------===//
// Targets
//===----------------------------------------------------------------------===//

/// Architecture families: "x86-64-v3", "x86_64" and "amd64" are one family.
static std::string normalizeArch(StringRef arch) {
  std::string lower = arch.lower();
  if (StringRef(lower).starts_with("x86-64") ||
      StringRef(lower).starts_with("x86_64") || lower == "amd64")
    return "x86_64";
  if (lower == "arm64")
    return "aarch64";
  return lower;
}

TargetDesc TargetDesc::host() {
  TargetDesc target;
  target.kind = "cpu";
  llvm::Triple triple(llvm::sys::getProcessTriple());
  target.arch = normalizeArch(triple.getArchName());
  target.cpu = llvm::sys::getHostCPUName().str();
  return target;
}

TargetDesc TargetDesc::fromAttr(mlir::tessera::TargetAttr attr) {
  TargetDesc target;
  target.kind = mlir::tessera::stringifyTargetKind(attr.getKind()).str();
  if (attr.getArch()) {
    target.arch = normalizeArch(attr.getArch().getValue());
  } else if (target.kind == "cpu") {
    TargetDesc hostTarget = host();
    target.arch = hostTarget.arch;
    target.cpu = hostTarget.cpu;
  }
  target.vectorBits = attr.getVectorBits();
  target.cores = attr.getCores();
  return target;
}

std::string TargetDesc::key() const {
  return arch.empty() ? kind : kind + "-" + arch;
}

//===----------------------------------------------------------------------===//
// Roofline
//===----------------------------------------------------------------------===//

RooflineParams RooflineParams::forTarget(const TargetDesc &target) {
  RooflineParams params;
  if (target.vectorBits > 0)
    params.simdLanes = std::max<int64_t>(1, target.vectorBits / 32);
  return params;
}

llvm::json::Object RooflineParams::toJSON() const {
  return llvm::json::Object{
      {"scalar_flops", scalarFlops},
      {"simd_lanes", simdLanes},
      {"bandwidth", llvm::json::Array{bandwidth[0], bandwidth[1], bandwidth[2],
                                      bandwidth[3]}},
      {"overhead_us", overheadUs}};
}

RooflineParams RooflineParams::fromJSON(const llvm::json::Object &object,
                                        const RooflineParams &defaults) {
  RooflineParams params = defaults;
  if (auto v = object.getNumber("scalar_flops"))
    params.scalarFlops = *v;
  if (auto v = object.getInteger("simd_lanes"))
    params.simdLanes = *v;
  if (auto v = object.getNumber("overhead_us"))
    params.overheadUs = *v;
  if (const llvm::json::Array *bw = object.getArray("bandwidth"))
    for (size_t i = 0; i < 4 && i < bw->size(); ++i)
      if (auto v = (*bw)[i].getAsNumber())
        params.bandwidth[i] = *v;
  return params;
}

bool RooflineParams::isValid() const {
  auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  return positive(scalarFlops) && simdLanes >= 1 &&
         llvm::all_of(bandwidth, positive) && std::isfinite(overheadUs) &&
         overheadUs >= 0;
}

double evaluateRoofline(const RooflineTerms &terms,
                        const RooflineParams &params) {
  double lanes = std::min<double>(terms.effectiveLanes, params.simdLanes);
  double seconds = terms.flops / (params.scalarFlops * lanes);
  double coreBandwidth =
      params.bandwidth[0] * lanes / std::max<int64_t>(1, params.simdLanes);
  seconds = std::max(seconds, terms.coreBytes / coreBandwidth);
  for (unsigned level = 0; level < 3; ++level)
    seconds =
        std::max(seconds, terms.traffic[level] / params.bandwidth[level + 1]);
  return seconds * 1e6 + params.overheadUs;
}

double predictRooflineUs(const KernelDescription &kernel,
                         const RooflineParams &params) {
  return evaluateRoofline(computeRooflineTerms(kernel), params);
}

//===----------------------------------------------------------------------===//
// CostModel
//===----------------------------------------------------------------------===//

CostModel::~CostModel() = default;

Prediction CostModel::predict(const KernelDescription &kernel) {
  Prediction prediction;
  const KernelDescription *kernels[] = {&kernel};
  predictBatch(kernels, MutableArrayRef<Prediction>(prediction));
  return prediction;
}

FailureOr<Prediction> CostModel::predict(Operation *op, std::string *error) {
  FailureOr<KernelDescription> kernel = describeKernel(op, error);
  if (failed(kernel))
    return failure();
  return predict(*kernel);
}

LogicalResult CostModel::predictConfigs(
    Operation *op, ArrayRef<mlir::tessera::KernelConfigAttr> configs,
    SmallVectorImpl<Prediction> &out, std::string *error) {
  FailureOr<KernelDescription> base = describeOperator(op, error);
  if (failed(base))
    return failure();
  // Chunks of candidates reuse the same copies of the description (setSchedule
  // replaces everything a schedule determines): a search of thousands of
  // candidates does not copy the description thousands of times.
  constexpr size_t kChunk = 256;
  std::vector<KernelDescription> kernels(std::min(kChunk, configs.size()),
                                         *base);
  SmallVector<const KernelDescription *> pointers;
  for (KernelDescription &kernel : kernels)
    pointers.push_back(&kernel);
  out.assign(configs.size(), Prediction());
  for (size_t begin = 0; begin < configs.size(); begin += kChunk) {
    size_t count = std::min(kChunk, configs.size() - begin);
    for (size_t i = 0; i < count; ++i)
      if (failed(setSchedule(kernels[i], configs[begin + i], error)))
        return failure();
    predictBatch(ArrayRef(pointers).take_front(count),
                 MutableArrayRef(out).slice(begin, count));
  }
  return success();
}

void RooflineCostModel::predictBatch(
    ArrayRef<const KernelDescription *> kernels,
    MutableArrayRef<Prediction> out) {
  for (auto [kernel, prediction] : llvm::zip(kernels, out)) {
    prediction.latencyUs = predictRooflineUs(*kernel, params);
    prediction.source = "analytical";
    prediction.fallbackReason.clear();
  }
}

//===----------------------------------------------------------------------===//
// Learned model (XGBoost)
//===----------------------------------------------------------------------===//

/// The serialised booster of a model file's booster object ({"format":
/// "ubj", "compression": "zlib", "size": N, "data": base64}); failure with
/// what is wrong in `message`.
static FailureOr<SmallVector<uint8_t>>
decodeBooster(const llvm::json::Object &booster, std::string *message) {
  auto fail = [&](const Twine &text) -> FailureOr<SmallVector<uint8_t>> {
    *message = text.str();
    return failure();
  };
  std::optional<StringRef> data = booster.getString("data");
  std::optional<int64_t> size = booster.getInteger("size");
  if (!data || !size || *size <= 0 ||
      booster.getString("compression") != std::optional<StringRef>("zlib"))
    return fail("lacks zlib-compressed data and its size");
  std::vector<char> compressed;
  if (llvm::Error e = llvm::decodeBase64(*data, compressed))
    return fail("is not valid base64: " + llvm::toString(std::move(e)));
  // zlib cannot expand by more than 1032:1; a larger size is corrupt (and
  // would be allocated before decompression fails).
  if (static_cast<uint64_t>(*size) > compressed.size() * 1032ull + 64)
    return fail(llvm::formatv("records {0} uncompressed bytes, impossible for "
                              "{1} compressed bytes",
                              *size, compressed.size()));
  SmallVector<uint8_t> bytes;
  if (llvm::Error e = llvm::compression::zlib::decompress(
          ArrayRef<uint8_t>(
              reinterpret_cast<const uint8_t *>(compressed.data()),
              compressed.size()),
          bytes, *size))
    return fail("cannot be decompressed: " + llvm::toString(std::move(e)));
  return bytes;
}

/// Loads a booster from its serialised form (XGBoost checks it) into a tree
/// ensemble; failure with `error` set.
static FailureOr<TreeEnsemble> loadBooster(ArrayRef<uint8_t> bytes,
                                           StringRef path, StringRef which,
                                           std::string *error) {
  auto fail = [&](const Twine &message) -> FailureOr<TreeEnsemble> {
    *error = llvm::formatv("model file '{0}': the {1} booster {2}", path, which,
                           message)
                 .str();
    return failure();
  };
  std::string message;
  FailureOr<OwnedBooster> booster = loadXGBoost(bytes, &message);
  if (failed(booster))
    return fail("is rejected by XGBoost: " + message);
  FailureOr<std::string> json = saveXGBoost(booster->get(), "json", &message);
  if (failed(json))
    return fail("cannot be read back: " + message);
  FailureOr<TreeEnsemble> ensemble =
      TreeEnsemble::fromXGBoostJSON(*json, &message);
  if (failed(ensemble))
    return fail("cannot be evaluated: " + message);
  if (ensemble->getNumFeatures() != FeatureSchema::size())
    return fail(llvm::formatv("takes {0} features, the schema has {1}",
                              ensemble->getNumFeatures(),
                              FeatureSchema::size()));
  return ensemble;
}

/// The JSON value of file `path`; failure with why in `message`.
static FailureOr<llvm::json::Value> readJSONFile(StringRef path,
                                                 std::string *message) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    *message = buffer.getError().message();
    return failure();
  }
  llvm::Expected<llvm::json::Value> parsed =
      llvm::json::parse((*buffer)->getBuffer());
  if (!parsed) {
    *message = "not valid JSON: " + llvm::toString(parsed.takeError());
    return failure();
  }
  return std::move(*parsed);
}

FailureOr<std::unique_ptr<LearnedCostModel>>
LearnedCostModel::load(StringRef path, std::string *error) {
  auto fail = [&](const Twine &message)
      -> FailureOr<std::unique_ptr<LearnedCostModel>> {
    if (error)
      *error = (llvm::Twine("model file '") + path + "': " + message).str();
    return failure();
  };
  std::string message;
  FailureOr<llvm::json::Value> parsed = readJSONFile(path, &message);
  if (failed(parsed))
    return fail(message);
  const llvm::json::Object *root = parsed->getAsObject();
  if (!root)
    return fail("not a JSON object");
  if (root->getString("format") != std::optional<StringRef>(kModelFileFormat))
    return fail(llvm::formatv("not a {0} file", kModelFileFormat));
  if (root->getInteger("format_version") !=
      std::optional<int64_t>(kModelFileVersion))
    return fail(llvm::formatv("format version {0}, this build reads {1}",
                              root->getInteger("format_version").value_or(-1),
                              kModelFileVersion));
  const llvm::json::Object *schema = root->getObject("feature_schema");
  if (!schema)
    return fail("no feature_schema");
  std::optional<int64_t> version = schema->getInteger("version");
  std::optional<StringRef> fingerprint = schema->getString("fingerprint");
  if (version != std::optional<int64_t>(FeatureSchema::kVersion) ||
      fingerprint != std::optional<StringRef>(FeatureSchema::fingerprint()))
    return fail(llvm::formatv(
        "trained on feature schema v{0} ({1}); this build computes schema v{2} "
        "({3}): retrain the model (tessera-cost train)",
        version.value_or(-1), fingerprint.value_or("?"),
        FeatureSchema::kVersion, FeatureSchema::fingerprint()));
  int64_t codegen =
      root->getInteger("codegen").value_or(kUnrecordedCodegenVersion);
  if (codegen != kCodegenVersion)
    return fail(llvm::formatv(
        "trained on latencies of code generation v{0}; this build compiles "
        "kernel configurations differently (v{1}): collect and train again",
        codegen, kCodegenVersion));

  std::unique_ptr<LearnedCostModel> model(new LearnedCostModel());
  model->name = root->getString("name").value_or("learned").str();
  if (const llvm::json::Object *target = root->getObject("target")) {
    model->target.kind = target->getString("kind").value_or("cpu").str();
    model->target.arch = normalizeArch(target->getString("arch").value_or(""));
    model->target.cpu = target->getString("cpu").value_or("").str();
  }
  if (const llvm::json::Object *analytical = root->getObject("analytical"))
    model->analytical = RooflineParams::fromJSON(*analytical, RooflineParams());
  if (!model->analytical.isValid())
    return fail("the analytical parameters are out of range (rates and "
                "SIMD lanes must be positive, the overhead not negative)");
  if (const llvm::json::Array *kinds = root->getArray("op_kinds")) {
    for (const llvm::json::Value &kind : *kinds) {
      std::optional<StringRef> name = kind.getAsString();
      std::optional<OpKind> parsedKind =
          name ? symbolizeOpKind(*name) : std::nullopt;
      if (!parsedKind)
        return fail("unknown operator kind in op_kinds");
      model->kinds.set(static_cast<unsigned>(*parsedKind));
    }
  }
  if (const llvm::json::Object *training = root->getObject("training"))
    model->training = *training;
  std::optional<StringRef> label = root->getString("regression_label");
  if (!label ||
      (*label != "ln_latency_us" && *label != "ln_latency_over_roofline"))
    return fail("unknown regression_label (expected ln_latency_us or "
                "ln_latency_over_roofline)");
  model->residual = *label == "ln_latency_over_roofline";

  const llvm::json::Object *boosters = root->getObject("boosters");
  if (!boosters || !boosters->getObject("regression"))
    return fail("no regression booster");
  // A booster: {"format": "ubj", "compression": "zlib", "size": N,
  // "data": base64}.
  auto load = [&](StringRef which) -> FailureOr<TreeEnsemble> {
    FailureOr<SmallVector<uint8_t>> bytes =
        decodeBooster(*boosters->getObject(which), &message);
    if (failed(bytes)) {
      if (error)
        *error = (llvm::Twine("model file '") + path + "': the " + which +
                  " booster " + message)
                     .str();
      return failure();
    }
    std::string boosterError;
    FailureOr<TreeEnsemble> ensemble =
        loadBooster(*bytes, path, which, &boosterError);
    if (failed(ensemble) && error)
      *error = boosterError;
    return ensemble;
  };
  FailureOr<TreeEnsemble> regressor = load("regression");
  if (failed(regressor))
    return failure();
  model->regressor = std::move(*regressor);
  if (boosters->getObject("rank")) {
    FailureOr<TreeEnsemble> ranker = load("rank");
    if (failed(ranker))
      return failure();
    model->ranker = std::move(*ranker);
  }
  return model;
}

void LearnedCostModel::predictMargins(ArrayRef<float> rows, size_t numRows,
                                      MutableArrayRef<float> margins) {
  regressor->predict(rows, numRows, margins);
}

void LearnedCostModel::predictFeatures(ArrayRef<float> rows, size_t numRows,
                                       MutableArrayRef<double> latencyUs) {
  SmallVector<float> margins(numRows);
  predictMargins(rows, numRows, margins);
  static const int roofline = FeatureSchema::indexOf("log2_roofline_us");
  size_t numColumns = FeatureSchema::size();
  for (size_t i = 0; i < numRows; ++i) {
    double value = std::exp(static_cast<double>(margins[i]));
    if (residual)
      value *= std::exp2(rows[i * numColumns + roofline]);
    latencyUs[i] = value;
  }
}

bool LearnedCostModel::rankFeatures(ArrayRef<float> rows, size_t numRows,
                                    MutableArrayRef<double> scores) {
  if (!ranker)
    return false;
  SmallVector<float> margins(numRows);
  ranker->predict(rows, numRows, margins);
  // The ranker scores faster kernels higher; report lower = faster.
  for (size_t i = 0; i < numRows; ++i)
    scores[i] = -static_cast<double>(margins[i]);
  return true;
}

FailureOr<std::vector<float>>
predictWithXGBoost(StringRef path, ArrayRef<float> rows, size_t numRows,
                   double *microseconds, std::string *error) {
  auto fail = [&](const Twine &message) -> FailureOr<std::vector<float>> {
    if (error)
      *error = (llvm::Twine("model file '") + path + "': " + message).str();
    return failure();
  };
  std::string message;
  FailureOr<llvm::json::Value> parsed = readJSONFile(path, &message);
  if (failed(parsed))
    return fail(message);
  const llvm::json::Object *root = parsed->getAsObject();
  const llvm::json::Object *boosters =
      root ? root->getObject("boosters") : nullptr;
  const llvm::json::Object *regression =
      boosters ? boosters->getObject("regression") : nullptr;
  if (!regression)
    return fail("no regression booster");
  FailureOr<SmallVector<uint8_t>> bytes = decodeBooster(*regression, &message);
  if (failed(bytes))
    return fail("the regression booster " + message);
  FailureOr<OwnedBooster> booster = loadXGBoost(*bytes, &message);
  if (failed(booster))
    return fail("XGBoost: " + message);
  BoosterHandle handle = booster->get();
  if (XGBoosterSetParam(handle, "nthread", "1") != 0)
    return fail(Twine("XGBoost: ") + XGBGetLastError());
  std::string array = llvm::formatv(
      "{{\"data\": [{0}, true], \"shape\": [{1}, {2}], \"typestr\": \"<f4\", "
      "\"version\": 3}",
      reinterpret_cast<uintptr_t>(rows.data()), numRows, FeatureSchema::size());
  const char *config = "{\"type\": 1, \"training\": false, \"iteration_begin\":"
                       " 0, \"iteration_end\": 0, \"strict_shape\": false, "
                       "\"missing\": NaN, \"cache_id\": 0}";
  const bst_ulong *shape = nullptr;
  bst_ulong dims = 0;
  const float *result = nullptr;
  auto start = std::chrono::steady_clock::now();
  if (XGBoosterPredictFromDense(handle, array.c_str(), config, nullptr, &shape,
                                &dims, &result) != 0)
    return fail(Twine("XGBoost: ") + XGBGetLastError());
  if (microseconds)
    *microseconds = std::chrono::duration<double, std::micro>(
                        std::chrono::steady_clock::now() - start)
                        .count();
  return std::vector<float>(result, result + numRows);
}

void LearnedCostModel::predictBatch(ArrayRef<const KernelDescription *> kernels,
                                    MutableArrayRef<Prediction> out) {
  size_t numColumns = FeatureSchema::size();
  std::vector<float> rows;
  rows.reserve(kernels.size() * numColumns);
  SmallVector<size_t> learned;
  for (auto [i, kernel] : llvm::enumerate(kernels)) {
    if (!coversKind(kernel->kind)) {
      out[i].latencyUs = predictRooflineUs(*kernel, analytical);
      out[i].source = "analytical";
      out[i].fallbackReason =
          llvm::formatv("model '{0}' was not trained on '{1}' kernels", name,
                        stringifyOpKind(kernel->kind))
              .str();
      continue;
    }
    size_t offset = rows.size();
    rows.resize(offset + numColumns);
    computeFeatures(*kernel,
                    MutableArrayRef<float>(rows.data() + offset, numColumns));
    learned.push_back(i);
  }
  SmallVector<double> latency(learned.size());
  predictFeatures(rows, learned.size(), latency);
  for (auto [j, i] : llvm::enumerate(learned)) {
    if (!std::isfinite(latency[j]) || latency[j] < 0) {
      out[i].latencyUs = predictRooflineUs(*kernels[i], analytical);
      out[i].source = "analytical";
      out[i].fallbackReason = "the learned prediction is not a finite latency";
      continue;
    }
    out[i].latencyUs = latency[j];
    out[i].source = name;
    out[i].fallbackReason.clear();
  }
}

LogicalResult writeModelFile(StringRef path, const ModelFileContents &contents,
                             std::string *error) {
  llvm::json::Array kinds;
  for (OpKind kind : contents.kinds)
    kinds.push_back(stringifyOpKind(kind));
  auto encode = [](StringRef bytes) {
    SmallVector<uint8_t> compressed;
    llvm::compression::zlib::compress(
        ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(bytes.data()),
                          bytes.size()),
        compressed, llvm::compression::zlib::BestSizeCompression);
    return llvm::json::Object{{"format", "ubj"},
                              {"compression", "zlib"},
                              {"size", static_cast<int64_t>(bytes.size())},
                              {"data", llvm::encodeBase64(compressed)}};
  };
  llvm::json::Object boosters{{"regression", encode(contents.regressor)}};
  if (!contents.ranker.empty())
    boosters["rank"] = encode(contents.ranker);
  llvm::json::Object target{{"kind", contents.target.kind},
                            {"arch", contents.target.arch}};
  if (!contents.target.cpu.empty())
    target["cpu"] = contents.target.cpu;
  llvm::json::Object root{
      {"format", kModelFileFormat},
      {"format_version", kModelFileVersion},
      {"backend", "xgboost"},
      {"name", contents.name},
      {"target", std::move(target)},
      {"feature_schema",
       llvm::json::Object{{"version", FeatureSchema::kVersion},
                          {"fingerprint", FeatureSchema::fingerprint()},
                          {"num_features", FeatureSchema::size()}}},
      {"codegen", kCodegenVersion},
      {"op_kinds", std::move(kinds)},
      {"regression_label",
       contents.residual ? "ln_latency_over_roofline" : "ln_latency_us"},
      {"analytical", contents.analytical.toJSON()},
      {"training", llvm::json::Object(contents.training)},
      {"boosters", std::move(boosters)}};
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    if (error)
      *error = llvm::formatv("cannot write '{0}': {1}", path, ec.message());
    return failure();
  }
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  return success();
}

//===----------------------------------------------------------------------===//
// Registry
//===----------------------------------------------------------------------===//

CostModelRegistry::CostModelRegistry() {
  registerBackend("xgboost",
                  [](StringRef path, std::string *error)
                      -> FailureOr<std::unique_ptr<CostModel>> {
                    FailureOr<std::unique_ptr<LearnedCostModel>> model =
                        LearnedCostModel::load(path, error);
                    if (failed(model))
                      return failure();
                    return std::unique_ptr<CostModel>(std::move(*model));
                  });
}

CostModelRegistry &CostModelRegistry::instance() {
  static CostModelRegistry registry;
  return registry;
}

void CostModelRegistry::registerBackend(StringRef backend, Loader loader) {
  loaders[backend] = std::move(loader);
}

SmallVector<std::string> CostModelRegistry::getSearchPaths() const {
  SmallVector<std::string> paths;
  if (const char *env = std::getenv("TESSERA_COST_MODEL_PATH")) {
    SmallVector<StringRef> parts;
    StringRef(env).split(parts, ':', -1, false);
    for (StringRef part : parts)
      paths.push_back(part.str());
  }
#ifdef TESSERA_COSTMODEL_INSTALL_DIR
  paths.push_back(TESSERA_COSTMODEL_INSTALL_DIR);
#endif
#ifdef TESSERA_COSTMODEL_SOURCE_DIR
  paths.push_back(TESSERA_COSTMODEL_SOURCE_DIR);
#endif
  return paths;
}

/// Reads the "backend" and "target" of a model file without loading it.
/// False for a file that is not a model file; `problem`, when given, then
/// says why if the file could not be read or is not JSON at all.
static bool peekModelFile(StringRef path, std::string &backend,
                          TargetDesc &target, std::string *problem = nullptr) {
  // The header precedes the boosters; parsing the whole file is simplest.
  std::string message;
  FailureOr<llvm::json::Value> parsed = readJSONFile(path, &message);
  if (failed(parsed)) {
    if (problem)
      *problem = message;
    return false;
  }
  const llvm::json::Object *root = parsed->getAsObject();
  if (!root ||
      root->getString("format") != std::optional<StringRef>(kModelFileFormat))
    return false;
  backend = root->getString("backend").value_or("xgboost").str();
  if (const llvm::json::Object *t = root->getObject("target")) {
    target.kind = t->getString("kind").value_or("cpu").str();
    target.arch = normalizeArch(t->getString("arch").value_or(""));
    target.cpu = t->getString("cpu").value_or("").str();
  }
  return true;
}

FailureOr<std::unique_ptr<CostModel>>
CostModelRegistry::loadFile(StringRef path, std::string *error) {
  if (!llvm::sys::fs::exists(path)) {
    if (error)
      *error = (llvm::Twine("model file '") + path + "' does not exist").str();
    return failure();
  }
  std::string backend = "xgboost";
  TargetDesc target;
  if (peekModelFile(path, backend, target)) {
    auto it = loaders.find(backend);
    if (it == loaders.end()) {
      if (error)
        *error = llvm::formatv("model file '{0}': no loader for backend '{1}'",
                               path, backend)
                     .str();
      return failure();
    }
    return it->second(path, error);
  }
  // Not even a model file header: let the default loader say why.
  return loaders["xgboost"](path, error);
}

std::unique_ptr<CostModel>
CostModelRegistry::getModelFor(const TargetDesc &target, std::string *warning) {
  std::string problems;
  for (const std::string &dir : getSearchPaths()) {
    // The directory's model files of the target's kind and architecture.
    struct Candidate {
      std::string path;
      std::string cpu;
    };
    SmallVector<Candidate> candidates;
    std::error_code ec;
    SmallVector<std::string> files;
    for (llvm::sys::fs::directory_iterator it(dir, ec), end; !ec && it != end;
         it.increment(ec))
      if (StringRef(it->path()).ends_with(".json"))
        files.push_back(it->path());
    llvm::sort(files);
    for (const std::string &file : files) {
      std::string backend, problem;
      TargetDesc fileTarget;
      if (!peekModelFile(file, backend, fileTarget, &problem)) {
        if (!problem.empty())
          problems += "; skipped '" + file + "': " + problem;
        continue;
      }
      if (fileTarget.kind == target.kind &&
          (target.arch.empty() || fileTarget.arch == target.arch))
        candidates.push_back({file, fileTarget.cpu});
    }
    // A model of the target's CPU first, then the family's (no CPU).
    for (bool ofTheCPU : {true, false}) {
      for (const Candidate &candidate : candidates) {
        bool fits = ofTheCPU
                        ? !target.cpu.empty() && candidate.cpu == target.cpu
                        : candidate.cpu.empty();
        if (!fits)
          continue;
        std::string error;
        FailureOr<std::unique_ptr<CostModel>> model =
            loadFile(candidate.path, &error);
        if (succeeded(model))
          return std::move(*model);
        problems += "; " + error;
      }
    }
  }
  if (warning)
    *warning = llvm::formatv("no cost model file for target '{0}'{1}; using "
                             "the analytical (roofline) model",
                             target.key(), problems)
                   .str();
  return std::make_unique<RooflineCostModel>(RooflineParams::forTarget(target));
}

} // namespace tessera::cost
