//===- InitAll.h - Register everything Tessera provides ---------*- C++ -*-===//
//
// One call each to register every dialect (upstream and tessera), every
// pass and every pipeline that Tessera's tools understand. Embedding
// compilers call the same functions.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_INITALL_H
#define TESSERA_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace tessera {

/// Adds the tessera dialect, every upstream dialect and their extensions
/// (bufferization, LLVM translation interfaces) to `registry`.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Registers every upstream pass, every Tessera pass and Tessera's
/// pipelines (`tessera-cpu-pipeline`, `tessera-graph-pipeline`).
void registerAllPasses();

/// Registers only Tessera's own dialect, passes and pipelines, for a
/// compiler that registers upstream pieces itself.
void registerTesseraDialect(mlir::DialectRegistry &registry);
void registerTesseraPassesAndPipelines();

} // namespace tessera

#endif // TESSERA_INITALL_H
