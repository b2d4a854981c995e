//===- GraphExtraction.h - Memory-planning graph from IR --------*- C++ -*-===//
//
// Builds the operator/tensor graph of memory planning from a function on
// tensors after graph-level fusion. Every operation with tensor results is
// an operator, except views (reshape, expand/collapse_shape, cast), which
// alias the tensor they view, constants and tensor.empty, which hold no
// computed data, and initialisers (linalg.fill, tensor.insert_slice into a
// chain) whose only use is as the destination of another operator, which
// join that operator. A graph tensor is identified by its root value: the
// value left after looking through views.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_MEMORY_GRAPHEXTRACTION_H
#define TESSERA_MEMORY_GRAPHEXTRACTION_H

#include "tessera/Memory/Graph.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <vector>

namespace mlir::tessera {

namespace memory = ::tessera::memory;

struct GraphExtractionOptions {
  /// Put weights (tensor constants) in the problem; otherwise operators
  /// read them straight from off-chip memory.
  bool includeWeights = true;
  /// Bytes per element for every tensor; 0 takes them from the element
  /// type (1 reproduces the paper's int8 accounting).
  unsigned elementBytes = 0;
};

struct ExtractedGraph {
  memory::Graph graph;
  /// The operations of each operator in block order: its initialisers,
  /// then the operation that computes its results (the last one).
  std::vector<SmallVector<Operation *>> operatorOps;
  /// The root value of each tensor.
  std::vector<Value> tensorValues;
  DenseMap<Value, unsigned> tensorIds;
};

/// The value a tensor value views, looking through reshapes and casts.
Value getRootTensor(Value value);

/// Bytes of a statically shaped tensor or memref type.
uint64_t getTypeBytes(ShapedType type, unsigned elementBytes);

/// A readable name for the operator or tensor defined at `loc`, or
/// `fallback` when the location carries no name.
std::string getLocationName(Location loc, StringRef fallback);

/// Gives every linalg.fill and tensor.empty with several uses a copy per
/// use, so that each initialiser belongs to one operator and each operator
/// result gets a buffer of its own in bufferization (a shared empty tensor
/// would let two planned tensors share one off-chip buffer, or an operator's
/// accumulator share a planned tensor's buffer). A shared fill of a shared
/// empty tensor gives a fill and an empty tensor per use. Run it before
/// extractGraph.
void splitSharedInitialisers(func::FuncOp func);

/// Extracts the graph of `func`, which must have a single block, static
/// shapes and no tensors inside nested regions; otherwise emits an error
/// at the offending operation and fails.
FailureOr<ExtractedGraph> extractGraph(func::FuncOp func,
                                       const GraphExtractionOptions &options);

} // namespace mlir::tessera

#endif // TESSERA_MEMORY_GRAPHEXTRACTION_H
