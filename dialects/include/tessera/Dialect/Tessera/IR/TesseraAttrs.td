//===- TesseraAttrs.td - Tessera attributes and types ------*- tablegen -*-===//

#ifndef TESSERA_DIALECT_TESSERA_IR_TESSERAATTRS_TD
#define TESSERA_DIALECT_TESSERA_IR_TESSERAATTRS_TD

include "tessera/Dialect/Tessera/IR/TesseraBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Tessera_TargetKind : I32EnumAttr<"TargetKind", "kind of device", [
    I32EnumAttrCase<"cpu", 0>,
    I32EnumAttrCase<"gpu", 1>,
    I32EnumAttrCase<"fpga", 2>]> {
  let cppNamespace = "::mlir::tessera";
  let genSpecializedAttr = 0;
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

/// A double-precision parameter printed and parsed as a float literal.
class Tessera_DoubleParameter<string desc> : APFloatParameter<desc> {
  let parser = [{ [&]() -> ::mlir::FailureOr<::llvm::APFloat> {
    double value;
    if ($_parser.parseFloat(value))
      return ::mlir::failure();
    return ::llvm::APFloat(value);
  }() }];
  let printer = "$_printer << $_self.convertToDouble()";
}

/// A list of integers printed and parsed in square brackets: `[0, 2, 1]`.
/// An optional one may be left out of a `struct` and is then empty.
class Tessera_IntListParameter<string desc, bit optional = 0>
    : ArrayRefParameter<"int64_t", desc> {
  let defaultValue = !if(optional, "::llvm::SmallVector<int64_t>()", "");
  let comparator = cppType # "($_lhs) == " # cppType # "($_rhs)";
  let parser = [{ [&]() -> ::mlir::FailureOr<::llvm::SmallVector<int64_t>> {
    ::llvm::SmallVector<int64_t> values;
    if ($_parser.parseCommaSeparatedList(::mlir::AsmParser::Delimiter::Square,
            [&]() { return $_parser.parseInteger(values.emplace_back()); }))
      return ::mlir::failure();
    return values;
  }() }];
  let printer = [{ $_printer << '[';
    ::llvm::interleaveComma($_self, $_printer);
    $_printer << ']'; }];
}

class Tessera_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Tessera_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Tessera_TargetAttr : Tessera_Attr<"Target", "target"> {
  let summary = "A device that Tessera compiles for, with the parameters its "
                "passes need";
  let description = [{
    Describes one device. `kind` is `cpu`, `gpu` or `fpga`; every other
    parameter is optional and defaults to 0 (unknown / absent):

    * `scratchpad`: on-chip scratchpad (SPM) size in bytes;
    * `alignment`: byte alignment of scratchpad buffers (default 64);
    * `vector_bits`: SIMD register width in bits;
    * `cores`: number of cores (CPU) or streaming multiprocessors (GPU);
    * `arch`: architecture name, for example `"sm_90"` or `"x86-64-v3"`;
    * `dsp`, `bram`: FPGA DSP slice and BRAM (18 Kb block) budgets.

    ```mlir
    module attributes {tessera.target = #tessera.target<kind = cpu,
        scratchpad = 262144, vector_bits = 256, cores = 2>} {}
    ```
  }];
  let parameters = (ins
    EnumParameter<Tessera_TargetKind>:$kind,
    DefaultValuedParameter<"int64_t", "0">:$scratchpad,
    DefaultValuedParameter<"int64_t", "64">:$alignment,
    DefaultValuedParameter<"int64_t", "0">:$vector_bits,
    DefaultValuedParameter<"int64_t", "0">:$cores,
    OptionalParameter<"::mlir::StringAttr">:$arch,
    DefaultValuedParameter<"int64_t", "0">:$dsp,
    DefaultValuedParameter<"int64_t", "0">:$bram);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Tessera_KernelConfigAttr : Tessera_Attr<"KernelConfig", "kernel_config"> {
  let summary = "How one tensor operator is tiled, ordered, vectorised and "
                "parallelised";
  let description = [{
    A schedule for the loop nest of one tensor operator with `n` loops:

    * `tiles`: one array of `n` tile sizes per level, outermost level first
      (0 = do not tile this loop at this level);
    * `loop_order`: a permutation of `[0, n)`, outermost loop first;
    * `vector_width`: elements per vector (1 = scalar), a power of two;
    * `unroll`: unroll factor of the innermost loop (1 = none);
    * `parallel_dims`: loops run in parallel, distinct and in `[0, n)`.

    ```mlir
    #tessera.kernel_config<tiles = [[64, 64, 32], [8, 8, 0]],
        loop_order = [0, 2, 1], vector_width = 8, unroll = 4,
        parallel_dims = [0]>
    ```
  }];
  let parameters = (ins
    "::mlir::ArrayAttr":$tiles,
    Tessera_IntListParameter<"loops, outermost first">:$loop_order,
    DefaultValuedParameter<"int64_t", "1">:$vector_width,
    DefaultValuedParameter<"int64_t", "1">:$unroll,
    Tessera_IntListParameter<"loops run in parallel", 1>:$parallel_dims);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Number of loops the configuration schedules.
    int64_t getNumLoops() const { return getLoopOrder().size(); }
    /// Tile sizes of one level, one per loop.
    ::llvm::SmallVector<int64_t> getTileSizes(unsigned level) const;
  }];
}

def Tessera_CostAttr : Tessera_Attr<"Cost", "cost"> {
  let summary = "A cost prediction and where it came from";
  let description = [{
    The predicted latency of an operator in microseconds and the model that
    predicted it: a learned model's name, or `"analytical"`.

    ```mlir
    #tessera.cost<latency_us = 12.5, source = "xgb-cpu-v1">
    ```
  }];
  let parameters = (ins
    Tessera_DoubleParameter<"predicted latency in microseconds">:$latency_us,
    StringRefParameter<"the model that made the prediction">:$source);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

def Tessera_TokenType : TypeDef<Tessera_Dialect, "Token"> {
  let mnemonic = "token";
  let summary = "Completion token of an asynchronous DMA transfer";
}

#endif // TESSERA_DIALECT_TESSERA_IR_TESSERAATTRS_TD
