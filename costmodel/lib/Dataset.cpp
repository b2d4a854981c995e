//===- Dataset.cpp - Measured datasets of the cost model ------------------===//

#include "tessera/CostModel/Dataset.h"
#include "tessera/CostModel/Features.h"
#include "tessera/CostModel/Schedule.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

using namespace mlir;

namespace tessera::cost {

static const char *const kFixedColumns[kDatasetFixedColumns] = {
    "key",        "group", "family",  "config",  "status",
    "latency_us", "noise", "repeats", "rejected"};

Dataset Dataset::create(StringRef target, StringRef latencyStatistic) {
  Dataset dataset;
  dataset.latencyStatistic = latencyStatistic.str();
  dataset.codegenVersion = kCodegenVersion;
  dataset.schemaVersion = FeatureSchema::kVersion;
  dataset.schemaFingerprint = FeatureSchema::fingerprint().str();
  dataset.target = target.str();
  dataset.featureNames = FeatureSchema::names().vec();
  return dataset;
}

std::string Dataset::header() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "# tessera-cost-dataset " << kDatasetVersion << "\n";
  os << "# feature-schema " << schemaVersion << " " << schemaFingerprint
     << "\n";
  os << "# target " << target << "\n";
  if (latencyStatistic != kLegacyLatencyStatistic)
    os << "# latency " << latencyStatistic << "\n";
  if (codegenVersion != kUnrecordedCodegenVersion)
    os << "# codegen " << codegenVersion << "\n";
  for (unsigned i = 0; i < kDatasetFixedColumns; ++i)
    os << (i ? "," : "") << kFixedColumns[i];
  for (const std::string &name : featureNames)
    os << ",f." << name;
  os << "\n";
  return text;
}

/// Makes a string safe for a CSV field without quoting.
static std::string field(StringRef text) {
  std::string out = text.str();
  for (char &c : out)
    if (c == ',' || c == '\n' || c == '\r' || c == '"')
      c = ' ';
  return out;
}

std::string Dataset::formatRow(const DatasetRow &row, size_t numFeatures) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << field(row.key) << ',' << field(row.group) << ',' << field(row.family)
     << ',' << field(row.config) << ',' << field(row.status) << ',';
  if (row.isOk())
    os << llvm::format("%.7g", static_cast<double>(row.latencyUs)) << ','
       << llvm::format("%.7g", static_cast<double>(row.noise));
  else
    os << ',';
  os << ',' << row.repeats << ',' << row.rejected;
  for (float f : row.features)
    os << ',' << llvm::format("%.7g", static_cast<double>(f));
  // Failed rows have no features: empty cells keep the column count.
  for (size_t i = row.features.size(); i < numFeatures; ++i)
    os << ',';
  return text;
}

LogicalResult Dataset::write(StringRef path, std::string *error) const {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    if (error)
      *error = llvm::formatv("cannot write '{0}': {1}", path, ec.message());
    return failure();
  }
  os << header();
  for (const DatasetRow &row : rows)
    os << formatRow(row, featureNames.size()) << "\n";
  return success();
}

llvm::StringSet<> Dataset::keys() const {
  llvm::StringSet<> set;
  for (const DatasetRow &row : rows)
    set.insert(row.key);
  return set;
}

LogicalResult Dataset::checkCurrent(std::string *error) const {
  auto fail = [&](const Twine &message) {
    if (error)
      *error = message.str();
    return failure();
  };
  if (schemaVersion != FeatureSchema::kVersion ||
      schemaFingerprint != FeatureSchema::fingerprint())
    return fail(llvm::formatv(
        "the dataset has feature schema v{0} ({1}); this build computes v{2} "
        "({3}): collect it again",
        schemaVersion, schemaFingerprint, FeatureSchema::kVersion,
        FeatureSchema::fingerprint()));
  ArrayRef<std::string> names = FeatureSchema::names();
  if (featureNames.size() != names.size())
    return fail(llvm::formatv(
        "the dataset has {0} feature columns; schema v{1} "
        "has {2}",
        featureNames.size(), FeatureSchema::kVersion, names.size()));
  for (auto [i, name] : llvm::enumerate(featureNames))
    if (name != names[i])
      return fail(llvm::formatv("feature column {0} is '{1}'; schema v{2} "
                                "expects '{3}'",
                                i, name, FeatureSchema::kVersion, names[i]));
  if (codegenVersion != kCodegenVersion)
    return fail(llvm::formatv(
        "the dataset's latencies were measured under code generation v{0}; "
        "this build compiles kernel configurations differently (v{1}): "
        "collect it again",
        codegenVersion, kCodegenVersion));
  return success();
}

/// A finite decimal number, the whole cell (no spaces, nan or inf).
static bool parseNumber(StringRef text, double &value) {
  if (text.empty() || llvm::isSpace(text.front()))
    return false;
  std::string copy = text.str();
  char *end = nullptr;
  value = std::strtod(copy.c_str(), &end);
  return end && *end == '\0' && std::isfinite(value);
}

FailureOr<Dataset> Dataset::read(StringRef path, std::string *error) {
  unsigned lineNumber = 0;
  auto fail = [&](const Twine &message) -> FailureOr<Dataset> {
    if (error)
      *error =
          lineNumber
              ? llvm::formatv("{0}:{1}: {2}", path, lineNumber, message.str())
                    .str()
              : llvm::formatv("{0}: {1}", path, message.str()).str();
    return failure();
  };
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return fail(buffer.getError().message());
  Dataset dataset;
  StringRef rest = (*buffer)->getBuffer();
  bool haveColumns = false, haveFormat = false;
  size_t numColumns = 0;
  SmallVector<StringRef> cells;
  while (!rest.empty()) {
    StringRef line;
    std::tie(line, rest) = rest.split('\n');
    ++lineNumber;
    line = line.rtrim("\r");
    if (line.empty())
      continue;
    if (line.starts_with("#")) {
      SmallVector<StringRef> words;
      line.drop_front().split(words, ' ', -1, false);
      if (words.size() >= 2 && words[0] == "tessera-cost-dataset") {
        unsigned version;
        if (words[1].getAsInteger(10, version) || version != kDatasetVersion)
          return fail(llvm::formatv("dataset format version '{0}', expected "
                                    "{1}",
                                    words[1], kDatasetVersion));
        haveFormat = true;
      } else if (words.size() >= 3 && words[0] == "feature-schema") {
        if (words[1].getAsInteger(10, dataset.schemaVersion))
          return fail("bad feature-schema line");
        dataset.schemaFingerprint = words[2].str();
      } else if (words.size() >= 2 && words[0] == "target") {
        dataset.target = line.drop_front().trim().drop_front(6).trim().str();
      } else if (words.size() == 2 && words[0] == "latency") {
        if (words[1] != kCollectedLatencyStatistic &&
            words[1] != kLegacyLatencyStatistic &&
            words[1] != kRepeatedLatencyStatistic)
          return fail(llvm::formatv("unknown latency statistic '{0}' "
                                    "(min, median or min-geomean)",
                                    words[1]));
        dataset.latencyStatistic = words[1].str();
      } else if (words.size() == 2 && words[0] == "codegen") {
        if (words[1].getAsInteger(10, dataset.codegenVersion))
          return fail("bad codegen line");
      }
      continue;
    }
    cells.clear();
    line.split(cells, ',');
    if (!haveColumns) {
      if (!haveFormat)
        return fail("not a tessera-cost dataset (no '# tessera-cost-dataset' "
                    "line)");
      if (cells.size() < kDatasetFixedColumns)
        return fail("the column line has too few columns");
      for (unsigned i = 0; i < kDatasetFixedColumns; ++i)
        if (cells[i] != kFixedColumns[i])
          return fail(llvm::formatv("column {0} is '{1}', expected '{2}'", i,
                                    cells[i], kFixedColumns[i]));
      for (size_t i = kDatasetFixedColumns; i < cells.size(); ++i) {
        if (!cells[i].starts_with("f."))
          return fail(llvm::formatv("feature column '{0}' lacks the 'f.' "
                                    "prefix",
                                    cells[i]));
        dataset.featureNames.push_back(cells[i].drop_front(2).str());
      }
      numColumns = cells.size();
      haveColumns = true;
      continue;
    }
    if (cells.size() != numColumns)
      return fail(llvm::formatv("the row has {0} columns; the header has {1}",
                                cells.size(), numColumns));
    DatasetRow row;
    row.key = cells[0].str();
    row.group = cells[1].str();
    row.family = cells[2].str();
    row.config = cells[3].str();
    row.status = cells[4].str();
    double value;
    if (row.isOk()) {
      if (!parseNumber(cells[5], row.latencyUs) || !(row.latencyUs > 0))
        return fail(llvm::formatv("bad latency '{0}'", cells[5]));
      if (!parseNumber(cells[6], row.noise))
        return fail(llvm::formatv("bad noise '{0}'", cells[6]));
    }
    if (cells[7].getAsInteger(10, row.repeats) ||
        cells[8].getAsInteger(10, row.rejected))
      return fail("bad repeat counts");
    if (row.isOk()) {
      row.features.reserve(numColumns - kDatasetFixedColumns);
      for (size_t i = kDatasetFixedColumns; i < numColumns; ++i) {
        if (!parseNumber(cells[i], value))
          return fail(llvm::formatv(
              "feature '{0}' is not a number: '{1}'",
              dataset.featureNames[i - kDatasetFixedColumns], cells[i]));
        row.features.push_back(static_cast<float>(value));
      }
    }
    dataset.rows.push_back(std::move(row));
  }
  lineNumber = 0;
  if (!haveColumns)
    return fail("the dataset has no column line");
  return dataset;
}

LogicalResult appendToDataset(StringRef path, const Dataset &headerOf,
                              ArrayRef<DatasetRow> rows, std::string *error) {
  std::string header = headerOf.header();
  if (llvm::sys::fs::exists(path)) {
    auto buffer = llvm::MemoryBuffer::getFile(path);
    if (!buffer) {
      if (error)
        *error = llvm::formatv("{0}: {1}", path, buffer.getError().message());
      return failure();
    }
    if (!(*buffer)->getBuffer().starts_with(header)) {
      if (error)
        *error = llvm::formatv("{0}: its header (format, feature schema, "
                               "target or columns) differs from this "
                               "collection's; write to another file",
                               path)
                     .str();
      return failure();
    }
  }
  bool create = !llvm::sys::fs::exists(path);
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Append);
  if (ec) {
    if (error)
      *error = llvm::formatv("cannot write '{0}': {1}", path, ec.message());
    return failure();
  }
  if (create)
    os << header;
  for (const DatasetRow &row : rows)
    os << Dataset::formatRow(row, headerOf.featureNames.size()) << "\n";
  os.flush();
  return success();
}

/// Replaces each key's row by the geometric mean of its measured rows
/// (MergeRule::GeometricMean); `rowsOfKey` are indices into `rows`, the first
/// the one the key keeps.
static void averageRepeats(std::vector<DatasetRow> &rows,
                           ArrayRef<SmallVector<size_t, 4>> rowsOfKey) {
  std::vector<DatasetRow> averaged;
  averaged.reserve(rowsOfKey.size());
  for (ArrayRef<size_t> indices : rowsOfKey) {
    DatasetRow *first = nullptr;
    double logSum = 0;
    unsigned measured = 0, repeats = 0, rejected = 0;
    double noise = 0;
    for (size_t index : indices) {
      DatasetRow &row = rows[index];
      if (!row.isOk())
        continue;
      if (!first)
        first = &row;
      logSum += std::log(row.latencyUs);
      ++measured;
      repeats += row.repeats;
      rejected += row.rejected;
      noise = std::max(noise, row.noise);
    }
    if (!first) {
      averaged.push_back(std::move(rows[indices.front()]));
      continue;
    }
    first->latencyUs = std::exp(logSum / measured);
    first->repeats = repeats;
    first->rejected = rejected;
    first->noise = noise;
    averaged.push_back(std::move(*first));
  }
  rows = std::move(averaged);
}

FailureOr<Dataset> mergeDatasets(ArrayRef<std::string> paths,
                                 std::string *error, MergeRule rule) {
  if (paths.empty()) {
    if (error)
      *error = "no datasets to merge";
    return failure();
  }
  std::vector<DatasetRow> rows;
  llvm::StringMap<size_t> keyIndex;
  std::vector<SmallVector<size_t, 4>> rowsOfKey;
  FailureOr<Dataset> merged;
  for (const std::string &path : paths) {
    FailureOr<Dataset> dataset = Dataset::read(path, error);
    if (failed(dataset))
      return failure();
    if (failed(merged)) {
      merged = Dataset();
      merged->schemaVersion = dataset->schemaVersion;
      merged->schemaFingerprint = dataset->schemaFingerprint;
      merged->target = dataset->target;
      merged->latencyStatistic = dataset->latencyStatistic;
      merged->codegenVersion = dataset->codegenVersion;
      merged->featureNames = dataset->featureNames;
      if (rule == MergeRule::GeometricMean &&
          dataset->latencyStatistic != kCollectedLatencyStatistic) {
        if (error)
          *error = llvm::formatv("{0}: its latencies are the {1}; only "
                                 "collections' fastest samples ({2}) average",
                                 path, dataset->latencyStatistic,
                                 kCollectedLatencyStatistic);
        return failure();
      }
    } else {
      // Measurements alone (no feature columns) merge whatever schema
      // computed their features once: `refeature` recomputes them.
      bool labelsOnly =
          dataset->featureNames.empty() && merged->featureNames.empty();
      StringRef differs;
      if (!labelsOnly &&
          (dataset->schemaFingerprint != merged->schemaFingerprint ||
           dataset->featureNames != merged->featureNames))
        differs = "feature schema or columns";
      else if (dataset->target != merged->target)
        differs = "target";
      else if (dataset->latencyStatistic != merged->latencyStatistic)
        differs = "latency statistic";
      else if (dataset->codegenVersion != merged->codegenVersion)
        differs = "code generation";
      if (!differs.empty()) {
        if (error)
          *error = llvm::formatv("{0} and {1} differ in their {2}; shards "
                                 "must come from one collection",
                                 path, paths.front(), differs);
        return failure();
      }
    }
    for (DatasetRow &row : dataset->rows) {
      auto [it, isNew] = keyIndex.try_emplace(row.key, rowsOfKey.size());
      if (isNew)
        rowsOfKey.emplace_back();
      else if (rule == MergeRule::FirstRow)
        continue;
      rowsOfKey[it->second].push_back(rows.size());
      rows.push_back(std::move(row));
    }
  }
  if (rule == MergeRule::GeometricMean) {
    averageRepeats(rows, rowsOfKey);
    merged->latencyStatistic = kRepeatedLatencyStatistic.str();
  }
  merged->rows = std::move(rows);
  return merged;
}

} // namespace tessera::cost
