// RUN: tessera-opt %s -tessera-cpu-pipeline | tessera-translate --mlir-to-llvmir | FileCheck %s

// A scheduled nest reaches LLVM IR with its loops marked for the loop
// vectoriser and the loop unroller to leave alone (the scf.for annotation survives scf-to-cf and
// cf-to-llvm): what runs is the configuration's code, not LLVM's choice.
// Each of the three loops of the width-1 nest: i, k and j (by 1).

// CHECK-LABEL: define void @scalar
// CHECK-COUNT-3: br label %{{[0-9]+}}, !llvm.loop !{{[0-9]+}}
// CHECK-NOT: !llvm.loop
// CHECK: ret void
// CHECK-DAG: = distinct !{!{{[0-9]+}}, ![[DISABLE:[0-9]+]], ![[NOUNROLL:[0-9]+]]}
// CHECK-DAG: ![[DISABLE]] = !{!"llvm.loop.vectorize.enable", i1 false}
// CHECK-DAG: ![[NOUNROLL]] = !{!"llvm.loop.unroll.disable"}
// CHECK-NOT: llvm.loop.vectorize.enable", i1 true
func.func @scalar(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  linalg.matmul {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0, 2, 1], vector_width = 1, unroll = 1, parallel_dims = []>}
    ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%c : memref<4x16xf32>)
  return
}
