//===- ILP.cpp - A small mixed-integer programming wrapper on CBC ---------===//
//
// The model is kept in plain vectors and handed to CBC through its C
// interface (Cbc_C_Interface.h) in one Cbc_loadProblem call: the C entry
// points catch CBC's C++ exceptions, so this file builds with the
// -fno-exceptions of LLVM's flags. CBC prints nothing (log level 0).
//
//===----------------------------------------------------------------------===//

#include "tessera/Support/ILP.h"

#include "llvm/ADT/STLExtras.h"

#include <coin/Cbc_C_Interface.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>

using namespace tessera::ilp;

/// CBC's "infinity" for row and column bounds.
static constexpr double kInfinity = 1e30;

double Solution::gap() const {
  return std::fabs(objective - bound) / std::max(std::fabs(objective), 1.0);
}

int64_t Solution::getInteger(Var var) const {
  if (var >= values.size())
    return 0;
  return std::llround(values[var]);
}

Var Model::addBinary(std::string name) {
  columns.push_back({0, 1, 0, true, std::move(name)});
  return columns.size() - 1;
}

Var Model::addInteger(double lower, double upper, std::string name) {
  columns.push_back({lower, upper, 0, true, std::move(name)});
  return columns.size() - 1;
}

Var Model::addContinuous(double lower, double upper, std::string name) {
  columns.push_back({lower, upper, 0, false, std::move(name)});
  return columns.size() - 1;
}

void Model::fix(Var var, double value) {
  if (var >= columns.size())
    return;
  columns[var].lower = value;
  columns[var].upper = value;
}

void Model::addLessEqual(const LinearExpr &lhs, double rhs) {
  rows.push_back({lhs, -kInfinity, rhs});
}

void Model::addGreaterEqual(const LinearExpr &lhs, double rhs) {
  rows.push_back({lhs, rhs, kInfinity});
}

void Model::addEqual(const LinearExpr &lhs, double rhs) {
  rows.push_back({lhs, rhs, rhs});
}

void Model::addObjective(Var var, double coefficient) {
  if (var < columns.size())
    columns[var].cost += coefficient;
}

unsigned Model::numVariables() const { return columns.size(); }
unsigned Model::numConstraints() const { return rows.size(); }

namespace {
/// Owns a Cbc_Model.
struct CbcHandle {
  Cbc_Model *model = Cbc_newModel();
  ~CbcHandle() { Cbc_deleteModel(model); }
};

/// The constraint matrix in compressed sparse column form, duplicate
/// (row, column) terms summed.
struct SparseColumns {
  std::vector<CoinBigIndex> starts;
  std::vector<int> indices;
  std::vector<double> values;
};
} // namespace

static llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Transposes the rows into columns; fails on a term naming no variable.
template <typename RowT>
static llvm::Expected<SparseColumns> toColumns(llvm::ArrayRef<RowT> rows,
                                               unsigned numColumns) {
  std::vector<unsigned> counts(numColumns + 1, 0);
  for (const RowT &row : rows)
    for (auto [var, coefficient] : row.expr.terms) {
      if (var >= numColumns)
        return fail("ILP constraint names variable " + llvm::Twine(var) +
                    " of a model with " + llvm::Twine(numColumns));
      ++counts[var + 1];
    }
  for (unsigned i = 0; i < numColumns; ++i)
    counts[i + 1] += counts[i];

  // Rows are visited in order, so each column's row indices ascend and a
  // duplicate term meets its twin at the column's tail.
  SparseColumns matrix;
  std::vector<int> rowOf(counts.back());
  std::vector<double> valueOf(counts.back());
  std::vector<unsigned> fill(counts.begin(), counts.end() - 1);
  for (auto [index, row] : llvm::enumerate(rows))
    for (auto [var, coefficient] : row.expr.terms) {
      unsigned at = fill[var];
      if (at > counts[var] && rowOf[at - 1] == static_cast<int>(index)) {
        valueOf[at - 1] += coefficient;
        continue;
      }
      rowOf[at] = index;
      valueOf[at] = coefficient;
      ++fill[var];
    }
  matrix.starts.push_back(0);
  for (unsigned var = 0; var < numColumns; ++var) {
    for (unsigned at = counts[var]; at < fill[var]; ++at) {
      if (valueOf[at] == 0)
        continue;
      matrix.indices.push_back(rowOf[at]);
      matrix.values.push_back(valueOf[at]);
    }
    matrix.starts.push_back(matrix.indices.size());
  }
  return matrix;
}

llvm::Expected<Solution> Model::solve(const SolveOptions &options) const {
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  };
  unsigned numColumns = columns.size();
  for (const Column &column : columns)
    if (column.lower > column.upper)
      return Solution{Status::Infeasible, {}, 0, 0, elapsed()};

  Solution solution;
  if (numColumns == 0) {
    // Only constant rows: feasible iff each admits zero.
    bool feasible = llvm::all_of(
        rows, [](const Row &row) { return row.lower <= 0 && 0 <= row.upper; });
    solution.status = feasible ? Status::Optimal : Status::Infeasible;
    solution.seconds = elapsed();
    return solution;
  }

  // CBC's command-line driver stumbles over a model without rows; an empty
  // free row changes nothing.
  std::vector<Row> allRows = rows;
  if (allRows.empty())
    allRows.push_back({LinearExpr(), -kInfinity, kInfinity});
  llvm::Expected<SparseColumns> matrix = toColumns<Row>(allRows, numColumns);
  if (!matrix)
    return matrix.takeError();

  std::vector<double> lower, upper, cost, rowLower, rowUpper;
  for (const Column &column : columns) {
    lower.push_back(column.lower);
    upper.push_back(column.upper);
    cost.push_back(column.cost);
  }
  for (const Row &row : allRows) {
    rowLower.push_back(row.lower);
    rowUpper.push_back(row.upper);
  }

  CbcHandle cbc;
  Cbc_Model *model = cbc.model;
  Cbc_loadProblem(model, numColumns, allRows.size(), matrix->starts.data(),
                  matrix->indices.data(), matrix->values.data(), lower.data(),
                  upper.data(), cost.data(), rowLower.data(), rowUpper.data());
  for (auto [var, column] : llvm::enumerate(columns))
    if (column.integer)
      Cbc_setInteger(model, var);

  Cbc_setLogLevel(model, 0);
  Cbc_setParameter(model, "log", "0");
  Cbc_setParameter(model, "slog", "0");
  // Wall-clock seconds, not CPU seconds (CBC's default).
  Cbc_setParameter(model, "timeMode", "elapsed");
  // CBC 2.10's preprocessing (CglPreProcess) can crash in its
  // post-processing (coin-or/Cbc#167 and later reports; seen here on
  // DenseNet-121's window problems): a compiler must not, so it is off.
  Cbc_setParameter(model, "preprocess", "off");
  Cbc_setMaximumSeconds(model, std::max(options.timeLimitSeconds, 0.01));
  if (options.relativeGap > 0)
    Cbc_setAllowableFractionGap(model, options.relativeGap);
  if (options.threads > 1)
    Cbc_setParameter(model, "threads", std::to_string(options.threads).c_str());

  // The MIP start fixes the integer variables it names; CBC recomputes the
  // continuous ones with an LP, and completes unnamed (NaN) integer ones
  // with a small branch and bound.
  if (options.warmStart.size() == numColumns) {
    std::vector<int> indices;
    std::vector<double> values;
    for (auto [var, column] : llvm::enumerate(columns)) {
      double value = options.warmStart[var];
      if (!column.integer || std::isnan(value))
        continue;
      indices.push_back(var);
      values.push_back(std::round(value));
    }
    if (!indices.empty())
      Cbc_setMIPStartI(model, indices.size(), indices.data(), values.data());
  }

  Cbc_solve(model);
  solution.seconds = elapsed();
  if (Cbc_isAbandoned(model))
    return fail("CBC abandoned the solve (numerical difficulties)");

  const double *best = Cbc_bestSolution(model);
  if (best) {
    solution.values.assign(best, best + numColumns);
    solution.objective = 0;
    for (auto [var, column] : llvm::enumerate(columns))
      solution.objective += column.cost * solution.values[var];
    solution.status =
        Cbc_isProvenOptimal(model) ? Status::Optimal : Status::Feasible;
  } else {
    solution.status =
        Cbc_isProvenInfeasible(model) ? Status::Infeasible : Status::NoSolution;
  }

  double bound = Cbc_getBestPossibleObjValue(model);
  if (!std::isfinite(bound) || std::fabs(bound) >= kInfinity)
    bound = -std::numeric_limits<double>::infinity();
  if (solution.status == Status::Optimal && options.relativeGap <= 0)
    bound = solution.objective;
  else if (solution.hasSolution())
    bound = std::min(bound, solution.objective);
  solution.bound = bound;
  return solution;
}
