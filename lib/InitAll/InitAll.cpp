//===- InitAll.cpp - Register everything Tessera provides -----------------===//

#include "tessera/InitAll.h"
#include "tessera/Dialect/Tessera/IR/Tessera.h"
#include "tessera/Transforms/Passes.h"
#include "tessera/Transforms/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"

void tessera::registerTesseraDialect(mlir::DialectRegistry &registry) {
  registry.insert<mlir::tessera::TesseraDialect>();
}

void tessera::registerTesseraPassesAndPipelines() {
  mlir::tessera::registerTesseraPasses();
  mlir::tessera::registerTesseraPipelines();
}

void tessera::registerAllDialects(mlir::DialectRegistry &registry) {
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registerTesseraDialect(registry);
}

void tessera::registerAllPasses() {
  mlir::registerAllPasses();
  registerTesseraPassesAndPipelines();
}
