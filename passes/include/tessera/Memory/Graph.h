//===- Graph.h - Operator/tensor graph for memory planning ------*- C++ -*-===//
//
// The dataflow graph that scratchpad planning works on: operators (one per
// step), the tensors they read and write, and their sizes in bytes. It is
// extracted from tensor-level IR (GraphExtraction.h) or built directly by
// tests and benchmarks; it knows nothing about MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_MEMORY_GRAPH_H
#define TESSERA_MEMORY_GRAPH_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tessera::memory {

/// Where a tensor's first value comes from.
enum class TensorKind {
  Input,       ///< A graph input: off-chip before the first step.
  Weight,      ///< A constant: off-chip before the first step.
  Intermediate ///< Written by exactly one operator.
};

struct Tensor {
  std::string name;
  uint64_t bytes = 0;
  TensorKind kind = TensorKind::Intermediate;
  /// A graph output: must reach off-chip memory (one compulsory store).
  bool isOutput = false;
  /// The operator that writes it; -1 for inputs and weights.
  int producer = -1;
  /// The operators that read it, ascending and unique.
  std::vector<unsigned> consumers;

  bool isExternal() const { return kind != TensorKind::Intermediate; }
};

struct Operator {
  std::string name;
  /// Tensors read, unique.
  std::vector<unsigned> inputs;
  /// Tensors written, unique, disjoint from `inputs`.
  std::vector<unsigned> outputs;
};

/// A DAG of operators over tensors. Operator indices give the model order,
/// which is always topological.
class Graph {
public:
  unsigned addTensor(std::string name, uint64_t bytes, TensorKind kind,
                     bool isOutput = false);
  /// Adds an operator; duplicate inputs are merged. Sets the producer of
  /// `outputs` and appends the operator to the consumers of `inputs`.
  unsigned addOperator(std::string name, llvm::ArrayRef<unsigned> inputs,
                       llvm::ArrayRef<unsigned> outputs);

  /// Marks a tensor as a graph output.
  void markOutput(unsigned id) { tensors[id].isOutput = true; }

  unsigned numTensors() const { return tensors.size(); }
  unsigned numOperators() const { return operators.size(); }
  const Tensor &getTensor(unsigned id) const { return tensors[id]; }
  const Operator &getOperator(unsigned id) const { return operators[id]; }
  llvm::ArrayRef<Tensor> getTensors() const { return tensors; }
  llvm::ArrayRef<Operator> getOperators() const { return operators; }

  /// The tensors operator `op` touches: its inputs then its outputs.
  std::vector<unsigned> getWorkingSet(unsigned op) const;

  /// Checks the graph is well formed: every intermediate tensor written by
  /// exactly one operator that precedes its consumers, inputs and weights
  /// never written, no operator output that is also its input.
  llvm::Error verify() const;

  /// True if `order` is a permutation of the operators that respects every
  /// producer -> consumer edge.
  bool isTopologicalOrder(llvm::ArrayRef<unsigned> order) const;

  /// The same graph without weights: operators no longer read them, so a
  /// plan keeps only activations in the scratchpad (the paper's setting
  /// "weights out of the problem"). Tensor ids of the result are renumbered.
  Graph withoutWeights() const;

private:
  std::vector<Tensor> tensors;
  std::vector<Operator> operators;
};

} // namespace tessera::memory

#endif // TESSERA_MEMORY_GRAPH_H
