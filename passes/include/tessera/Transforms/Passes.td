//===- Passes.td - Tessera passes --------------------------*- tablegen -*-===//

#ifndef TESSERA_TRANSFORMS_PASSES_TD
#define TESSERA_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def TesseraLowerScratchpadPass
    : Pass<"tessera-lower-scratchpad", "func::FuncOp"> {
  let summary = "Lower scratchpad ops to plain memref operations";
  let description = [{
    Makes a memory plan executable on a host CPU: the arena becomes an
    aligned `memref.alloc` (freed at every return), each buffer a
    `memref.view` at its byte offset, each DMA transfer a `memref.copy`
    (synchronous, so waits are erased). A wrong offset in the plan then gives
    wrong numbers, which is what integration tests of memory plans rely on.

    Before:
    ```mlir
    %spm = tessera.arena align 64 : memref<1024xi8>
    %a = tessera.buffer %spm[64] : memref<1024xi8> to memref<4x4xf32>
    tessera.dma_load %x, %a : memref<4x4xf32> to memref<4x4xf32>
    ```
    After:
    ```mlir
    %spm = memref.alloc() {alignment = 64 : i64} : memref<1024xi8>
    %c64 = arith.constant 64 : index
    %a = memref.view %spm[%c64][] : memref<1024xi8> to memref<4x4xf32>
    memref.copy %x, %a : memref<4x4xf32> to memref<4x4xf32>
    ...
    memref.dealloc %spm : memref<1024xi8>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
  let statistics = [
    Statistic<"numTransfers", "transfers", "DMA transfers lowered to copies">
  ];
}

def TesseraExpandStridedCopiesPass
    : Pass<"tessera-expand-strided-copies", "func::FuncOp"> {
  let summary = "Turn memref.copy between strided views into linalg.copy";
  let description = [{
    Upstream lowers a `memref.copy` whose operands do not both have an
    identity layout to a call of `memrefCopy` in MLIR's C runner utilities,
    a library a compiled model must not depend on. This pass rewrites those
    copies as `linalg.copy`, which becomes a plain loop nest; copies of
    contiguous buffers stay `memref.copy` (a `memcpy`).

    Before:
    ```mlir
    memref.copy %a, %sub : memref<2x3xf32> to memref<2x3xf32, strided<[6, 1], offset: 2>>
    ```
    After:
    ```mlir
    linalg.copy ins(%a : memref<2x3xf32>) outs(%sub : memref<2x3xf32, strided<[6, 1], offset: 2>>)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def TesseraScheduleMemoryPass
    : Pass<"tessera-schedule-memory", "ModuleOp"> {
  let summary = "Order operators and plan scratchpad offsets, spills and reloads";
  let description = [{
    The COSMA pass. For every function on tensors (after graph-level
    fusion) it extracts the operator/tensor graph, plans it for a scratchpad
    of `spm-size` bytes with the chosen solver (the joint ILP by default;
    the fixed-order ILP, divide-and-conquer, or a baseline B0-B4), verifies
    the plan, and records it:
    - the operations are reordered into the planned operator order, each
      step closed by a `tessera.step` marker naming the graph tensors it
      reads and writes;
    - the plan itself (capacity, alignment, tensors, and every residency:
      tensor, steps, byte offset, whether a DMA load fills it and a DMA
      store drains it) is the function attribute `tessera.memory_plan`.
    `tessera-materialize-memory-plan` turns this into scratchpad buffers
    and DMA transfers after bufferization.

    Before:
    ```mlir
    %0 = linalg.generic ... ins(%x) outs(%e0)   // a
    %1 = linalg.generic ... ins(%x) outs(%e1)   // b
    %2 = linalg.generic ... ins(%0, %1) outs(%e2)
    ```
    After (`spm-size=4096`):
    ```mlir
    func.func @f(...) attributes {tessera.memory_plan = {capacity = 4096 : i64, ...}}
    %0 = linalg.generic ... ins(%x) outs(%e0)
    tessera.step 0 "a" reads [0] (%x : ...) writes [1] (%0 : ...)
    ...
    ```
    A scratchpad smaller than one operator's operands and results, dynamic
    shapes or tensors inside regions are errors; a solver time-out gives
    the best verified plan and a warning with the gap.
  }];
  let options = [
    Option<"spmSize", "spm-size", "uint64_t", "0",
           "Scratchpad capacity in bytes (required)">,
    Option<"alignment", "alignment", "uint64_t", "64",
           "Byte alignment of every scratchpad buffer">,
    Option<"solver", "solver", "std::string", "\"ilp\"",
           "Solver: ilp, fixed-order, dc, b0, b1, b2, b3 or b4">,
    Option<"timeLimit", "time-limit", "double", "10",
           "Time limit of each ILP solve in seconds">,
    Option<"includeWeights", "include-weights", "bool", "true",
           "Keep weights in the scratchpad (otherwise operators stream them)">,
    Option<"elementBytes", "element-bytes", "unsigned", "0",
           "Bytes per element for every tensor (0: from the type; 1: the "
           "paper's int8 accounting)">,
    Option<"partSize", "part-size", "unsigned", "24",
           "Operators per part in divide-and-conquer">,
    Option<"reportFile", "report", "std::string", "\"\"",
           "Write a JSON report of the plan to this file">
  ];
  let dependentDialects = ["::mlir::tessera::TesseraDialect"];
  let statistics = [
    Statistic<"numSteps", "steps", "Operators scheduled">,
    Statistic<"ncBytes", "nc-bytes", "Non-compulsory off-chip bytes">,
    Statistic<"compulsoryBytes", "compulsory-bytes",
              "Compulsory off-chip bytes">
  ];
}

def TesseraVerifyMemoryPlanPass
    : Pass<"tessera-verify-memory-plan", "func::FuncOp"> {
  let summary = "Replay a recorded memory plan and reject any violation";
  let description = [{
    Rebuilds the graph from the `tessera.step` markers and replays the plan
    in `tessera.memory_plan` step by step: steps in order, every buffer
    inside the scratchpad and aligned, no two live buffers overlapping,
    every operand and result resident while its operator runs, no load of
    a tensor whose value never reached off-chip memory, every graph output
    stored. The markers' tensor types must match the recorded sizes. Works
    on tensors and on buffers (after bufferization). Functions without a
    plan are left alone.
  }];
}

def TesseraMaterializeMemoryPlanPass
    : Pass<"tessera-materialize-memory-plan", "func::FuncOp"> {
  let summary = "Make a recorded memory plan explicit: arena, buffers, DMA";
  let description = [{
    Runs after bufferization on a function scheduled by
    `tessera-schedule-memory`. It creates one `tessera.arena` of the planned
    capacity; for each residency a `tessera.buffer` at its planned offset,
    filled by a `tessera.dma_load` from the tensor's off-chip buffer if the
    plan loads it and drained by a `tessera.dma_store` after its last step
    if the plan stores it; and it redirects every use of the off-chip
    buffer inside the steps where the tensor is resident to the scratchpad
    buffer (views are rebuilt on it). The step markers are erased. Off-chip
    buffers are then touched only by DMA, so a wrong offset gives wrong
    numbers when the program runs.

    Before:
    ```mlir
    %a = memref.alloc() : memref<4xf32>
    linalg.generic ... ins(%x : memref<4xf32>) outs(%a : memref<4xf32>)
    tessera.step 0 "op" reads [0] (%x : memref<4xf32>) writes [1] (%a : memref<4xf32>)
    ```
    After:
    ```mlir
    %spm = tessera.arena align 64 : memref<4096xi8>
    %b0 = tessera.buffer %spm[0] : memref<4096xi8> to memref<4xf32>
    tessera.dma_load %x, %b0 : memref<4xf32> to memref<4xf32>
    %b1 = tessera.buffer %spm[64] : memref<4096xi8> to memref<4xf32>
    %a = memref.alloc() : memref<4xf32>
    linalg.generic ... ins(%b0 : memref<4xf32>) outs(%b1 : memref<4xf32>)
    tessera.dma_store %b1, %a : memref<4xf32> to memref<4xf32>
    ```
  }];
  let dependentDialects = ["::mlir::tessera::TesseraDialect"];
  let statistics = [
    Statistic<"numLoads", "loads", "DMA loads created">,
    Statistic<"numStores", "stores", "DMA stores created">
  ];
}

def TesseraApplyKernelConfigPass
    : Pass<"tessera-apply-kernel-config", "func::FuncOp"> {
  let summary = "Realise every #tessera.kernel_config as loops and vector code";
  let description = [{
    Rewrites every linalg operator that carries a `tessera.kernel_config`
    (on buffers, static shapes) into the loop nest the configuration means
    (`costmodel/include/tessera/CostModel/Schedule.h`, `docs/cost-model.md`):
    tile loops per level, point loops in `loop_order`, and a vector body of
    `vector_width` elements along the innermost loop made of vector
    transfers and vector arithmetic (a reduction along it becomes a vector
    reduction; with `vector_width = 1` the body is scalar code), the vector
    loop unrolled `unroll` times. Every loop of the nest carries
    `loop_annotation = #llvm.loop_annotation<vectorize = <disable = true>,
    unroll = <disable = true>>`, so that LLVM's loop vectoriser adds no
    vector code of its own and its unroller does not flatten the nest into
    straight-line code for the SLP vectoriser to pack. Operators without a configuration are left
    alone. A configuration that does not fit its operator (wrong number of
    loops, tensors, dynamic shapes) is an error at the operator.

    Before:
    ```mlir
    linalg.matmul {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0, 2, 1], vector_width = 8, unroll = 1, parallel_dims = []>}
        ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
    ```
    After (the body of the vector loop):
    ```mlir
    %va = vector.transfer_read %a1[], %pad {permutation_map = affine_map<() -> (0)>} : memref<f32, ...>, vector<8xf32>
    %vb = vector.transfer_read %b1[%c0], %pad : memref<8xf32, ...>, vector<8xf32>
    %vc = vector.transfer_read %c1[%c0], %pad : memref<8xf32, ...>, vector<8xf32>
    %m = arith.mulf %va, %vb : vector<8xf32>
    %s = arith.addf %vc, %m : vector<8xf32>
    vector.transfer_write %s, %c1[%c0] : vector<8xf32>, memref<8xf32, ...>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
  let statistics = [
    Statistic<"numScheduled", "scheduled", "Operators scheduled">
  ];
}

def TesseraAnnotateCostPass : Pass<"tessera-annotate-cost", "::mlir::ModuleOp"> {
  let summary = "Record the cost model's latency prediction on every kernel";
  let description = [{
    Asks the cost model (costmodel/, `docs/cost-model.md`) for the latency of
    every linalg operator, under its `#tessera.kernel_config` or the default
    configuration, and of every outermost `affine.for` or `scf.for` nest,
    and records it
    as `tessera.cost`: the latency of the code the configuration compiles to
    (`tessera-apply-kernel-config`), which for an operator without one or a
    loop nest is scalar code, while the pipeline lowers those with LLVM's
    loop vectoriser on. The model is `model=FILE` when given (a missing, corrupt
    or wrong-schema file is an error), else the registry's model for the
    module's `#tessera.target` (the host CPU without one); when no model
    file fits the target, the analytical (roofline) model answers and the
    pass warns. A kernel of an operator kind the learned model was not
    trained on gets the analytical prediction, with a warning; a kernel the
    feature extractor does not know (dynamic shapes, accesses not linear in
    the loops) gets no attribute, with a warning.

    Before:
    ```mlir
    %0 = linalg.matmul ins(%a, %b : tensor<64x32xf32>, tensor<32x48xf32>)
                       outs(%c : tensor<64x48xf32>) -> tensor<64x48xf32>
    ```
    After:
    ```mlir
    %0 = linalg.matmul {tessera.cost = #tessera.cost<latency_us = 40.3, source = "xgb-cpu-x86_64-v4">}
                       ins(%a, %b : tensor<64x32xf32>, tensor<32x48xf32>)
                       outs(%c : tensor<64x48xf32>) -> tensor<64x48xf32>
    ```
  }];
  let options = [
    Option<"modelFile", "model", "std::string", /*default=*/"\"\"",
           "Cost model file (default: the registry's for the target)">,
    Option<"analytical", "analytical", "bool", /*default=*/"false",
           "Use the analytical (roofline) model">,
    Option<"loopNests", "loop-nests", "bool", /*default=*/"true",
           "Also annotate outermost affine.for and scf.for loop nests">
  ];
  let dependentDialects = ["::mlir::tessera::TesseraDialect"];
  let statistics = [
    Statistic<"numAnnotated", "annotated", "Kernels annotated">,
    Statistic<"numFallbacks", "fallbacks",
              "Kernels the analytical model predicted instead">,
    Statistic<"numUnknown", "unknown", "Kernels the cost model cannot describe">
  ];
}

#endif // TESSERA_TRANSFORMS_PASSES_TD
