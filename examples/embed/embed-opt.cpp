//===- embed-opt.cpp - An opt tool of another compiler, with Tessera ------===//
//
// Registers only the upstream dialects this compiler needs, then Tessera's
// dialect, passes and pipelines, the way an embedding compiler would.
//
//===----------------------------------------------------------------------===//

#include "tessera/InitAll.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::arith::ArithDialect, mlir::func::FuncDialect,
                  mlir::memref::MemRefDialect>();
  tessera::registerTesseraDialect(registry);
  tessera::registerTesseraPassesAndPipelines();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "An embedding compiler with Tessera's passes\n", registry));
}
