//===- Graph.cpp - Operator/tensor graph for memory planning --------------===//

#include "tessera/Memory/Graph.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace tessera::memory;

unsigned Graph::addTensor(std::string name, uint64_t bytes, TensorKind kind,
                          bool isOutput) {
  Tensor tensor;
  tensor.name = std::move(name);
  tensor.bytes = bytes;
  tensor.kind = kind;
  tensor.isOutput = isOutput;
  tensors.push_back(std::move(tensor));
  return tensors.size() - 1;
}

unsigned Graph::addOperator(std::string name, llvm::ArrayRef<unsigned> inputs,
                            llvm::ArrayRef<unsigned> outputs) {
  unsigned id = operators.size();
  Operator op;
  op.name = std::move(name);
  for (unsigned tensor : inputs)
    if (!llvm::is_contained(op.inputs, tensor))
      op.inputs.push_back(tensor);
  op.outputs.assign(outputs.begin(), outputs.end());
  // Unknown tensor ids are kept in the operator for verify() to report.
  for (unsigned tensor : op.inputs) {
    if (tensor >= tensors.size())
      continue;
    std::vector<unsigned> &consumers = tensors[tensor].consumers;
    consumers.insert(llvm::upper_bound(consumers, id), id);
  }
  for (unsigned tensor : op.outputs)
    if (tensor < tensors.size())
      tensors[tensor].producer = id;
  operators.push_back(std::move(op));
  return id;
}

std::vector<unsigned> Graph::getWorkingSet(unsigned op) const {
  std::vector<unsigned> set = operators[op].inputs;
  llvm::append_range(set, operators[op].outputs);
  return set;
}

llvm::Error Graph::verify() const {
  auto fail = [](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  };
  std::vector<unsigned> writers(tensors.size(), 0);
  for (auto [id, op] : llvm::enumerate(operators)) {
    for (unsigned tensor : op.outputs) {
      if (tensor >= tensors.size())
        return fail(llvm::formatv("operator '{0}' writes unknown tensor {1}",
                                  op.name, tensor));
      if (tensors[tensor].isExternal())
        return fail(llvm::formatv("operator '{0}' writes input or weight '{1}'",
                                  op.name, tensors[tensor].name));
      if (llvm::is_contained(op.inputs, tensor))
        return fail(llvm::formatv("operator '{0}' reads and writes '{1}'",
                                  op.name, tensors[tensor].name));
      ++writers[tensor];
    }
    for (unsigned tensor : op.inputs) {
      if (tensor >= tensors.size())
        return fail(llvm::formatv("operator '{0}' reads unknown tensor {1}",
                                  op.name, tensor));
      const Tensor &t = tensors[tensor];
      if (!t.isExternal() &&
          (t.producer < 0 || static_cast<unsigned>(t.producer) >= id))
        return fail(llvm::formatv(
            "operator '{0}' reads '{1}' before an operator writes it", op.name,
            t.name));
    }
  }
  for (auto [id, tensor] : llvm::enumerate(tensors))
    if (!tensor.isExternal() && writers[id] != 1)
      return fail(llvm::formatv("tensor '{0}' is written {1} times",
                                tensor.name, writers[id]));
  return llvm::Error::success();
}

bool Graph::isTopologicalOrder(llvm::ArrayRef<unsigned> order) const {
  if (order.size() != operators.size())
    return false;
  std::vector<int> stepOf(operators.size(), -1);
  for (auto [step, op] : llvm::enumerate(order)) {
    if (op >= operators.size() || stepOf[op] >= 0)
      return false;
    stepOf[op] = step;
  }
  for (const Tensor &tensor : tensors) {
    if (tensor.producer < 0)
      continue;
    for (unsigned consumer : tensor.consumers)
      if (stepOf[consumer] <= stepOf[tensor.producer])
        return false;
  }
  return true;
}

Graph Graph::withoutWeights() const {
  Graph result;
  std::vector<int> newId(tensors.size(), -1);
  for (auto [id, tensor] : llvm::enumerate(tensors))
    if (tensor.kind != TensorKind::Weight)
      newId[id] = result.addTensor(tensor.name, tensor.bytes, tensor.kind,
                                   tensor.isOutput);
  for (const Operator &op : operators) {
    std::vector<unsigned> inputs, outputs;
    // Unknown ids (a malformed graph) are dropped with the weights.
    for (unsigned tensor : op.inputs)
      if (tensor < newId.size() && newId[tensor] >= 0)
        inputs.push_back(newId[tensor]);
    for (unsigned tensor : op.outputs)
      if (tensor < newId.size() && newId[tensor] >= 0)
        outputs.push_back(newId[tensor]);
    result.addOperator(op.name, inputs, outputs);
  }
  return result;
}
