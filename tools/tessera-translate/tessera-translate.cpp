//===- tessera-translate.cpp - Translations out of MLIR -------------------===//
//
// mlir-translate with every upstream translation (e.g. --mlir-to-llvmir);
// Tessera's own emitters (HLS C++ for FPGAs) register here as they are
// added.
//
//===----------------------------------------------------------------------===//

#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"

int main(int argc, char **argv) {
  mlir::registerAllTranslations();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "Tessera translation driver\n"));
}
