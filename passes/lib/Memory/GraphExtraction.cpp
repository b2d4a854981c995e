//===- GraphExtraction.cpp - Memory-planning graph from IR ----------------===//

#include "tessera/Memory/GraphExtraction.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mlir::tessera;

Value mlir::tessera::getRootTensor(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (auto reshape = dyn_cast<tensor::ReshapeOp>(def))
      value = reshape.getSource();
    else if (auto expand = dyn_cast<tensor::ExpandShapeOp>(def))
      value = expand.getSrc();
    else if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(def))
      value = collapse.getSrc();
    else if (auto cast = dyn_cast<tensor::CastOp>(def))
      value = cast.getSource();
    else
      break;
  }
  return value;
}

uint64_t mlir::tessera::getTypeBytes(ShapedType type, unsigned elementBytes) {
  uint64_t bytesPerElement =
      elementBytes ? elementBytes
                   : (type.getElementTypeBitWidth() + 7) / 8;
  return type.getNumElements() * bytesPerElement;
}

static void collectLocationNames(Location loc,
                                 llvm::SetVector<StringRef> &names) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    names.insert(name.getName().getValue());
    return;
  }
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      collectLocationNames(inner, names);
}

std::string mlir::tessera::getLocationName(Location loc, StringRef fallback) {
  llvm::SetVector<StringRef> names;
  collectLocationNames(loc, names);
  if (names.empty())
    return fallback.str();
  return llvm::join(names, " + ");
}

/// The operand `use` writes into, if it is the destination of its owner: a
/// DPS init or the destination of tensor.insert_slice.
static bool isDestination(OpOperand &use) {
  Operation *owner = use.getOwner();
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(owner))
    return dps.isDpsInit(&use);
  if (auto insert = dyn_cast<tensor::InsertSliceOp>(owner))
    return use.getOperandNumber() == insert.getDestMutable().getOperandNumber();
  return false;
}

static bool hasTensorResult(Operation *op) {
  return llvm::any_of(op->getResultTypes(), llvm::IsaPred<TensorType>);
}

/// Operations that move no data of their own.
static bool isViewOrFree(Operation *op) {
  return !hasTensorResult(op) ||
         isa<arith::ConstantOp, tensor::EmptyOp, tensor::ReshapeOp,
             tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::CastOp>(
             op);
}

/// An initialiser: an operation whose single result is only the
/// destination of one other operation, so it belongs to that operation.
static Operation *getInitialisedOp(Operation *op) {
  if (op->getNumResults() != 1 || !op->getResult(0).hasOneUse())
    return nullptr;
  if (!isa<DestinationStyleOpInterface, tensor::InsertSliceOp>(op))
    return nullptr;
  OpOperand &use = *op->getResult(0).getUses().begin();
  return isDestination(use) ? use.getOwner() : nullptr;
}

static LogicalResult checkSupported(func::FuncOp func) {
  if (!func.getBody().hasOneBlock())
    return func.emitError("memory planning needs a function with one block");
  auto checkType = [](Operation *op, Type type) -> LogicalResult {
    auto shaped = dyn_cast<ShapedType>(type);
    if (!shaped)
      return success();
    if (isa<BaseMemRefType>(type))
      return op->emitError("memory planning runs on tensors, before "
                           "bufferization; found ")
             << type;
    if (!shaped.hasStaticShape())
      return op->emitError("memory planning needs static shapes; found ")
             << type;
    return success();
  };
  for (Type type : func.getArgumentTypes())
    if (failed(checkType(func, type)))
      return failure();
  for (Operation &op : func.getBody().front()) {
    for (Type type : op.getResultTypes())
      if (failed(checkType(&op, type)))
        return failure();
    WalkResult nested = op.walk([&](Operation *inner) {
      if (inner == &op)
        return WalkResult::advance();
      if (llvm::any_of(inner->getOperandTypes(), llvm::IsaPred<TensorType>) ||
          hasTensorResult(inner)) {
        inner->emitError("memory planning does not support tensors inside "
                         "the regions of '")
            << op.getName() << "'";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (nested.wasInterrupted())
      return failure();
  }
  return success();
}

FailureOr<ExtractedGraph>
mlir::tessera::extractGraph(func::FuncOp func,
                            const GraphExtractionOptions &options) {
  if (failed(checkSupported(func)))
    return failure();
  Block &body = func.getBody().front();

  // Group initialisers with the operation they initialise (walking
  // backwards, so that chains of initialisers reach the computing op).
  DenseMap<Operation *, Operation *> leaderOf;
  for (Operation &op : llvm::reverse(body.without_terminator())) {
    if (isViewOrFree(&op))
      continue;
    Operation *initialised = getInitialisedOp(&op);
    leaderOf[&op] = initialised && leaderOf.count(initialised)
                        ? leaderOf[initialised]
                        : &op;
  }

  ExtractedGraph result;
  memory::Graph &graph = result.graph;
  auto addTensor = [&](Value root, std::string name,
                       memory::TensorKind kind) -> unsigned {
    uint64_t bytes =
        getTypeBytes(cast<ShapedType>(root.getType()), options.elementBytes);
    unsigned id = graph.addTensor(std::move(name), bytes, kind);
    result.tensorValues.push_back(root);
    result.tensorIds[root] = id;
    return id;
  };

  for (Operation &op : body.without_terminator()) {
    auto leader = leaderOf.find(&op);
    if (leader == leaderOf.end())
      continue;
    if (leader->second != &op)
      continue; // An initialiser: collected with its leader below.
    // Members: the initialisers of this leader, in block order.
    SmallVector<Operation *> members;
    for (Operation &member : body.without_terminator()) {
      if (&member == &op)
        break;
      auto it = leaderOf.find(&member);
      if (it != leaderOf.end() && it->second == &op)
        members.push_back(&member);
    }
    members.push_back(&op);
    llvm::SmallPtrSet<Operation *, 4> memberSet(members.begin(),
                                                members.end());

    SmallVector<unsigned> inputs;
    for (Operation *member : members) {
      for (OpOperand &use : member->getOpOperands()) {
        if (!isa<TensorType>(use.get().getType()))
          continue;
        Value root = getRootTensor(use.get());
        Operation *def = root.getDefiningOp();
        if (def && (isa<tensor::EmptyOp>(def) || memberSet.contains(def)))
          continue;
        if (isDestination(use) && def && isa<tensor::EmptyOp>(def))
          continue;
        auto known = result.tensorIds.find(root);
        if (known != result.tensorIds.end()) {
          inputs.push_back(known->second);
          continue;
        }
        if (auto arg = dyn_cast<BlockArgument>(root)) {
          auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                        "tessera.name");
          inputs.push_back(addTensor(
              root,
              name ? name.str() : "arg" + std::to_string(arg.getArgNumber()),
              memory::TensorKind::Input));
          continue;
        }
        if (isa<arith::ConstantOp>(def)) {
          if (!options.includeWeights)
            continue;
          inputs.push_back(addTensor(
              root,
              getLocationName(def->getLoc(),
                              "weight" + std::to_string(graph.numTensors())),
              memory::TensorKind::Weight));
          continue;
        }
        return member->emitError("memory planning cannot tell where operand ")
               << use.getOperandNumber() << " comes from";
      }
    }

    unsigned operatorId = graph.numOperators();
    std::string name = getLocationName(
        op.getLoc(),
        (op.getName().getStringRef() + "#" + Twine(operatorId)).str());
    SmallVector<unsigned> outputs;
    for (OpResult value : op.getResults()) {
      if (!isa<TensorType>(value.getType()))
        continue;
      std::string tensorName =
          op.getNumResults() == 1
              ? name
              : name + ":" + std::to_string(value.getResultNumber());
      outputs.push_back(
          addTensor(value, tensorName, memory::TensorKind::Intermediate));
    }
    graph.addOperator(name, inputs, outputs);
    result.operatorOps.push_back(std::move(members));
  }

  // Graph outputs: whatever the function returns, seen through views.
  for (Value returned : body.getTerminator()->getOperands()) {
    auto it = result.tensorIds.find(getRootTensor(returned));
    if (it != result.tensorIds.end() &&
        !graph.getTensor(it->second).isExternal())
      graph.markOutput(it->second);
  }
  if (llvm::Error error = graph.verify())
    return func.emitError("memory planning graph is malformed: ")
           << llvm::toString(std::move(error));
  return result;
}
