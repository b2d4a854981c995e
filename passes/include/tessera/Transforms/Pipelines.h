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

  // Scratchpad planning (tessera-schedule-memory), off when spm-size is 0.
  Option<uint64_t> spmSize{
      *this, "spm-size",
      llvm::cl::desc("Plan for a scratchpad of this many bytes (0: no plan)"),
      llvm::cl::init(0)};
  Option<uint64_t> spmAlignment{
      *this, "spm-alignment",
      llvm::cl::desc("Byte alignment of scratchpad buffers"),
      llvm::cl::init(64)};
  Option<std::string> memorySolver{
      *this, "memory-solver",
      llvm::cl::desc("ilp, fixed-order, dc, b0, b1, b2, b3 or b4"),
      llvm::cl::init("ilp")};
  Option<double> memoryTimeLimit{
      *this, "memory-time-limit",
      llvm::cl::desc("Time limit of each ILP solve in seconds"),
      llvm::cl::init(10)};
  Option<bool> spmIncludeWeights{
      *this, "spm-include-weights",
      llvm::cl::desc("Keep weights in the scratchpad"), llvm::cl::init(true)};
  Option<unsigned> spmElementBytes{
      *this, "spm-element-bytes",
      llvm::cl::desc("Bytes per element when planning (0: from the type)"),
      llvm::cl::init(0)};
  Option<std::string> memoryReport{
      *this, "memory-report",
      llvm::cl::desc("Write the memory plan report (JSON) to this file")};
};

/// Graph-level cleanup on tensors: canonicalisation, CSE and fusion of
/// elementwise chains into their producers (at -O1 and above).
void buildGraphPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Lowers a module of tensor functions to the LLVM dialect for the host CPU:
/// graph pipeline, memory planning when spm-size is set (schedule, verify,
/// and after bufferization materialise the scratchpad), one-shot
/// bufferization (results become out-parameters), buffer deallocation,
/// loops, and conversion to LLVM.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Registers `tessera-cpu-pipeline` and `tessera-graph-pipeline` with
/// tessera-opt.
void registerTesseraPipelines();

} // namespace mlir::tessera

#endif // TESSERA_TRANSFORMS_PIPELINES_H
