// RUN: tessera-opt %s -tessera-apply-kernel-config -split-input-file | FileCheck %s
// RUN: tessera-opt %s -tessera-apply-kernel-config -tessera-cpu-pipeline -split-input-file | FileCheck %s --check-prefix=LLVM

// The vector loop runs along j: B and C are contiguous 8-element lines, A's
// element is broadcast; the vector loop (two iterations) is unrolled twice.
// The tile loop and the point loops around the vector body are marked for
// LLVM's loop vectoriser and unroller to leave alone.

// CHECK: #[[NOUNROLL:.*]] = #llvm.loop_unroll<disable = true>
// CHECK: #[[NOVEC:.*]] = #llvm.loop_vectorize<disable = true>
// CHECK: #[[ANNOTATION:.*]] = #llvm.loop_annotation<vectorize = #[[NOVEC]], unroll = #[[NOUNROLL]]>
// CHECK-LABEL: func.func @matmul_j
// CHECK-NOT: linalg.
// CHECK: scf.for
// CHECK: scf.for
// CHECK: memref.subview {{.*}} to memref<f32, strided<[], offset: ?>>
// CHECK: memref.subview {{.*}} to memref<8xf32, strided<[1], offset: ?>>
// CHECK: %[[A:.*]] = vector.transfer_read {{.*}} {permutation_map = #{{.*}}} : memref<f32, strided<[], offset: ?>>, vector<8xf32>
// CHECK: %[[B:.*]] = vector.transfer_read {{.*}} : memref<8xf32, strided<[1], offset: ?>>, vector<8xf32>
// CHECK: %[[C:.*]] = vector.transfer_read {{.*}} : memref<8xf32, strided<[1], offset: ?>>, vector<8xf32>
// CHECK: %[[M:.*]] = arith.mulf %[[A]], %[[B]] : vector<8xf32>
// CHECK: %[[S:.*]] = arith.addf %[[C]], %[[M]] : vector<8xf32>
// CHECK: vector.transfer_write %[[S]]
// CHECK: arith.mulf {{.*}} : vector<8xf32>
// CHECK-NOT: arith.mulf
// CHECK: } {loop_annotation = #[[ANNOTATION]]}
// CHECK-NEXT: } {loop_annotation = #[[ANNOTATION]]}
// CHECK-NEXT: } {loop_annotation = #[[ANNOTATION]]}
// CHECK-NEXT: return

// LLVM-LABEL: llvm.func @matmul_j
// LLVM: llvm.load {{.*}} : !llvm.ptr -> vector<8xf32>
// LLVM: llvm.fmul {{.*}} : vector<8xf32>
// LLVM: llvm.fadd {{.*}} : vector<8xf32>
// LLVM: llvm.store {{.*}} : vector<8xf32>, !llvm.ptr
func.func @matmul_j(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  linalg.matmul {tessera.kernel_config = #tessera.kernel_config<tiles = [[0, 0, 2]], loop_order = [0, 2, 1], vector_width = 8, unroll = 2, parallel_dims = []>}
    ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  return
}

// -----

// The vector loop runs along the reduction k: A's row is a contiguous line,
// B's column a line of stride 16, C's element the reduction's result.

// CHECK-LABEL: func.func @matmul_k
// CHECK: memref.subview {{.*}} to memref<4xf32, strided<[16], offset: ?>>
// CHECK: vector.transfer_read {{.*}} : memref<4xf32, strided<[16], offset: ?>>, vector<4xf32>
// CHECK: %[[M:.*]] = arith.mulf {{.*}} : vector<4xf32>
// CHECK: vector.multi_reduction <add>, %[[M]], {{.*}} [0] : vector<4xf32> to f32

// LLVM-LABEL: llvm.func @matmul_k
// LLVM: "llvm.intr.vector.reduce.fadd"({{.*}}) <{fastmathFlags = #llvm.fastmath<reassoc>}> : (f32, vector<4xf32>) -> f32
func.func @matmul_k(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  linalg.matmul {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0, 1, 2], vector_width = 4, unroll = 1, parallel_dims = []>}
    ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  return
}

// -----

// A strided convolution along the output width: the input window is a line
// of stride 2 x 3 channels, the filter's element is broadcast.

// CHECK-LABEL: func.func @conv_ow
// CHECK: memref.subview {{.*}} to memref<4xf32, strided<[6], offset: ?>>
// CHECK: vector.transfer_read {{.*}} : memref<4xf32, strided<[6], offset: ?>>, vector<4xf32>
// CHECK: arith.mulf {{.*}} : vector<4xf32>
func.func @conv_ow(%in: memref<1x9x9x3xf32>, %w: memref<3x3x3x2xf32>, %out: memref<1x4x4x2xf32>) {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>,
      tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0, 1, 3, 4, 5, 6, 2], vector_width = 4, unroll = 1, parallel_dims = []>}
    ins(%in, %w : memref<1x9x9x3xf32>, memref<3x3x3x2xf32>) outs(%out : memref<1x4x4x2xf32>)
  return
}

// -----

// With vector width 1 the body is scalar code, and every loop of the nest
// (the unrolled vector loop too) tells LLVM's loop vectoriser and unroller
// to leave it alone; the annotation reaches the loops' latch branches.

// CHECK: #[[NOUNROLL:.*]] = #llvm.loop_unroll<disable = true>
// CHECK: #[[NOVEC:.*]] = #llvm.loop_vectorize<disable = true>
// CHECK: #[[ANNOTATION:.*]] = #llvm.loop_annotation<vectorize = #[[NOVEC]], unroll = #[[NOUNROLL]]>
// CHECK-LABEL: func.func @scalar
// CHECK-NOT: vector.
// CHECK: memref.load {{.*}} : memref<1x1xf32
// CHECK: arith.mulf {{.*}} : f32
// CHECK: memref.store
// CHECK-NOT: vector.
// CHECK: } {loop_annotation = #[[ANNOTATION]]}
// CHECK-NEXT: } {loop_annotation = #[[ANNOTATION]]}
// CHECK-NEXT: } {loop_annotation = #[[ANNOTATION]]}
// CHECK-NEXT: return

// LLVM: #[[NOUNROLL:.*]] = #llvm.loop_unroll<disable = true>
// LLVM: #[[NOVEC:.*]] = #llvm.loop_vectorize<disable = true>
// LLVM: #[[ANNOTATION:.*]] = #llvm.loop_annotation<vectorize = #[[NOVEC]], unroll = #[[NOUNROLL]]>
// LLVM-LABEL: llvm.func @scalar
// LLVM-COUNT-3: llvm.br ^{{.*}} {loop_annotation = #[[ANNOTATION]]}
// LLVM-NOT: loop_annotation
// LLVM: llvm.return
func.func @scalar(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  linalg.matmul {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0, 2, 1], vector_width = 1, unroll = 2, parallel_dims = []>}
    ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  return
}

// -----

// An operator without a configuration is left to the pipeline.

// CHECK-LABEL: func.func @unscheduled
// CHECK: linalg.matmul ins
func.func @unscheduled(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  return
}
