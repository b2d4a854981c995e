//===- TesseraDialect.cpp - Registration of the tessera dialect -----------===//

#include "tessera/Dialect/Tessera/IR/Tessera.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::tessera;

#include "tessera/Dialect/Tessera/IR/TesseraDialect.cpp.inc"
#include "tessera/Dialect/Tessera/IR/TesseraEnums.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "tessera/Dialect/Tessera/IR/TesseraTypes.cpp.inc"

void TesseraDialect::initialize() {
  registerAttributes();
  addTypes<
#define GET_TYPEDEF_LIST
#include "tessera/Dialect/Tessera/IR/TesseraTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "tessera/Dialect/Tessera/IR/TesseraOps.cpp.inc"
      >();
}
