//===- TesseraBase.td - Tessera dialect definition ---------*- tablegen -*-===//
//
// The `tessera` dialect: targets, kernel configurations, cost predictions and
// the scratchpad (SPM) memory model.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_DIALECT_TESSERA_IR_TESSERABASE_TD
#define TESSERA_DIALECT_TESSERA_IR_TESSERABASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Tessera_Dialect : Dialect {
  let name = "tessera";
  let cppNamespace = "::mlir::tessera";
  let summary = "Decisions of the Tessera compiler: targets, kernel "
                "configurations, cost predictions and scratchpad memory";
  let description = [{
    The `tessera` dialect carries the decisions that Tessera's passes make:
    which device a module targets (`#tessera.target`), how a tensor operator
    is tiled (`#tessera.kernel_config`), what the cost model predicted
    (`#tessera.cost`), and where tensors live in an on-chip scratchpad (the
    `tessera.arena`, `tessera.buffer`, `tessera.dma_load`,
    `tessera.dma_store` and `tessera.wait` operations). It holds IR only:
    nothing in it knows about ONNX, XGBoost or an ILP solver.
  }];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

class Tessera_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tessera_Dialect, mnemonic, traits>;

#endif // TESSERA_DIALECT_TESSERA_IR_TESSERABASE_TD
