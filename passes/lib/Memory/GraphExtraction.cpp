//===- GraphExtraction.cpp - Memory-planning graph from IR ----------------===//

#include "tessera/Memory/GraphExtraction.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetVector.h"

#include <functional>

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
      elementBytes ? elementBytes : (type.getElementTypeBitWidth() + 7) / 8;
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

/// The one operation that reads `value`, looking through single-use views;
/// null if it has several readers or only views.
static Operation *getSoleUser(Value value) {
  while (value.hasOneUse()) {
    Operation *user = *value.getUsers().begin();
    if (!isViewOrFree(user))
      return user;
    if (user->getNumResults() != 1)
      return nullptr;
    value = user->getResult(0);
  }
  return nullptr;
}

/// The operation whose result `value` is, through views, when every value
/// on the way has this one use; null otherwise.
static Operation *getSoleProducer(Value value) {
  while (value.hasOneUse()) {
    Operation *def = value.getDefiningOp();
    if (!def || def->getNumResults() != 1)
      return nullptr;
    if (!isViewOrFree(def))
      return def;
    if (!isa<tensor::ReshapeOp, tensor::ExpandShapeOp, tensor::CollapseShapeOp,
             tensor::CastOp>(def))
      return nullptr;
    value = def->getOperand(0);
  }
  return nullptr;
}

/// An elementwise epilogue: a linalg op with only parallel loops whose
/// result indexes the iteration space one to one (inputs may broadcast).
static bool isElementwise(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || isa<linalg::FillOp>(op) ||
      linalgOp.getNumParallelLoops() != linalgOp.getNumLoops() ||
      linalgOp.getNumDpsInits() != 1)
    return false;
  return linalgOp.getMatchingIndexingMap(linalgOp.getDpsInitOperand(0))
      .isPermutation();
}

/// The name of an operator: that of its first operation with a reduction
/// (the convolution or matmul an epilogue was fused into), else of its sink.
static std::string getOperatorName(ArrayRef<Operation *> members, unsigned id) {
  Operation *named = members.back();
  for (Operation *member : members) {
    auto linalgOp = dyn_cast<linalg::LinalgOp>(member);
    if (linalgOp && linalgOp.getNumReductionLoops() > 0) {
      named = member;
      break;
    }
  }
  return getLocationName(
      named->getLoc(),
      (named->getName().getStringRef() + "#" + Twine(id)).str());
}

void mlir::tessera::splitSharedInitialisers(func::FuncOp func) {
  // Users before definitions: the copies of a shared fill all read its
  // empty tensor, which is split when the walk reaches it.
  for (Block &block : func.getBody())
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block))) {
      if (!isa<linalg::FillOp, tensor::EmptyOp>(op) ||
          op.getNumResults() != 1 || op.getResult(0).hasOneUse() ||
          op.getResult(0).use_empty())
        continue;
      SmallVector<OpOperand *> uses = llvm::map_to_vector(
          op.getResult(0).getUses(), [](OpOperand &use) { return &use; });
      OpBuilder builder(&op);
      for (OpOperand *use : llvm::drop_begin(uses))
        use->set(builder.clone(op)->getResult(0));
    }
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

  // Fuse operations into operators (union-find): initialisers with what
  // they initialise, pads with their consumer, elementwise epilogues with
  // their producer. Only single-use values are fused, so only the last
  // operation of an operator (its sink) has results used outside it.
  DenseMap<Operation *, Operation *> parent;
  std::function<Operation *(Operation *)> find = [&](Operation *op) {
    Operation *&up = parent[op];
    if (up != op)
      up = find(up);
    return up;
  };
  auto unite = [&](Operation *a, Operation *b) {
    if (parent.count(a) && parent.count(b))
      parent[find(a)] = find(b);
  };
  for (Operation &op : body.without_terminator())
    if (!isViewOrFree(&op))
      parent[&op] = &op;
  for (Operation &op : body.without_terminator()) {
    if (!parent.count(&op))
      continue;
    if (Operation *initialised = getInitialisedOp(&op))
      unite(&op, initialised);
    if (isa<tensor::PadOp>(op))
      if (Operation *consumer = getSoleUser(op.getResult(0)))
        unite(&op, consumer);
    if (!isElementwise(&op))
      continue;
    // Into one producer only: an add of two convolutions stays an operator
    // of its own fused with one of them, not a pair of convolutions.
    for (Value input : cast<linalg::LinalgOp>(op).getDpsInputs()) {
      if (Operation *producer = getSoleProducer(input)) {
        unite(producer, &op);
        break;
      }
    }
  }
  DenseMap<Operation *, SmallVector<Operation *>> membersOf;
  for (Operation &op : body.without_terminator())
    if (parent.count(&op))
      membersOf[find(&op)].push_back(&op);

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
    if (!parent.count(&op))
      continue;
    SmallVector<Operation *> &members = membersOf[find(&op)];
    if (members.back() != &op)
      continue; // Collected when its sink, the last member, is reached.
    llvm::SmallPtrSet<Operation *, 4> memberSet(members.begin(), members.end());

    SmallVector<unsigned> inputs;
    for (Operation *member : members) {
      for (OpOperand &use : member->getOpOperands()) {
        if (!isa<TensorType>(use.get().getType()))
          continue;
        Value root = getRootTensor(use.get());
        Operation *def = root.getDefiningOp();
        if (def && (isa<tensor::EmptyOp>(def) || memberSet.contains(def)))
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
    std::string name = getOperatorName(members, operatorId);
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
    result.operatorOps.push_back(members);
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
