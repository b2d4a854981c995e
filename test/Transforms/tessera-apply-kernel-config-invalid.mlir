// RUN: tessera-opt %s -tessera-apply-kernel-config -split-input-file -verify-diagnostics

func.func @on_tensors(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error@+1 {{kernel configurations are applied on buffers; bufferize first}}
  %0 = linalg.matmul {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0, 2, 1], vector_width = 8, unroll = 1, parallel_dims = []>}
    ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

func.func @wrong_loops(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  // expected-error@+1 {{kernel_config schedules 2 loops but the operator has 3}}
  linalg.matmul {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0, 1], vector_width = 8, unroll = 1, parallel_dims = []>}
    ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  return
}

// -----

func.func @dynamic(%a: memref<?x8xf32>, %b: memref<8x16xf32>, %c: memref<?x16xf32>) {
  // expected-error@+1 {{the operator's iteration domain is not static and positive}}
  linalg.matmul {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0, 2, 1], vector_width = 8, unroll = 1, parallel_dims = []>}
    ins(%a, %b : memref<?x8xf32>, memref<8x16xf32>) outs(%c : memref<?x16xf32>)
  return
}
