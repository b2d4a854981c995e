// RUN: tessera-opt %s -tessera-verify-memory-plan -tessera-materialize-memory-plan | FileCheck %s

// One arena; x and w are loaded, a and b are written in place, c is stored
// to its off-chip buffer after the last step; the markers are gone.
// CHECK-LABEL: func.func @residual
// CHECK-NOT: tessera.memory_plan
// CHECK: %[[SPM:.*]] = tessera.arena align 64 : memref<768xi8>
// CHECK: %[[X:.*]] = tessera.buffer %[[SPM]][0] : memref<768xi8> to memref<64xf32>
// CHECK: tessera.dma_load %arg0, %[[X]]
// CHECK: %[[G:.*]] = memref.get_global @__constant_64xf32
// CHECK: %[[W:.*]] = tessera.buffer %[[SPM]][256]
// CHECK: tessera.dma_load %[[G]], %[[W]]
// CHECK: %[[A:.*]] = tessera.buffer %[[SPM]][512]
// CHECK: %[[C_HOME:.*]] = memref.alloc
// CHECK: linalg.generic {{.*}} ins(%[[X]], %[[W]] : {{.*}}) outs(%[[A]] :
// CHECK: %[[B:.*]] = tessera.buffer %[[SPM]][256]
// CHECK: linalg.generic {{.*}} ins(%[[A]] : {{.*}}) outs(%[[B]] :
// CHECK: %[[C:.*]] = tessera.buffer %[[SPM]][512]
// CHECK: linalg.generic {{.*}} ins(%[[B]], %[[X]] : {{.*}}) outs(%[[C]] :
// CHECK: tessera.dma_store %[[C]], %[[C_HOME]]
// CHECK-NOT: tessera.step
// CHECK: return %[[C_HOME]]
#map = affine_map<(d0) -> (d0)>
module {
  memref.global "private" constant @__constant_64xf32 : memref<64xf32> = dense<2.000000e+00> {alignment = 64 : i64}
  func.func @residual(%arg0: memref<64xf32> {tessera.name = "x"}) -> memref<64xf32> attributes {tessera.memory_plan = {alignment = 64 : i64, capacity = 768 : i64, element_bytes = 0 : i64, outputs = array<i64: 4>, solver = "b1", residencies = [array<i64: 0, 0, 2, 0, 1, 0>, array<i64: 1, 0, 0, 256, 1, 0>, array<i64: 2, 0, 1, 512, 0, 0>, array<i64: 3, 1, 2, 256, 0, 0>, array<i64: 4, 2, 2, 512, 0, 1>], tensor_bytes = array<i64: 256, 256, 256, 256, 256>, tensor_names = ["x", "w", "a", "b", "c"]}} {
    %0 = memref.get_global @__constant_64xf32 : memref<64xf32>
    %alloc = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
    %alloc_0 = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
    %alloc_1 = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
    linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel"]} ins(%arg0, %0 : memref<64xf32>, memref<64xf32>) outs(%alloc_0 : memref<64xf32>) {
    ^bb0(%in: f32, %in_2: f32, %out: f32):
      %1 = arith.mulf %in, %in_2 : f32
      linalg.yield %1 : f32
    }
    tessera.step 0 "a" reads [0, 1] (%arg0, %0 : memref<64xf32>, memref<64xf32>) writes [2] (%alloc_0 : memref<64xf32>)
    linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%alloc_0 : memref<64xf32>) outs(%alloc : memref<64xf32>) {
    ^bb0(%in: f32, %out: f32):
      %1 = arith.addf %in, %in : f32
      linalg.yield %1 : f32
    }
    tessera.step 1 "b" reads [2] (%alloc_0 : memref<64xf32>) writes [3] (%alloc : memref<64xf32>)
    linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel"]} ins(%alloc, %arg0 : memref<64xf32>, memref<64xf32>) outs(%alloc_1 : memref<64xf32>) {
    ^bb0(%in: f32, %in_2: f32, %out: f32):
      %1 = arith.subf %in, %in_2 : f32
      linalg.yield %1 : f32
    }
    tessera.step 2 "c" reads [3, 0] (%alloc, %arg0 : memref<64xf32>, memref<64xf32>) writes [4] (%alloc_1 : memref<64xf32>)
    return %alloc_1 : memref<64xf32>
  }
}

