//===- RecordedPlan.cpp - Memory plans recorded in IR ---------------------===//

#include "tessera/Memory/RecordedPlan.h"
#include "tessera/Memory/GraphExtraction.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::tessera;

void mlir::tessera::writeRecordedPlan(func::FuncOp func,
                                      const RecordedPlan &plan) {
  Builder b(func.getContext());
  auto toI64 = [](auto range) {
    return SmallVector<int64_t>(range.begin(), range.end());
  };
  SmallVector<Attribute> names, residencies;
  for (const std::string &name : plan.tensorNames)
    names.push_back(b.getStringAttr(name));
  for (const memory::Residency &r : plan.residencies)
    residencies.push_back(b.getDenseI64ArrayAttr(
        {r.tensor, r.begin, r.end, static_cast<int64_t>(r.offset), r.load,
         r.store}));
  NamedAttribute entries[] = {
      b.getNamedAttr("capacity", b.getI64IntegerAttr(plan.spm.capacity)),
      b.getNamedAttr("alignment", b.getI64IntegerAttr(plan.spm.alignment)),
      b.getNamedAttr("element_bytes", b.getI64IntegerAttr(plan.elementBytes)),
      b.getNamedAttr("solver", b.getStringAttr(plan.solver)),
      b.getNamedAttr("tensor_names", b.getArrayAttr(names)),
      b.getNamedAttr("tensor_bytes",
                     b.getDenseI64ArrayAttr(toI64(plan.tensorBytes))),
      b.getNamedAttr("outputs", b.getDenseI64ArrayAttr(toI64(plan.outputs))),
      b.getNamedAttr("residencies", b.getArrayAttr(residencies))};
  func->setAttr(kMemoryPlanAttrName, b.getDictionaryAttr(entries));
}

FailureOr<RecordedPlan> mlir::tessera::readRecordedPlan(func::FuncOp func) {
  auto dict = func->getAttrOfType<DictionaryAttr>(kMemoryPlanAttrName);
  if (!dict)
    return func.emitError("has no '") << kMemoryPlanAttrName
                                      << "' dictionary (run "
                                         "tessera-schedule-memory first)";
  auto fail = [&](StringRef what) {
    return func.emitError("malformed '")
           << kMemoryPlanAttrName << "': " << what;
  };
  auto getInt = [&](StringRef key) -> FailureOr<int64_t> {
    auto attr = dict.getAs<IntegerAttr>(key);
    if (!attr)
      return fail(("missing integer '" + key + "'").str());
    return attr.getInt();
  };
  auto getArray = [&](StringRef key) -> FailureOr<ArrayRef<int64_t>> {
    auto attr = dict.getAs<DenseI64ArrayAttr>(key);
    if (!attr)
      return fail(("missing array<i64> '" + key + "'").str());
    return attr.asArrayRef();
  };

  RecordedPlan plan;
  FailureOr<int64_t> capacity = getInt("capacity");
  FailureOr<int64_t> alignment = getInt("alignment");
  FailureOr<int64_t> elementBytes = getInt("element_bytes");
  if (failed(capacity) || failed(alignment) || failed(elementBytes))
    return failure();
  if (*capacity <= 0 || *alignment <= 0 || *elementBytes < 0 ||
      !llvm::isPowerOf2_64(*alignment))
    return fail("capacity and alignment must be positive, alignment a power "
                "of two, element_bytes non-negative");
  plan.spm.capacity = *capacity;
  plan.spm.alignment = *alignment;
  plan.elementBytes = *elementBytes;
  if (auto solver = dict.getAs<StringAttr>("solver"))
    plan.solver = solver.str();

  auto names = dict.getAs<ArrayAttr>("tensor_names");
  if (!names || !llvm::all_of(names, llvm::IsaPred<StringAttr>))
    return fail("missing string array 'tensor_names'");
  for (Attribute name : names)
    plan.tensorNames.push_back(cast<StringAttr>(name).str());
  FailureOr<ArrayRef<int64_t>> bytes = getArray("tensor_bytes");
  FailureOr<ArrayRef<int64_t>> outputs = getArray("outputs");
  if (failed(bytes) || failed(outputs))
    return failure();
  unsigned numTensors = plan.tensorNames.size();
  if (bytes->size() != numTensors)
    return fail("'tensor_bytes' and 'tensor_names' differ in length");
  for (int64_t size : *bytes) {
    if (size < 0)
      return fail("negative tensor size");
    plan.tensorBytes.push_back(size);
  }
  for (int64_t id : *outputs) {
    if (id < 0 || id >= numTensors)
      return fail("output tensor id out of range");
    plan.outputs.push_back(id);
  }

  auto residencies = dict.getAs<ArrayAttr>("residencies");
  if (!residencies)
    return fail("missing array 'residencies'");
  for (Attribute attr : residencies) {
    auto fields = dyn_cast<DenseI64ArrayAttr>(attr);
    if (!fields || fields.size() != 6)
      return fail("a residency is not array<i64: tensor, begin, end, offset, "
                  "load, store>");
    ArrayRef<int64_t> f = fields.asArrayRef();
    if (f[0] < 0 || f[0] >= numTensors || f[1] < 0 || f[2] < f[1] || f[3] < 0 ||
        (f[4] != 0 && f[4] != 1) || (f[5] != 0 && f[5] != 1))
      return fail("residency [" + std::to_string(f[0]) + ", " +
                  std::to_string(f[1]) + ", " + std::to_string(f[2]) +
                  ", ...] has an out-of-range field");
    plan.residencies.push_back(memory::Residency{
        static_cast<unsigned>(f[0]), static_cast<unsigned>(f[1]),
        static_cast<unsigned>(f[2]), static_cast<uint64_t>(f[3]), f[4] == 1,
        f[5] == 1});
  }
  return plan;
}

/// Whether an external tensor is a constant (a weight) rather than a
/// function argument.
static bool isConstantValue(Value value) {
  Operation *def = value.getDefiningOp();
  return def && isa<arith::ConstantOp, memref::GetGlobalOp>(def);
}

FailureOr<ScheduledFunction>
mlir::tessera::readScheduledFunction(func::FuncOp func) {
  FailureOr<RecordedPlan> recorded = readRecordedPlan(func);
  if (failed(recorded))
    return failure();
  ScheduledFunction result;
  result.recorded = std::move(*recorded);
  const RecordedPlan &plan = result.recorded;
  unsigned numTensors = plan.tensorNames.size();
  result.tensorValues.assign(numTensors, Value());

  // Collect the markers and each tensor's value and writer.
  std::vector<int> writer(numTensors, -1);
  for (StepOp step : func.getOps<StepOp>()) {
    unsigned index = result.steps.size();
    if (step.getIndex() != static_cast<int64_t>(index))
      return step.emitOpError("is step ")
             << step.getIndex() << " but is marker " << index
             << " in block order";
    auto visit = [&](ArrayRef<int64_t> ids, ValueRange values,
                     bool writes) -> LogicalResult {
      for (auto [id, value] : llvm::zip(ids, values)) {
        if (id >= static_cast<int64_t>(numTensors))
          return step.emitOpError("names tensor ")
                 << id << " but the plan has " << numTensors << " tensors";
        auto type = cast<ShapedType>(value.getType());
        if (!type.hasStaticShape() ||
            getTypeBytes(type, plan.elementBytes) != plan.tensorBytes[id])
          return step.emitOpError("tensor ")
                 << id << " ('" << plan.tensorNames[id] << "') has type "
                 << type << " but the plan records " << plan.tensorBytes[id]
                 << " bytes";
        if (!result.tensorValues[id])
          result.tensorValues[id] = value;
        if (writes) {
          if (writer[id] >= 0)
            return step.emitOpError("writes tensor ")
                   << id << " ('" << plan.tensorNames[id]
                   << "') already written by step " << writer[id];
          writer[id] = index;
        }
      }
      return success();
    };
    if (failed(visit(step.getReadTensors(), step.getReads(), false)) ||
        failed(visit(step.getWriteTensors(), step.getWrites(), true)))
      return failure();
    result.steps.push_back(step);
  }

  // The graph, with operators in step order (so the order is the identity).
  for (unsigned id = 0; id < numTensors; ++id) {
    memory::TensorKind kind =
        writer[id] >= 0 ? memory::TensorKind::Intermediate
        : result.tensorValues[id] && isConstantValue(result.tensorValues[id])
            ? memory::TensorKind::Weight
            : memory::TensorKind::Input;
    result.graph.addTensor(plan.tensorNames[id], plan.tensorBytes[id], kind);
  }
  for (unsigned id : plan.outputs)
    result.graph.markOutput(id);
  for (StepOp step : result.steps) {
    SmallVector<unsigned> reads(step.getReadTensors()),
        writes(step.getWriteTensors());
    result.graph.addOperator(step.getOperatorName().str(), reads, writes);
    result.plan.order.push_back(result.plan.order.size());
  }
  result.plan.residencies = plan.residencies;
  return result;
}

FailureOr<ScheduledFunction>
mlir::tessera::readVerifiedSchedule(func::FuncOp func) {
  FailureOr<ScheduledFunction> scheduled = readScheduledFunction(func);
  if (failed(scheduled))
    return failure();
  llvm::Error error = scheduled->graph.verify();
  if (!error)
    error = memory::verifyPlan(scheduled->graph, scheduled->recorded.spm,
                               scheduled->plan);
  if (error)
    return func.emitError("invalid memory plan: ")
           << llvm::toString(std::move(error));
  return scheduled;
}
