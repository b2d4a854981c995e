//===- tessera-cost.cpp - Tessera's cost model tool -----------------------===//
//
// Collects measured datasets, merges shards, trains and evaluates the learned
// cost model and predicts kernel latencies of MLIR files:
//
//   tessera-cost collect -o data.csv [--shard i/n] [--limit N] ...
//   tessera-cost merge -o data.csv shard0.csv shard1.csv ...
//   tessera-cost summary data.csv
//   tessera-cost train -o model.json data.csv
//   tessera-cost eval --model model.json data.csv
//   tessera-cost predict [--model model.json] kernels.mlir
//   tessera-cost features kernels.mlir
//   tessera-cost bench-predict [--model model.json] [--candidates N]
//                              [--batches N]
//
//===----------------------------------------------------------------------===//

#include "Collect.h"

#include "tessera/CostModel/CostModel.h"
#include "tessera/CostModel/Dataset.h"
#include "tessera/CostModel/Features.h"
#include "tessera/CostModel/Kernels.h"
#include "tessera/CostModel/Metrics.h"
#include "tessera/CostModel/Training.h"
#include "tessera/Dialect/Tessera/IR/Tessera.h"
#include "tessera/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <cstring>

using namespace mlir;
using namespace ::tessera::cost;
namespace cl = llvm::cl;

//===----------------------------------------------------------------------===//
// Command line
//===----------------------------------------------------------------------===//

static cl::SubCommand collectCmd("collect",
                                 "Measure kernel variants into a dataset");
static cl::SubCommand mergeCmd("merge", "Merge dataset shards");
static cl::SubCommand summaryCmd("summary", "Summarise a dataset");
static cl::SubCommand trainCmd("train", "Train a model file on a dataset");
static cl::SubCommand evalCmd("eval",
                              "Evaluate a model on the held-out kernel groups");
static cl::SubCommand
    predictCmd("predict", "Predict the latency of the kernels of a file");
static cl::SubCommand
    featuresCmd("features", "Print the features of the kernels of a file");
static cl::opt<bool> labelsOnly(
    "labels-only",
    cl::desc("Write the measurements without the feature columns (they are "
             "recomputed by `refeature`)"),
    cl::sub(mergeCmd));
static cl::opt<bool> geomean(
    "geomean",
    cl::desc("The inputs are repeat collections of the same kernels: a "
             "kernel's latency is the geometric mean of its measurements "
             "(statistic min-geomean) instead of the first file's"),
    cl::sub(mergeCmd));
static cl::SubCommand refeatureCmd(
    "refeature",
    "Recompute a dataset's features with this build's feature schema");
static cl::SubCommand benchCmd("bench-predict",
                               "Time batch prediction of schedule candidates");

static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("file"),
                                       cl::sub(collectCmd), cl::sub(mergeCmd),
                                       cl::sub(trainCmd),
                                       cl::sub(refeatureCmd));
static cl::list<std::string>
    inputFiles(cl::Positional, cl::desc("<input files>"), cl::sub(mergeCmd),
               cl::sub(summaryCmd), cl::sub(trainCmd), cl::sub(evalCmd),
               cl::sub(predictCmd), cl::sub(featuresCmd),
               cl::sub(refeatureCmd));

// collect
static cl::opt<std::string> shard("shard",
                                  cl::desc("Shard i/n of the variants"),
                                  cl::init("0/1"), cl::sub(collectCmd));
static cl::opt<bool> heldOutOnly(
    "held-out-only",
    cl::desc("Measure only the kernel groups eval holds out by default (repeat "
             "collections of the held-out shapes, for merge --geomean)"),
    cl::sub(collectCmd));
static cl::opt<unsigned> limit("limit",
                               cl::desc("Measure at most N new variants"),
                               cl::init(0), cl::sub(collectCmd));
static cl::opt<std::string>
    families("families", cl::desc("Comma-separated kernel families (all)"),
             cl::sub(collectCmd), cl::sub(benchCmd));
static cl::opt<unsigned> schedules("schedules",
                                   cl::desc("Schedules per kernel group"),
                                   cl::init(36), cl::sub(collectCmd));
static cl::opt<double> groupScale("group-scale",
                                  cl::desc("Scale of the groups per family"),
                                  cl::init(1.0), cl::sub(collectCmd));
static cl::opt<unsigned> seed("seed", cl::desc("Seed of the enumeration"),
                              cl::init(1), cl::sub(collectCmd),
                              cl::sub(trainCmd));
static cl::opt<unsigned>
    batchSize("batch",
              cl::desc("Kernels compiled per child (at most one group)"),
              cl::init(64), cl::sub(collectCmd));
static cl::opt<unsigned> repeats("repeats", cl::desc("Samples per kernel"),
                                 cl::init(9), cl::sub(collectCmd));
static cl::opt<double> minSampleUs("min-sample-us",
                                   cl::desc("Least duration of one sample"),
                                   cl::init(100), cl::sub(collectCmd));
static cl::opt<double>
    kernelTimeout("kernel-timeout",
                  cl::desc("Time limit of one kernel's measurement (s)"),
                  cl::init(20), cl::sub(collectCmd));
static cl::opt<double>
    compileTimeout("compile-timeout",
                   cl::desc("Time limit of one batch's compilation (s)"),
                   cl::init(120), cl::sub(collectCmd));
static cl::opt<bool> listVariants("list",
                                  cl::desc("Print the variants, measure none"),
                                  cl::sub(collectCmd));
static cl::opt<bool> checkResults(
    "check",
    cl::desc("Compare each scheduled kernel's results with the unscheduled "
             "kernel's (failed:mismatch)"),
    cl::sub(collectCmd));
static cl::opt<std::string> codegenFacts(
    "codegen-facts",
    cl::desc("Append what LLVM made of each kernel (instruction counts by "
             "kind, after optimisation) to this CSV file"),
    cl::value_desc("file"), cl::sub(collectCmd));
static cl::opt<std::string> samplesFile(
    "samples",
    cl::desc("Append every kernel's samples (us, in the order taken) to this "
             "CSV file"),
    cl::value_desc("file"), cl::sub(collectCmd));
static cl::opt<bool> emitMLIR("emit-mlir",
                              cl::desc("With --list: print the kernels' MLIR"),
                              cl::sub(collectCmd));
static cl::opt<bool> quiet("quiet", cl::desc("No progress output"),
                           cl::sub(collectCmd), cl::sub(trainCmd));

// train
static cl::opt<std::string> modelName("name", cl::desc("Name of the model"),
                                      cl::init("xgb-cpu"), cl::sub(trainCmd));
static cl::opt<unsigned> rounds("rounds", cl::desc("Boosting rounds"),
                                cl::init(400), cl::sub(trainCmd));
static cl::opt<unsigned> maxDepth("max-depth", cl::desc("Tree depth"),
                                  cl::init(8), cl::sub(trainCmd));
static cl::opt<double> eta("eta", cl::desc("Learning rate"), cl::init(0.08),
                           cl::sub(trainCmd));
static cl::opt<unsigned>
    holdoutPercent("holdout-percent",
                   cl::desc("Percent of kernel groups held out"), cl::init(20),
                   cl::sub(trainCmd));
static cl::opt<std::string>
    holdoutSalt("holdout-salt",
                cl::desc("Salt of the held-out split's group hash"),
                cl::init("tessera-v1"), cl::sub(trainCmd));
static cl::opt<bool> noRank("no-rank",
                            cl::desc("Do not train the ranking booster"),
                            cl::sub(trainCmd));
static cl::opt<std::string>
    rankObjective("rank-objective",
                  cl::desc("XGBoost objective of the ranking booster"),
                  cl::init("rank:pairwise"), cl::sub(trainCmd));
static cl::opt<bool> absoluteLabel(
    "absolute",
    cl::desc("Regress ln(latency) instead of ln(latency / roofline)"),
    cl::sub(trainCmd));
static cl::opt<bool> forCPU(
    "for-cpu",
    cl::desc("A model for the dataset's CPU only (the registry prefers it on "
             "that CPU), not for the whole architecture family"),
    cl::sub(trainCmd));
static cl::opt<unsigned> minChildWeight("min-child-weight",
                                        cl::desc("XGBoost min_child_weight"),
                                        cl::init(2), cl::sub(trainCmd));
static cl::opt<double> colsample("colsample",
                                 cl::desc("XGBoost colsample_bytree"),
                                 cl::init(0.8), cl::sub(trainCmd));
static cl::list<std::string>
    ignoreFeatures("ignore-features",
                   cl::desc("Feature name prefixes the model may not use"),
                   cl::CommaSeparated, cl::sub(trainCmd));
static cl::opt<double> pairWeight(
    "pair-weight",
    cl::desc("Weight of the regressor's within-group ranking term (0: squared "
             "error only)"),
    cl::init(PairwiseTermOptions().weight), cl::sub(trainCmd));
static cl::opt<double>
    pairTemperature("pair-temperature",
                    cl::desc("Temperature of the ranking term, in log latency"),
                    cl::init(PairwiseTermOptions().temperature),
                    cl::sub(trainCmd));
static cl::list<double> topWeights(
    "top-weight",
    cl::desc("Extra weight of the pairs whose faster kernel is its group's "
             "best; several (comma-separated) train one regressor each, "
             "blended into the model's booster"),
    cl::CommaSeparated, cl::sub(trainCmd));
static cl::opt<unsigned> threads("threads", cl::desc("XGBoost threads"),
                                 cl::init(1), cl::sub(trainCmd));

// eval, predict, bench-predict
static cl::opt<std::string> modelFile("model", cl::desc("Model file"),
                                      cl::value_desc("file"), cl::sub(evalCmd),
                                      cl::sub(predictCmd), cl::sub(benchCmd));
static cl::opt<bool> allRows("all", cl::desc("Evaluate on every row"),
                             cl::sub(evalCmd));
static cl::opt<bool> perGroup("groups", cl::desc("Print every group"),
                              cl::sub(evalCmd));
static cl::opt<unsigned> minGroup("min-group",
                                  cl::desc("Skip smaller kernel groups"),
                                  cl::init(5), cl::sub(evalCmd));
static cl::opt<std::string> jsonOutput("json",
                                       cl::desc("Also write the results here"),
                                       cl::sub(evalCmd));
static cl::opt<bool>
    printSchema("schema",
                cl::desc("Print the feature schema (version, names) and exit"),
                cl::sub(featuresCmd));
static cl::opt<std::string> predictionsOutput(
    "predictions",
    cl::desc("Write every evaluated row's measured and predicted latency "
             "(CSV)"),
    cl::sub(evalCmd));
static cl::opt<bool> analyticalOnly("analytical",
                                    cl::desc("Use the analytical model"),
                                    cl::sub(predictCmd), cl::sub(benchCmd));
static cl::opt<unsigned> candidates("candidates",
                                    cl::desc("Candidates per batch"),
                                    cl::init(1000), cl::sub(benchCmd));
static cl::opt<unsigned>
    batches("batches",
            cl::desc("Timed batches per family, after an untimed one; the "
                     "median is reported"),
            cl::init(5), cl::sub(benchCmd));

static std::string commandLine(int argc, char **argv) {
  std::string text;
  for (int i = 0; i < argc; ++i) {
    if (i)
      text += ' ';
    text += i == 0 ? std::string("tessera-cost") : std::string(argv[i]);
  }
  return text;
}

static int fail(const Twine &message) {
  llvm::errs() << "tessera-cost: error: " << message << "\n";
  return 1;
}

//===----------------------------------------------------------------------===//
// Subcommands
//===----------------------------------------------------------------------===//

static int runCollectCommand() {
  if (outputFile.empty() && !listVariants)
    return fail("collect needs -o <dataset.csv>");
  CollectOptions options;
  options.output = outputFile;
  auto [index, count] = StringRef(shard).split('/');
  if (index.getAsInteger(10, options.shardIndex) ||
      count.getAsInteger(10, options.shardCount) || options.shardCount == 0 ||
      options.shardIndex >= options.shardCount)
    return fail("--shard takes i/n with 0 <= i < n, got '" + shard + "'");
  options.heldOutOnly = heldOutOnly;
  options.variants.seed = seed;
  options.variants.schedulesPerGroup = schedules;
  options.variants.groupScale = groupScale;
  if (!families.empty()) {
    SmallVector<StringRef> names;
    StringRef(families).split(names, ',', -1, false);
    for (StringRef name : names) {
      if (!llvm::is_contained(getKernelFamilies(), name))
        return fail("unknown kernel family '" + name +
                    "' (known: " + llvm::join(getKernelFamilies(), ", ") + ")");
      options.variants.families.push_back(name.str());
    }
  }
  if (listVariants) {
    std::vector<KernelVariant> variants = enumerateVariants(options.variants);
    size_t listed = 0, groupIndex = 0;
    for (size_t i = 0; i < variants.size(); ++i) {
      if (i > 0 && variants[i].group() != variants[i - 1].group())
        ++groupIndex;
      if (!isGroupSelected(options, groupIndex, variants[i].group()))
        continue;
      if (limit && listed++ >= limit)
        break;
      if (!emitMLIR) {
        llvm::outs() << variants[i].key() << "\n";
        continue;
      }
      std::string error;
      FailureOr<KernelSource> source =
          generateKernel(variants[i], "k" + std::to_string(i), &error);
      if (failed(source))
        return fail(error);
      llvm::outs() << "// " << variants[i].key() << "\n" << source->text;
    }
    return 0;
  }
  options.limit = limit;
  options.batchSize = std::max(1u, batchSize.getValue());
  options.repeats = std::max(3u, repeats.getValue());
  options.minSampleUs = minSampleUs;
  options.kernelTimeoutSec = kernelTimeout;
  options.compileTimeoutSec = compileTimeout;
  options.quiet = quiet;
  options.check = checkResults;
  options.codegenFactsFile = codegenFacts;
  options.samplesFile = samplesFile;
  return runCollect(options);
}

static int runMergeCommand() {
  if (outputFile.empty() || inputFiles.empty())
    return fail("merge needs -o <out.csv> and the shards");
  std::string error;
  FailureOr<Dataset> merged =
      mergeDatasets(inputFiles, &error,
                    geomean ? MergeRule::GeometricMean : MergeRule::FirstRow);
  if (failed(merged))
    return fail(error);
  if (labelsOnly) {
    merged->featureNames.clear();
    for (DatasetRow &row : merged->rows)
      row.features.clear();
  }
  if (failed(merged->write(outputFile, &error)))
    return fail(error);
  llvm::errs() << llvm::formatv("merged {0} rows from {1} files into {2}\n",
                                merged->rows.size(), inputFiles.size(),
                                outputFile);
  return 0;
}

/// Reads and merges the positional datasets; checks the schema.
static FailureOr<Dataset> readDatasets(std::string *error) {
  if (inputFiles.empty()) {
    *error = "no dataset given";
    return failure();
  }
  FailureOr<Dataset> dataset = inputFiles.size() == 1
                                   ? Dataset::read(inputFiles.front(), error)
                                   : mergeDatasets(inputFiles, error);
  if (failed(dataset))
    return failure();
  if (failed(dataset->checkCurrent(error)))
    return failure();
  return dataset;
}

static double percentile(std::vector<double> values, double p) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  size_t i = std::min(values.size() - 1,
                      static_cast<size_t>(std::floor(p * (values.size() - 1))));
  return values[i];
}

static int runSummaryCommand() {
  std::string error;
  if (inputFiles.empty())
    return fail("summary needs a dataset");
  FailureOr<Dataset> dataset = Dataset::read(inputFiles.front(), &error);
  if (failed(dataset))
    return fail(error);
  struct Family {
    size_t ok = 0, failed = 0;
    llvm::StringSet<> groups;
    std::vector<double> latency, noise;
  };
  llvm::MapVector<StringRef, Family> families;
  llvm::StringMap<size_t> statuses;
  Family total;
  for (const DatasetRow &row : dataset->rows) {
    Family &f = families[row.family];
    statuses[row.status] += 1;
    for (Family *x : {&f, &total}) {
      x->groups.insert(row.group);
      if (row.isOk()) {
        ++x->ok;
        x->latency.push_back(row.latencyUs);
        x->noise.push_back(row.noise);
      } else {
        ++x->failed;
      }
    }
  }
  llvm::outs() << "dataset " << inputFiles.front() << ": target '"
               << dataset->target << "', feature schema v"
               << dataset->schemaVersion << " (" << dataset->schemaFingerprint
               << ")\n\n";
  llvm::outs() << "| family | groups | measured | failed | latency us "
                  "(min / median / max) | noise (median / p90) |\n"
               << "| --- | ---: | ---: | ---: | --- | --- |\n";
  auto line = [&](StringRef name, Family &f) {
    llvm::outs() << llvm::formatv(
        "| {0} | {1} | {2} | {3} | {4:f1} / {5:f1} / {6:f1} | {7:p} / {8:p} "
        "|\n",
        name, f.groups.size(), f.ok, f.failed, percentile(f.latency, 0),
        percentile(f.latency, 0.5), percentile(f.latency, 1),
        percentile(f.noise, 0.5), percentile(f.noise, 0.9));
  };
  for (auto &[name, f] : families)
    line(name, f);
  line("**all**", total);
  llvm::outs() << "\nstatus:";
  for (auto &entry : statuses)
    llvm::outs() << " " << entry.getKey() << "=" << entry.getValue();
  llvm::outs() << "\n";
  return 0;
}

static int runTrainCommand(int argc, char **argv) {
  if (outputFile.empty())
    return fail("train needs -o <model.json>");
  std::string error;
  FailureOr<Dataset> dataset = readDatasets(&error);
  if (failed(dataset))
    return fail(error);
  TrainOptions options;
  options.name = modelName;
  options.rounds = rounds;
  options.maxDepth = maxDepth;
  options.eta = eta;
  options.holdoutPercent = holdoutPercent;
  options.holdoutSalt = holdoutSalt;
  options.rank = !noRank;
  options.residual = !absoluteLabel;
  options.cpuSpecific = forCPU;
  options.rankObjective = rankObjective;
  options.ignoredFeatures.assign(ignoreFeatures.begin(), ignoreFeatures.end());
  options.minChildWeight = minChildWeight;
  options.colsample = colsample;
  std::vector<double> weights(topWeights.begin(), topWeights.end());
  if (weights.empty())
    weights.push_back(PairwiseTermOptions().topWeight);
  options.regressors.clear();
  for (double weight : weights) {
    PairwiseTermOptions terms;
    terms.weight = pairWeight;
    terms.temperature = pairTemperature;
    terms.topWeight = weight;
    options.regressors.push_back(terms);
  }
  options.threads = threads;
  options.seed = seed;
  options.commands.push_back(commandLine(argc, argv));
  options.datasetPaths.assign(inputFiles.begin(), inputFiles.end());
  FailureOr<ModelFileContents> contents =
      trainModel(*dataset, options, &error, quiet ? nullptr : &llvm::errs());
  if (failed(contents))
    return fail(error);
  if (failed(writeModelFile(outputFile, *contents, &error)))
    return fail(error);
  if (!quiet)
    llvm::errs() << "wrote " << outputFile << "\n";
  return 0;
}

static int runEvalCommand() {
  if (modelFile.empty())
    return fail("eval needs --model <model.json>");
  std::string error;
  FailureOr<Dataset> dataset = readDatasets(&error);
  if (failed(dataset))
    return fail(error);
  FailureOr<std::unique_ptr<LearnedCostModel>> model =
      LearnedCostModel::load(modelFile, &error);
  if (failed(model))
    return fail(error);
  const llvm::json::Object *holdout =
      (*model)->getTrainingInfo().getObject("holdout");
  unsigned percent = holdout ? holdout->getInteger("percent").value_or(20) : 20;
  std::string salt =
      holdout ? holdout->getString("salt").value_or("tessera-v1").str()
              : "tessera-v1";

  std::vector<size_t> rows;
  llvm::StringSet<> groups;
  for (auto [i, row] : llvm::enumerate(dataset->rows)) {
    if (!row.isOk())
      continue;
    if (!allRows && !isHeldOut(row.group, percent, salt))
      continue;
    rows.push_back(i);
    groups.insert(row.group);
  }
  if (rows.empty())
    return fail("no rows to evaluate (held-out split empty?)");
  size_t numColumns = FeatureSchema::size();
  std::vector<float> matrix(rows.size() * numColumns);
  for (auto [i, r] : llvm::enumerate(rows))
    std::copy(dataset->rows[r].features.begin(),
              dataset->rows[r].features.end(), matrix.begin() + i * numColumns);

  std::vector<double> learned(rows.size()), ranked(rows.size()),
      analytical(rows.size());
  auto start = std::chrono::steady_clock::now();
  (*model)->predictFeatures(matrix, rows.size(), learned);
  double predictUs = std::chrono::duration<double, std::micro>(
                         std::chrono::steady_clock::now() - start)
                         .count() /
                     rows.size();
  bool haveRanker = (*model)->rankFeatures(matrix, rows.size(), ranked);
  for (auto [i, r] : llvm::enumerate(rows))
    analytical[i] =
        evaluateRoofline(rooflineTermsFromFeatures(dataset->rows[r].features),
                         (*model)->getAnalyticalParams());

  if (!predictionsOutput.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(predictionsOutput, ec);
    if (ec)
      return fail("cannot write '" + predictionsOutput + "': " + ec.message());
    os << "key,group,family,measured_us,learned_us,rank_score,analytical_us\n";
    for (auto [i, r] : llvm::enumerate(rows)) {
      const DatasetRow &row = dataset->rows[r];
      os << row.key << ',' << row.group << ',' << row.family << ','
         << llvm::format("%.7g", row.latencyUs) << ','
         << llvm::format("%.7g", learned[i]) << ','
         << llvm::format("%.7g", haveRanker ? ranked[i] : 0.0) << ','
         << llvm::format("%.7g", analytical[i]) << "\n";
    }
  }
  EvalSummary learnedSummary =
      evaluatePredictions(*dataset, rows, learned, true, minGroup);
  EvalSummary rankSummary =
      haveRanker ? evaluatePredictions(*dataset, rows, ranked, false, minGroup)
                 : EvalSummary();
  EvalSummary analyticalSummary =
      evaluatePredictions(*dataset, rows, analytical, true, minGroup);

  llvm::outs() << llvm::formatv(
      "{0}: {1} rows in {2} kernel groups{3} (groups of at least {4} rows: "
      "{5})\n\n",
      allRows ? "all rows" : "held-out split", rows.size(), groups.size(),
      allRows ? "" : " whose shapes training never saw", minGroup.getValue(),
      learnedSummary.groups.size());
  llvm::outs() << "| metric | learned (regression) | learned (ranking) | "
                  "analytical (roofline) |\n| --- | ---: | ---: | ---: |\n";
  auto row3 = [&](StringRef name, auto get, bool pct, bool forRank = true) {
    auto fmt = [&](const EvalSummary &s, bool valid) -> std::string {
      if (!valid)
        return "-";
      double v = get(s);
      return pct ? llvm::formatv("{0:f1}%", 100 * v).str()
                 : llvm::formatv("{0:f3}", v).str();
    };
    llvm::outs() << "| " << name << " | " << fmt(learnedSummary, true) << " | "
                 << fmt(rankSummary, haveRanker && forRank) << " | "
                 << fmt(analyticalSummary, true) << " |\n";
  };
  row3(
      "MAPE", [](const EvalSummary &s) { return s.mape; }, true, false);
  row3(
      "Kendall tau (mean over groups)",
      [](const EvalSummary &s) { return s.meanKendallTau; }, false);
  row3(
      "Kendall tau (median over groups)",
      [](const EvalSummary &s) { return s.medianKendallTau; }, false);
  row3(
      "pairwise accuracy (mean over groups)",
      [](const EvalSummary &s) { return s.meanPairwiseAccuracy; }, true);
  row3(
      "Kendall tau (pooled over all rows)",
      [](const EvalSummary &s) { return s.pooledKendallTau; }, false, false);
  row3(
      "pairwise accuracy (pooled over all rows)",
      [](const EvalSummary &s) { return s.pooledPairwiseAccuracy; }, true,
      false);
  row3(
      "top-1 score (mean)", [](const EvalSummary &s) { return s.meanTop1; },
      false);
  row3(
      "groups with top-1 >= 0.9",
      [](const EvalSummary &s) { return s.top1AtLeast90; }, true);
  row3(
      "top-5 score (mean)", [](const EvalSummary &s) { return s.meanTop5; },
      false);
  row3(
      "groups with top-5 >= 0.9",
      [](const EvalSummary &s) { return s.top5AtLeast90; }, true);
  llvm::outs() << llvm::formatv(
      "\nlearned prediction from features: {0:f2} us per candidate (batch of "
      "{1}, 1 thread)\n",
      predictUs, rows.size());
  // XGBoost's own predictor on the same rows, side by side: the reference the
  // tree ensemble must equal bit for bit, and the speed it is measured by.
  double xgboostUs = 0;
  FailureOr<std::vector<float>> reference =
      predictWithXGBoost(modelFile, matrix, rows.size(), &xgboostUs, &error);
  if (failed(reference))
    return fail(error);
  std::vector<float> margins(rows.size());
  (*model)->predictMargins(matrix, rows.size(), margins);
  size_t differ = 0;
  for (auto [ours, theirs] : llvm::zip(margins, *reference))
    differ += std::memcmp(&ours, &theirs, sizeof(float)) != 0;
  llvm::outs() << llvm::formatv(
      "XGBoost's predictor on the same rows: {0:f2} us per candidate ({1:f1}x "
      "the tree ensemble's time); predictions that differ: {2} of {3}\n",
      xgboostUs / rows.size(), xgboostUs / rows.size() / predictUs, differ,
      rows.size());
  if (differ)
    return fail("the tree ensemble's predictions differ from XGBoost's");

  // Per family.
  llvm::outs() << "\n| family | groups | tau learned | tau analytical | "
                  "top-1 learned | top-1 analytical |\n| --- | ---: | ---: | "
                  "---: | ---: | ---: |\n";
  llvm::MapVector<StringRef, std::array<double, 5>> byFamily;
  for (auto [l, a] :
       llvm::zip(learnedSummary.groups, analyticalSummary.groups)) {
    auto &f = byFamily[l.family];
    f[0] += 1;
    f[1] += l.kendallTau;
    f[2] += a.kendallTau;
    f[3] += l.top1;
    f[4] += a.top1;
  }
  for (auto &[family, f] : byFamily)
    llvm::outs() << llvm::formatv("| {0} | {1:f0} | {2:f3} | {3:f3} | {4:f3} | "
                                  "{5:f3} |\n",
                                  family, f[0], f[1] / f[0], f[2] / f[0],
                                  f[3] / f[0], f[4] / f[0]);
  if (perGroup) {
    llvm::outs() << "\n| group | rows | MAPE | tau | pairwise | top-1 | top-5 "
                    "| tau analytical | top-1 analytical |\n| --- | ---: | "
                    "---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
    for (auto [l, a] :
         llvm::zip(learnedSummary.groups, analyticalSummary.groups))
      llvm::outs() << llvm::formatv(
          "| {0} | {1} | {2:p} | {3:f3} | {4:p} | {5:f3} | {6:f3} | {7:f3} | "
          "{8:f3} |\n",
          l.group, l.size, l.mape, l.kendallTau, l.pairwiseAccuracy, l.top1,
          l.top5, a.kendallTau, a.top1);
  }
  if (!jsonOutput.empty()) {
    auto toJSON = [](const EvalSummary &s) {
      return llvm::json::Object{
          {"rows", static_cast<int64_t>(s.rows)},
          {"groups", static_cast<int64_t>(s.groups.size())},
          {"mape", s.mape},
          {"kendall_tau_mean", s.meanKendallTau},
          {"kendall_tau_median", s.medianKendallTau},
          {"pairwise_accuracy", s.meanPairwiseAccuracy},
          {"top1_mean", s.meanTop1},
          {"top1_at_least_0.9", s.top1AtLeast90},
          {"top5_mean", s.meanTop5},
          {"top5_at_least_0.9", s.top5AtLeast90},
          {"kendall_tau_pooled", s.pooledKendallTau},
          {"pairwise_accuracy_pooled", s.pooledPairwiseAccuracy}};
    };
    llvm::json::Object root{{"learned", toJSON(learnedSummary)},
                            {"analytical", toJSON(analyticalSummary)},
                            {"predict_us_per_candidate", predictUs}};
    if (haveRanker)
      root["learned_rank"] = toJSON(rankSummary);
    std::error_code ec;
    llvm::raw_fd_ostream os(jsonOutput, ec);
    if (ec)
      return fail("cannot write '" + jsonOutput + "': " + ec.message());
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  }
  return 0;
}

/// Parses an MLIR file with every dialect Tessera knows; diagnostics point
/// into the file while `sourceMgr` lives.
static OwningOpRef<ModuleOp>
parseInput(MLIRContext &ctx, llvm::SourceMgr &sourceMgr, StringRef path) {
  std::string error;
  auto file = mlir::openInputFile(path, &error);
  if (!file) {
    fail(error);
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, &ctx);
}

/// The kernels of a module: linalg operators and outermost loops.
static SmallVector<Operation *> collectKernels(ModuleOp module) {
  SmallVector<Operation *> kernels;
  module->walk([&](Operation *op) {
    if (isa<linalg::LinalgOp>(op) || isLoopNestKernel(op))
      kernels.push_back(op);
  });
  return kernels;
}

/// The cost model for a module: --model, else the registry's for the
/// module's #tessera.target (or the host). Null with a message on failure.
static std::unique_ptr<CostModel> selectModel(ModuleOp module,
                                              std::string *error) {
  if (analyticalOnly)
    return std::make_unique<RooflineCostModel>();
  if (!modelFile.empty()) {
    FailureOr<std::unique_ptr<CostModel>> model =
        CostModelRegistry::instance().loadFile(modelFile, error);
    return succeeded(model) ? std::move(*model) : nullptr;
  }
  TargetDesc target = TargetDesc::host();
  if (auto attr =
          module->getAttrOfType<mlir::tessera::TargetAttr>("tessera.target"))
    target = TargetDesc::fromAttr(attr);
  std::string warning;
  std::unique_ptr<CostModel> model =
      CostModelRegistry::instance().getModelFor(target, &warning);
  if (!warning.empty())
    llvm::errs() << "tessera-cost: warning: " << warning << "\n";
  return model;
}

static std::string describeLocation(Operation *op) {
  auto func = op->getParentOfType<func::FuncOp>();
  std::string text = func ? ("@" + func.getSymName()).str() : "<module>";
  return text + " " + op->getName().getStringRef().str();
}

static int runPredictCommand(MLIRContext &ctx) {
  if (inputFiles.size() != 1)
    return fail("predict takes one MLIR file");
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &ctx);
  OwningOpRef<ModuleOp> module = parseInput(ctx, sourceMgr, inputFiles.front());
  if (!module)
    return 1;
  std::string error;
  std::unique_ptr<CostModel> model = selectModel(*module, &error);
  if (!model)
    return fail(error);
  int status = 0;
  for (Operation *op : collectKernels(*module)) {
    // Results and diagnostics in program order.
    llvm::outs().flush();
    FailureOr<Prediction> prediction = model->predict(op, &error);
    if (failed(prediction)) {
      op->emitError("cost model: ") << error;
      status = 1;
      continue;
    }
    if (!prediction->fallbackReason.empty())
      op->emitWarning("cost model: ")
          << prediction->fallbackReason << "; using the analytical model";
    llvm::outs() << llvm::formatv("{0}: {1:f2} us ({2})\n",
                                  describeLocation(op), prediction->latencyUs,
                                  prediction->source);
    llvm::outs().flush();
  }
  return status;
}

static int runFeaturesCommand(MLIRContext &ctx) {
  if (printSchema) {
    llvm::outs() << "feature schema v" << FeatureSchema::kVersion << " ("
                 << FeatureSchema::fingerprint() << "), "
                 << FeatureSchema::size() << " features\n";
    for (auto [i, name] : llvm::enumerate(FeatureSchema::names()))
      llvm::outs() << i << " " << name << "\n";
    return 0;
  }
  if (inputFiles.size() != 1)
    return fail("features takes one MLIR file");
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &ctx);
  OwningOpRef<ModuleOp> module = parseInput(ctx, sourceMgr, inputFiles.front());
  if (!module)
    return 1;
  int status = 0;
  ArrayRef<std::string> names = FeatureSchema::names();
  for (Operation *op : collectKernels(*module)) {
    std::string error;
    FailureOr<KernelDescription> kernel = describeKernel(op, &error);
    if (failed(kernel)) {
      op->emitError("cost model: ") << error;
      status = 1;
      continue;
    }
    llvm::outs() << describeLocation(op) << ": kind "
                 << stringifyOpKind(kernel->kind) << "\n";
    SmallVector<float> features = computeFeatures(*kernel);
    for (auto [name, value] : llvm::zip(names, features))
      if (value != 0 && !StringRef(name).starts_with("ir_token_"))
        llvm::outs() << "  " << name << " = "
                     << llvm::format("%.7g", static_cast<double>(value))
                     << "\n";
  }
  return status;
}

/// Recomputes the features of every measured row from its kernel (family,
/// shape and schedule), so a dataset outlives changes of the feature schema.
static int runRefeatureCommand(MLIRContext &ctx) {
  if (outputFile.empty() || inputFiles.size() != 1)
    return fail("refeature needs -o <out.csv> and one dataset");
  std::string error;
  FailureOr<Dataset> input = Dataset::read(inputFiles.front(), &error);
  if (failed(input))
    return fail(error);
  Dataset output = Dataset::create(input->target, input->latencyStatistic);
  // New features, the same measurements: of the input's code generation.
  output.codegenVersion = input->codegenVersion;
  size_t dropped = 0;
  for (DatasetRow &row : input->rows) {
    if (!row.isOk()) {
      row.features.clear();
      output.rows.push_back(std::move(row));
      continue;
    }
    KernelVariant variant;
    variant.family = row.family;
    variant.config = row.config;
    bool ok = StringRef(row.group).starts_with(row.family + "_");
    StringRef shape =
        ok ? StringRef(row.group).drop_front(row.family.size() + 1) : "";
    SmallVector<StringRef> dims;
    shape.split(dims, 'x', -1, false);
    for (StringRef dim : dims) {
      int64_t value;
      ok &= !dim.getAsInteger(10, value);
      variant.shape.push_back(value);
    }
    FailureOr<KernelSource> source =
        ok ? generateKernel(variant, "k", &error) : FailureOr<KernelSource>();
    OwningOpRef<ModuleOp> module =
        succeeded(source) ? parseSourceString<ModuleOp>(source->text, &ctx)
                          : nullptr;
    SmallVector<Operation *> kernels =
        module ? collectKernels(*module) : SmallVector<Operation *>();
    FailureOr<KernelDescription> kernel =
        kernels.empty() ? FailureOr<KernelDescription>()
                        : describeOperator(kernels.front(), &error);
    if (failed(kernel)) {
      ++dropped;
      continue;
    }
    SmallVector<float> features = computeFeatures(*kernel);
    row.features.assign(features.begin(), features.end());
    output.rows.push_back(std::move(row));
  }
  if (failed(output.write(outputFile, &error)))
    return fail(error);
  llvm::errs() << llvm::formatv("refeature: {0} rows written to {1} (feature "
                                "schema v{2}, {3}); {4} rows of unknown "
                                "kernels dropped\n",
                                output.rows.size(), outputFile,
                                FeatureSchema::kVersion,
                                FeatureSchema::fingerprint(), dropped);
  return 0;
}

static int runBenchCommand(MLIRContext &ctx) {
  if (batches == 0 || candidates == 0)
    return fail("--batches and --candidates must be at least 1");
  // One group of each family, its schedules repeated to `candidates`.
  VariantOptions variantOptions;
  variantOptions.groupScale = 0.01;
  if (!families.empty()) {
    SmallVector<StringRef> names;
    StringRef(families).split(names, ',', -1, false);
    for (StringRef name : names)
      variantOptions.families.push_back(name.str());
  }
  std::vector<KernelVariant> variants = enumerateVariants(variantOptions);
  std::string error;
  OwningOpRef<ModuleOp> empty = ModuleOp::create(UnknownLoc::get(&ctx));
  std::unique_ptr<CostModel> model = selectModel(*empty, &error);
  if (!model)
    return fail(error);
  llvm::outs() << llvm::formatv(
      "| family | candidates | us per candidate (describe + features + "
      "predict; median of {0} batches) |\n| --- | ---: | ---: |\n",
      batches);
  double total = 0;
  unsigned count = 0;
  for (size_t i = 0; i < variants.size();) {
    size_t end = i;
    while (end < variants.size() &&
           variants[end].group() == variants[i].group())
      ++end;
    FailureOr<KernelSource> source = generateKernel(variants[i], "k", &error);
    if (failed(source))
      return fail(error);
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(source->text, &ctx);
    if (!module)
      return fail("cannot parse a generated kernel");
    Operation *op = collectKernels(*module).front();
    SmallVector<mlir::tessera::KernelConfigAttr> configs;
    while (configs.size() < candidates) {
      for (size_t v = i; v < end && configs.size() < candidates; ++v) {
        FailureOr<mlir::tessera::KernelConfigAttr> config =
            parseCompactConfig(&ctx, variants[v].config, &error);
        if (failed(config))
          return fail(error);
        configs.push_back(*config);
      }
    }
    // A search asks the model again and again: the first batch warms the
    // caches and allocations, the median of the rest is what a batch costs.
    std::vector<double> times;
    for (unsigned b = 0; b <= batches; ++b) {
      SmallVector<Prediction> predictions;
      auto start = std::chrono::steady_clock::now();
      if (failed(model->predictConfigs(op, configs, predictions, &error)))
        return fail(error);
      if (b > 0)
        times.push_back(std::chrono::duration<double, std::micro>(
                            std::chrono::steady_clock::now() - start)
                            .count() /
                        configs.size());
    }
    double us = median(std::move(times));
    llvm::outs() << llvm::formatv("| {0} | {1} | {2:f2} |\n",
                                  variants[i].family, configs.size(), us);
    total += us;
    ++count;
    i = end;
  }
  llvm::outs() << llvm::formatv("| **mean** | | {0:f2} |\n",
                                count ? total / count : 0.0);
  llvm::outs() << "model: " << model->getName() << "\n";
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  cl::ParseCommandLineOptions(argc, argv, "Tessera cost model tool\n");

  if (collectCmd)
    return runCollectCommand();
  if (mergeCmd)
    return runMergeCommand();
  if (summaryCmd)
    return runSummaryCommand();
  if (trainCmd)
    return runTrainCommand(argc, argv);
  if (evalCmd)
    return runEvalCommand();

  DialectRegistry registry;
  ::tessera::registerAllDialects(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  ctx.printOpOnDiagnostic(false);
  if (predictCmd)
    return runPredictCommand(ctx);
  if (featuresCmd)
    return runFeaturesCommand(ctx);
  if (refeatureCmd)
    return runRefeatureCommand(ctx);
  if (benchCmd)
    return runBenchCommand(ctx);
  cl::PrintHelpMessage();
  return 1;
}
