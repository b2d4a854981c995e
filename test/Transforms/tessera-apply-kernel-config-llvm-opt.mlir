// RUN: tessera-opt %s -tessera-cpu-pipeline | tessera-translate --mlir-to-llvmir | sed -e '/^define/s/ptr %%/ptr noalias %%/g' | opt -O3 -mtriple=x86_64-unknown-linux-gnu -mcpu=znver4 -S | FileCheck %s

// A `vector_width = 1` configuration stays scalar code through LLVM's -O3
// (code generation v4). Its point nest has constant trip counts (8 output
// channels by 7 columns): without `llvm.loop.unroll.disable` on the nest's
// loops, LLVM's unroller flattens it and, with the `noalias` pointers the
// collection harness passes (the sed above), the SLP vectoriser packs the 56
// multiply-adds into 28 `fmul <8 x float>`: vector code that the
// configuration (and its features) say is scalar.

// CHECK-LABEL: define void @conv
// CHECK-NOT: fmul <
// CHECK: fmul float
// CHECK-NOT: fmul <
// CHECK: ret void
func.func @conv(%in: memref<1x28x28x16xf32>, %f: memref<1x1x16x16xf32>, %out: memref<1x28x28x16xf32>) {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>, tessera.kernel_config = #tessera.kernel_config<tiles = [[0, 2, 7, 0, 0, 0, 0], [0, 0, 0, 8, 0, 0, 0]], loop_order = [6, 1, 3, 5, 4, 2, 0], vector_width = 1, unroll = 1, parallel_dims = []>}
    ins(%in, %f : memref<1x28x28x16xf32>, memref<1x1x16x16xf32>) outs(%out : memref<1x28x28x16xf32>)
  return
}
