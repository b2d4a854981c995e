// RUN: tessera-opt %s -tessera-annotate-cost="model=%tessera_src/costmodel/models/cpu-x86_64.json" -split-input-file | FileCheck %s
// RUN: tessera-opt %s -tessera-annotate-cost="analytical=true" -split-input-file | FileCheck %s --check-prefix=ROOFLINE
// RUN: tessera-opt %s -tessera-annotate-cost="model=%tessera_src/costmodel/models/cpu-x86_64.json loop-nests=false" -split-input-file | FileCheck %s --check-prefix=NONESTS

// An operator with its schedule, on tensors.
// CHECK-LABEL: func.func @matmul
// CHECK: linalg.matmul {tessera.cost = #tessera.cost<latency_us = {{[0-9.e+-]+}}, source = "xgb-cpu-x86_64-v5">, tessera.kernel_config = #tessera.kernel_config<tiles = {{\[\[}}16, 16, 8]], loop_order = [0, 2, 1], vector_width = 8, unroll = 2, parallel_dims = [0]>}
// ROOFLINE-LABEL: func.func @matmul
// ROOFLINE: linalg.matmul {tessera.cost = #tessera.cost<latency_us = {{[0-9.e+-]+}}, source = "analytical">
func.func @matmul(%a: tensor<64x32xf32>, %b: tensor<32x48xf32>, %c: tensor<64x48xf32>) -> tensor<64x48xf32> {
  %0 = linalg.matmul {tessera.kernel_config = #tessera.kernel_config<tiles = [[16, 16, 8]], loop_order = [0, 2, 1], vector_width = 8, unroll = 2, parallel_dims = [0]>}
    ins(%a, %b : tensor<64x32xf32>, tensor<32x48xf32>) outs(%c : tensor<64x48xf32>) -> tensor<64x48xf32>
  return %0 : tensor<64x48xf32>
}

// -----

// Operators without a schedule (the default one), on buffers; the fill and
// the conv are both annotated.
// CHECK-LABEL: func.func @conv
// CHECK: linalg.fill {tessera.cost = #tessera.cost<latency_us = {{[0-9.e+-]+}}, source = "xgb-cpu-x86_64-v5">}
// CHECK: linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>, tessera.cost = #tessera.cost<latency_us = {{[0-9.e+-]+}}, source = "xgb-cpu-x86_64-v5">}
func.func @conv(%i: memref<1x18x18x16xf32>, %f: memref<3x3x16x32xf32>, %o: memref<1x16x16x32xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%o : memref<1x16x16x32xf32>)
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%i, %f : memref<1x18x18x16xf32>, memref<3x3x16x32xf32>) outs(%o : memref<1x16x16x32xf32>)
  return
}

// -----

// An affine loop nest: the outermost loop is annotated.
// CHECK-LABEL: func.func @transpose
// CHECK: affine.for
// CHECK: affine.for
// CHECK: } {tessera.cost = #tessera.cost<latency_us = {{[0-9.e+-]+}}, source = "xgb-cpu-x86_64-v5">}
// NONESTS-LABEL: func.func @transpose
// NONESTS-NOT: tessera.cost
func.func @transpose(%a: memref<64x64xf32>, %b: memref<64x64xf32>) {
  affine.for %i = 0 to 64 {
    affine.for %j = 0 to 64 {
      %v = affine.load %a[%j, %i] : memref<64x64xf32>
      affine.store %v, %b[%i, %j] : memref<64x64xf32>
    }
  }
  return
}

// -----

// An scf loop nest (memref loads and stores at indices computed with arith):
// the outermost loop is annotated.
// CHECK-LABEL: func.func @scf_reverse
// CHECK: scf.for
// CHECK: scf.for
// CHECK: } {tessera.cost = #tessera.cost<latency_us = {{[0-9.e+-]+}}, source = "xgb-cpu-x86_64-v5">}
// NONESTS-LABEL: func.func @scf_reverse
// NONESTS-NOT: tessera.cost
func.func @scf_reverse(%a: memref<64x64xf32>, %b: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c63 = arith.constant 63 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c64 step %c1 {
    scf.for %j = %c0 to %c64 step %c1 {
      %r = arith.subi %c63, %j : index
      %v = memref.load %a[%i, %r] : memref<64x64xf32>
      memref.store %v, %b[%i, %j] : memref<64x64xf32>
    }
  }
  return
}
