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

#endif // TESSERA_TRANSFORMS_PASSES_TD
