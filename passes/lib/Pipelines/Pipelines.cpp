//===- Pipelines.cpp - Tessera pass pipelines -----------------------------===//
//
// The single place that assembles Tessera's pipelines; tessera-opt,
// tessera-compile and embedding compilers all build them through these
// functions.
//
//===----------------------------------------------------------------------===//

#include "tessera/Transforms/Pipelines.h"
#include "tessera/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void tessera::buildGraphPipeline(OpPassManager &pm,
                                 const CPUPipelineOptions &options) {
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(createCSEPass());
  if (options.optLevel >= 1) {
    funcPm.addPass(createLinalgElementwiseOpFusionPass());
    funcPm.addPass(createCanonicalizerPass());
  }
}

void tessera::buildCPUPipeline(OpPassManager &pm,
                               const CPUPipelineOptions &options) {
  buildGraphPipeline(pm, options);
  bool planMemory = options.spmSize > 0;
  if (planMemory) {
    tessera::TesseraScheduleMemoryPassOptions scheduleOptions;
    scheduleOptions.spmSize = options.spmSize;
    scheduleOptions.alignment = options.spmAlignment;
    scheduleOptions.solver = options.memorySolver;
    scheduleOptions.timeLimit = options.memoryTimeLimit;
    scheduleOptions.includeWeights = options.spmIncludeWeights;
    scheduleOptions.elementBytes = options.spmElementBytes;
    scheduleOptions.reportFile = options.memoryReport;
    pm.addPass(tessera::createTesseraScheduleMemoryPass(scheduleOptions));
    pm.addNestedPass<func::FuncOp>(
        tessera::createTesseraVerifyMemoryPlanPass());
  }

  // Tensors to buffers: function results become caller-provided buffers.
  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  bufferizeOptions.bufferizeFunctionBoundaries = true;
  bufferizeOptions.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  bufferization::BufferResultsToOutParamsPassOptions outParamsOptions;
  // No hoisting of static allocs: upstream's hoisting crashes on a function
  // that returns one buffer twice (a graph output duplicated by Identity).
  outParamsOptions.modifyPublicFunctions = true;
  pm.addPass(
      bufferization::createBufferResultsToOutParamsPass(outParamsOptions));
  if (planMemory) {
    // The plan survives bufferization on the step markers: check it again
    // on the buffers, then make it explicit before deallocation is planned.
    pm.addNestedPass<func::FuncOp>(
        tessera::createTesseraVerifyMemoryPlanPass());
    pm.addNestedPass<func::FuncOp>(
        tessera::createTesseraMaterializeMemoryPlanPass());
  }
  bufferization::buildBufferDeallocationPipeline(pm);

  // Buffers to loops.
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(tessera::createTesseraLowerScratchpadPass());
  funcPm.addPass(tessera::createTesseraExpandStridedCopiesPass());
  funcPm.addPass(tessera::createTesseraApplyKernelConfigPass());
  funcPm.addPass(createConvertLinalgToAffineLoopsPass());
  if (options.optLevel >= 1) {
    funcPm.addPass(createLoopInvariantCodeMotionPass());
    funcPm.addPass(createCanonicalizerPass());
  }
  funcPm.addPass(createLowerAffinePass());
  // Vector operations (the vector bodies of scheduled kernels) to 1-D vector
  // loads, stores and arithmetic: a reduction along the vector loop becomes
  // a horizontal vector reduction, a strided line a loop over its elements.
  funcPm.addPass(vector::createLowerVectorMultiReductionPass(
      vector::VectorMultiReductionLowering::InnerReduction));
  funcPm.addPass(createConvertVectorToSCFPass());
  funcPm.addPass(createSCFToControlFlowPass());

  // Loops to the LLVM dialect.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  // A vector reduction the schedule asked for may reassociate.
  ConvertVectorToLLVMPassOptions vectorOptions;
  vectorOptions.reassociateFPReductions = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorOptions));
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void tessera::registerTesseraPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "tessera-graph-pipeline",
      "Graph-level cleanup and elementwise fusion on tensors",
      buildGraphPipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "tessera-cpu-pipeline",
      "Lower tensor functions to the LLVM dialect for the host CPU",
      buildCPUPipeline);
}
