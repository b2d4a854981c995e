//===- ILP.h - A small mixed-integer programming wrapper --------*- C++ -*-===//
//
// tessera::ilp keeps formulations independent of the solver: variables,
// linear constraints and a linear objective are collected here and handed
// to COIN-OR CBC (the only backend today) in one call.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_SUPPORT_ILP_H
#define TESSERA_SUPPORT_ILP_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tessera::ilp {

/// A variable's column index in its Model.
using Var = unsigned;

/// A sum of coefficient * variable terms.
struct LinearExpr {
  std::vector<std::pair<Var, double>> terms;

  LinearExpr &add(Var var, double coefficient = 1.0) {
    terms.emplace_back(var, coefficient);
    return *this;
  }
};

enum class Status {
  Optimal,    ///< Proven optimal.
  Feasible,   ///< A solution, not proven optimal (time limit).
  Infeasible, ///< Proven infeasible.
  NoSolution  ///< No solution found before the limit.
};

struct Solution {
  Status status = Status::NoSolution;
  std::vector<double> values;
  double objective = 0;
  /// The best bound on the objective the solver proved.
  double bound = 0;
  double seconds = 0;

  bool hasSolution() const {
    return status == Status::Optimal || status == Status::Feasible;
  }
  /// Relative gap |objective - bound| / max(|objective|, 1).
  double gap() const;
  /// The value of a binary or integer variable, rounded.
  int64_t getInteger(Var var) const;
};

struct SolveOptions {
  double timeLimitSeconds = 10;
  /// A full assignment to start from (one value per variable), if any.
  /// Only integer variables are passed on (CBC recomputes the continuous
  /// ones); a NaN leaves that variable to the solver (a partial start).
  std::vector<double> warmStart;
  /// Stop when the relative gap is below this.
  double relativeGap = 0;
  unsigned threads = 1;
};

/// A minimisation problem.
class Model {
public:
  Var addBinary(std::string name = {});
  Var addInteger(double lower, double upper, std::string name = {});
  Var addContinuous(double lower, double upper, std::string name = {});
  /// Fixes a variable to a value by tightening its bounds.
  void fix(Var var, double value);

  void addLessEqual(const LinearExpr &lhs, double rhs);
  void addGreaterEqual(const LinearExpr &lhs, double rhs);
  void addEqual(const LinearExpr &lhs, double rhs);

  /// Adds `coefficient * var` to the objective.
  void addObjective(Var var, double coefficient);

  unsigned numVariables() const;
  unsigned numConstraints() const;

  /// Solves with CBC; an error only for a solver failure, not for an
  /// infeasible or unsolved model (see Solution::status).
  llvm::Expected<Solution> solve(const SolveOptions &options) const;

private:
  struct Column {
    double lower, upper, cost;
    bool integer;
    std::string name;
  };
  struct Row {
    LinearExpr expr;
    double lower, upper;
  };
  std::vector<Column> columns;
  std::vector<Row> rows;
};

} // namespace tessera::ilp

#endif // TESSERA_SUPPORT_ILP_H
