//===- TesseraOps.td - Tessera scratchpad operations -------*- tablegen -*-===//

#ifndef TESSERA_DIALECT_TESSERA_IR_TESSERAOPS_TD
#define TESSERA_DIALECT_TESSERA_IR_TESSERAOPS_TD

include "tessera/Dialect/Tessera/IR/TesseraBase.td"
include "tessera/Dialect/Tessera/IR/TesseraAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ViewLikeInterface.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.td"

def Tessera_ArenaMemRef : ConfinedType<MemRefRankOf<[I8], [1]>,
    [HasStaticShapePred,
     CPred<"::llvm::cast<::mlir::MemRefType>($_self).getLayout().isIdentity()">],
    "statically sized 1-D memref of i8 with an identity layout">;

def Tessera_ArenaOp : Tessera_Op<"arena", [
    MemoryEffects<[MemAlloc<DefaultResource>]>]> {
  let summary = "The scratchpad of a device: one byte array of fixed size";
  let description = [{
    Allocates the scratchpad (SPM) arena of one device: a static 1-D `i8`
    memref whose size is the scratchpad capacity in bytes. Buffers are carved
    out of it at static offsets by `tessera.buffer`. `alignment` is the byte
    alignment of the arena's base address and of every buffer offset; it
    must be a power of two.

    ```mlir
    %spm = tessera.arena align 64 : memref<262144xi8>
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntPositive]>:$alignment);
  let results = (outs Tessera_ArenaMemRef:$arena);
  let assemblyFormat = "`align` $alignment attr-dict `:` type($arena)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Capacity of the arena in bytes.
    int64_t getSizeInBytes() { return getArena().getType().getDimSize(0); }
  }];
}

def Tessera_BufferOp : Tessera_Op<"buffer", [
    Pure, DeclareOpInterfaceMethods<ViewLikeOpInterface>]> {
  let summary = "A tensor buffer at a static byte offset in a scratchpad arena";
  let description = [{
    A view of `size(result)` bytes of the arena, starting at byte `offset`.
    The result must have a static shape, an identity layout and an element
    type of a whole number of bytes; the buffer must lie inside the arena and
    its offset must be a multiple of the arena's alignment.

    ```mlir
    %a = tessera.buffer %spm[1024] : memref<262144xi8> to memref<16x16xf32>
    ```
  }];
  let arguments = (ins Tessera_ArenaMemRef:$arena,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$offset);
  let results = (outs AnyStaticShapeMemRef:$result);
  let assemblyFormat = [{
    $arena `[` $offset `]` attr-dict `:` type($arena) `to` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Size of the buffer in bytes.
    int64_t getSizeInBytes();
    /// The arena op the buffer lives in, or null when the arena is a block
    /// argument.
    ArenaOp getArenaOp() { return getArena().getDefiningOp<ArenaOp>(); }
  }];
}

/// A DMA transfer between an off-chip memref and a scratchpad buffer; the
/// two have the same shape and element type.
class Tessera_DmaOp<string mnemonic, string summaryText>
    : Tessera_Op<mnemonic> {
  let summary = summaryText;
  let arguments = (ins Arg<AnyStaticShapeMemRef, "source", [MemRead]>:$source,
                       Arg<AnyStaticShapeMemRef, "target", [MemWrite]>:$target,
                       UnitAttr:$async);
  let results = (outs Optional<Tessera_TokenType>:$token);
  let assemblyFormat = [{
    $source `,` $target (`async` $async^)? attr-dict `:` type($source) `to`
    type($target) (`->` type($token)^)?
  }];
  let hasVerifier = 1;
}

def Tessera_DmaLoadOp : Tessera_DmaOp<"dma_load",
    "Copy a tensor from off-chip memory into a scratchpad buffer"> {
  let description = [{
    Copies `source` (an off-chip memref) into `target`, a `tessera.buffer` of
    the same shape and element type. With `async` the copy returns a
    `!tessera.token` and completes by the matching `tessera.wait`; without it
    the copy is complete when the op returns.

    ```mlir
    tessera.dma_load %x, %a : memref<16x16xf32> to memref<16x16xf32>
    %t = tessera.dma_load %x, %a async : memref<16x16xf32> to memref<16x16xf32> -> !tessera.token
    ```
  }];
  let extraClassDeclaration = [{
    /// The scratchpad side of the transfer.
    ::mlir::Value getBuffer() { return getTarget(); }
  }];
}

def Tessera_DmaStoreOp : Tessera_DmaOp<"dma_store",
    "Copy a tensor from a scratchpad buffer to off-chip memory"> {
  let description = [{
    Copies `source`, a `tessera.buffer`, into `target` (an off-chip memref)
    of the same shape and element type. `async` works as for
    `tessera.dma_load`.

    ```mlir
    tessera.dma_store %a, %y : memref<16x16xf32> to memref<16x16xf32>
    ```
  }];
  let extraClassDeclaration = [{
    /// The scratchpad side of the transfer.
    ::mlir::Value getBuffer() { return getSource(); }
  }];
}

def Tessera_WaitOp : Tessera_Op<"wait"> {
  let summary = "Wait for asynchronous DMA transfers to complete";
  let description = [{
    Blocks until every transfer whose token is an operand has completed.
    A wait with no tokens does nothing and is erased by canonicalization.

    ```mlir
    tessera.wait %t0, %t1
    ```
  }];
  let arguments = (ins Variadic<Tessera_TokenType>:$tokens);
  let assemblyFormat = "($tokens^)? attr-dict";
  let hasCanonicalizeMethod = 1;
}

def Tessera_TensorOrMemRef : AnyTypeOf<[AnyRankedTensor, AnyMemRef]>;

def Tessera_StepOp : Tessera_Op<"step", [
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<BufferizableOpInterface,
        ["bufferizesToMemoryRead", "bufferizesToMemoryWrite",
         "getAliasingValues", "bufferize"]>]> {
  let summary = "Marks the end of one step of a scheduled graph";
  let description = [{
    Written by `tessera-schedule-memory`: the operations between the previous
    `tessera.step` (or the start of the block) and this one form step
    `index` of the memory plan, which runs the graph operator
    `operator_name`. `reads` and `writes` are the graph tensors the operator
    reads and writes (their root values, before any reshape), and
    `read_tensors` / `write_tensors` their ids in the plan recorded on the
    function (`tessera.memory_plan`).

    The op survives bufferization with its operands turned into the
    tensors' buffers, so `tessera-materialize-memory-plan` knows which
    buffer holds which planned tensor; it then erases it. It has no
    semantics of its own and is never removed as dead code.

    ```mlir
    tessera.step 2 "conv1" reads [0, 5] (%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>)
                           writes [6] (%y : tensor<1x4x6x6xf32>)
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$index,
                       StrAttr:$operator_name,
                       DenseI64ArrayAttr:$read_tensors,
                       Variadic<Tessera_TensorOrMemRef>:$reads,
                       DenseI64ArrayAttr:$write_tensors,
                       Variadic<Tessera_TensorOrMemRef>:$writes);
  let assemblyFormat = [{
    $index $operator_name
    `reads` $read_tensors ` ` `(` ($reads^ `:` type($reads))? `)`
    `writes` $write_tensors ` ` `(` ($writes^ `:` type($writes))? `)` attr-dict
  }];
  let hasVerifier = 1;
}

#endif // TESSERA_DIALECT_TESSERA_IR_TESSERAOPS_TD
