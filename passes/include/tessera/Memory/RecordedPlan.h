//===- RecordedPlan.h - Memory plans recorded in IR -------------*- C++ -*-===//
//
// `tessera-schedule-memory` records its plan on the function as the
// dictionary attribute `tessera.memory_plan` and marks each step with a
// `tessera.step` op; the verifier and the materialisation read them back
// here, on tensors or (after bufferization) on memrefs.
//
//   tessera.memory_plan = {
//     capacity = 4096 : i64, alignment = 64 : i64, element_bytes = 0 : i64,
//     solver = "ilp",
//     tensor_names = ["x", "conv", ...], tensor_bytes = array<i64: ...>,
//     outputs = array<i64: ...>,
//     residencies = [array<i64: tensor, begin, end, offset, load, store>, ...]
//   }
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_MEMORY_RECORDEDPLAN_H
#define TESSERA_MEMORY_RECORDEDPLAN_H

#include "tessera/Dialect/Tessera/IR/Tessera.h"
#include "tessera/Memory/Plan.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace mlir::tessera {

namespace memory = ::tessera::memory;

/// The function attribute holding a memory plan.
inline constexpr StringLiteral kMemoryPlanAttrName = "tessera.memory_plan";

/// What the attribute holds.
struct RecordedPlan {
  memory::ScratchpadConfig spm;
  /// Bytes per element the plan counted (0: from the element types).
  unsigned elementBytes = 0;
  /// The solver whose plan this is.
  std::string solver;
  std::vector<std::string> tensorNames;
  std::vector<uint64_t> tensorBytes;
  std::vector<unsigned> outputs;
  std::vector<memory::Residency> residencies;
};

void writeRecordedPlan(func::FuncOp func, const RecordedPlan &plan);

/// Reads the attribute; emits an error on `func` if it is malformed.
FailureOr<RecordedPlan> readRecordedPlan(func::FuncOp func);

/// A scheduled function read back: the graph its step markers describe,
/// the plan, and each tensor's value (operand of the first marker naming
/// it: a tensor before bufferization, its buffer after).
struct ScheduledFunction {
  RecordedPlan recorded;
  memory::Graph graph;
  memory::Plan plan;
  SmallVector<StepOp> steps;
  std::vector<Value> tensorValues;
};

/// Reads the plan and the step markers of `func` and checks they agree
/// (steps numbered 0..n-1 in block order, tensor ids in range, each
/// tensor's type as large as recorded); emits an error otherwise.
FailureOr<ScheduledFunction> readScheduledFunction(func::FuncOp func);

/// readScheduledFunction, then replays the plan (memory::verifyPlan); emits
/// "invalid memory plan: <the first violation>" on `func` if it fails.
FailureOr<ScheduledFunction> readVerifiedSchedule(func::FuncOp func);

} // namespace mlir::tessera

#endif // TESSERA_MEMORY_RECORDEDPLAN_H
