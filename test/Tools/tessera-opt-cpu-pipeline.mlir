// RUN: tessera-opt %s --tessera-cpu-pipeline | FileCheck %s \
// RUN:   --implicit-check-not='{{(tensor|linalg|memref|bufferization|scf|arith|math|func)\.[a-z]}}'
// RUN: tessera-opt %s '--tessera-cpu-pipeline=opt-level=0' | FileCheck %s \
// RUN:   --implicit-check-not='{{(tensor|linalg|memref|bufferization|scf|arith|math|func)\.[a-z]}}'
// RUN: tessera-opt %s '--tessera-cpu-pipeline=opt-level=3' | FileCheck %s \
// RUN:   --implicit-check-not='{{(tensor|linalg|memref|bufferization|scf|arith|math|func)\.[a-z]}}'

// The CPU pipeline takes functions on tensors all the way to the LLVM
// dialect: no tensor, linalg, memref, scf, arith, math or func op remains,
// and a tensor result becomes an out-parameter: a memref descriptor
// (allocated, aligned pointer, offset, sizes, strides) after the inputs',
// into which the result is copied.

#map = affine_map<(d0) -> (d0)>

// CHECK-LABEL: llvm.func @add(
// CHECK-SAME:    %{{[^:]+}}: !llvm.ptr, %[[A:[^:]+]]: !llvm.ptr, %{{[^:]+}}: i64, %{{[^:]+}}: i64, %{{[^:]+}}: i64,
// CHECK-SAME:    %{{[^:]+}}: !llvm.ptr, %[[B:[^:]+]]: !llvm.ptr, %{{[^:]+}}: i64, %{{[^:]+}}: i64, %{{[^:]+}}: i64,
// CHECK-SAME:    %{{[^:]+}}: !llvm.ptr, %[[C:[^:]+]]: !llvm.ptr, %{{[^:]+}}: i64, %{{[^:]+}}: i64, %{{[^:]+}}: i64) {
// CHECK:         %[[PA:.+]] = llvm.getelementptr {{.*}}%[[A]][
// CHECK:         %[[X:.+]] = llvm.load %[[PA]]
// CHECK:         %[[PB:.+]] = llvm.getelementptr {{.*}}%[[B]][
// CHECK:         %[[Y:.+]] = llvm.load %[[PB]]
// CHECK:         %[[SUM:.+]] = llvm.fadd %[[X]], %[[Y]]
// CHECK:         llvm.store %[[SUM]],
// CHECK:         "llvm.intr.memcpy"(%[[PC:[^,]+]],
// CHECK:         llvm.return
// CHECK-NEXT:  }
func.func @add(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %init = tensor.empty() : tensor<4xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map, #map],
                       iterator_types = ["parallel"]}
      ins(%a, %b : tensor<4xf32>, tensor<4xf32>)
      outs(%init : tensor<4xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// A named contraction.
// CHECK-LABEL: llvm.func @matmul(
// CHECK:         llvm.fmul
// CHECK:         llvm.fadd
// CHECK:         llvm.return
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<2x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<2x4xf32>) -> tensor<2x4xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x4xf32>)
                     outs(%acc : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// Padding, a reshape and a call between functions on tensors.
// CHECK-LABEL: llvm.func @pad(
// CHECK:         llvm.return
func.func @pad(%a: tensor<2x3xf32>) -> tensor<20xf32> {
  %zero = arith.constant 0.0 : f32
  %shape = arith.constant dense<[20]> : tensor<1xi64>
  %padded = tensor.pad %a low[1, 1] high[1, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<2x3xf32> to tensor<4x5xf32>
  %flat = tensor.reshape %padded(%shape)
      : (tensor<4x5xf32>, tensor<1xi64>) -> tensor<20xf32>
  return %flat : tensor<20xf32>
}

// CHECK-LABEL: llvm.func @caller(
// CHECK:         llvm.call @pad(
// CHECK:         llvm.return
func.func @caller(%a: tensor<2x3xf32>) -> tensor<20xf32> {
  %0 = func.call @pad(%a) : (tensor<2x3xf32>) -> tensor<20xf32>
  return %0 : tensor<20xf32>
}
