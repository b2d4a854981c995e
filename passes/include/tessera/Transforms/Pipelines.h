//===- Pipelines.h - Tessera pass pipelines ---------------------*- C++ -*-===//
//
// The one builder of Tessera's compilation pipelines: tessera-opt's named
// pipelines, tessera-compile and embedding compilers all call it.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_TRANSFORMS_PIPELINES_H
#define TESSERA_TRANSFORMS_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::tessera {

/// Options of the CPU pipeline, from tensors to the LLVM dialect.
struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  Option<unsigned> optLevel{*this, "opt-level",
                            llvm::cl::desc("Optimisation level, 0 to 3"),
                            llvm::cl::init(2)};
};

/// Graph-level cleanup on tensors: canonicalisation, CSE and fusion of
/// elementwise chains into their producers (at -O1 and above).
void buildGraphPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Lowers a module of tensor functions to the LLVM dialect for the host CPU:
/// graph pipeline, one-shot bufferization (results become out-parameters),
/// buffer deallocation, loops, and conversion to LLVM.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Registers `tessera-cpu-pipeline` and `tessera-graph-pipeline` with
/// tessera-opt.
void registerTesseraPipelines();

} // namespace mlir::tessera

#endif // TESSERA_TRANSFORMS_PIPELINES_H
