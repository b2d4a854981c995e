// Kernels for tessera-cost predict: operators with and without a schedule,
// on tensors and buffers, and an affine loop nest.
module {
  func.func @matmul(%a: tensor<64x32xf32>, %b: tensor<32x48xf32>, %c: tensor<64x48xf32>) -> tensor<64x48xf32> {
    %0 = linalg.matmul {tessera.kernel_config = #tessera.kernel_config<tiles = [[16, 16, 8]], loop_order = [0, 2, 1], vector_width = 8, unroll = 2, parallel_dims = [0]>}
      ins(%a, %b : tensor<64x32xf32>, tensor<32x48xf32>) outs(%c : tensor<64x48xf32>) -> tensor<64x48xf32>
    return %0 : tensor<64x48xf32>
  }
  func.func @matmul_default(%a: memref<64x32xf32>, %b: memref<32x48xf32>, %c: memref<64x48xf32>) {
    linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x48xf32>) outs(%c : memref<64x48xf32>)
    return
  }
  func.func @conv(%i: memref<1x18x18x16xf32>, %f: memref<3x3x16x32xf32>, %o: memref<1x16x16x32xf32>) {
    linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%i, %f : memref<1x18x18x16xf32>, memref<3x3x16x32xf32>) outs(%o : memref<1x16x16x32xf32>)
    return
  }
  func.func @nest(%a: memref<64x64xf32>, %b: memref<64x64xf32>) {
    affine.for %i = 0 to 64 {
      affine.for %j = 0 to 64 {
        %v = affine.load %a[%j, %i] : memref<64x64xf32>
        affine.store %v, %b[%i, %j] : memref<64x64xf32>
      }
    }
    return
  }
  func.func @scf_nest(%a: memref<64x64xf32>, %b: memref<64x64xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    scf.for %i = %c0 to %c64 step %c1 {
      scf.for %j = %c0 to %c64 step %c1 {
        %v = memref.load %a[%j, %i] : memref<64x64xf32>
        memref.store %v, %b[%i, %j] : memref<64x64xf32>
      }
    }
    return
  }
}
