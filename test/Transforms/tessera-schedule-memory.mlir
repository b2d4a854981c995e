// RUN: tessera-opt %s -split-input-file "-tessera-schedule-memory=spm-size=1024 solver=b1" -tessera-verify-memory-plan | FileCheck %s
// RUN: tessera-opt %s -split-input-file "-tessera-schedule-memory=spm-size=1024 solver=b1 include-weights=false" -tessera-verify-memory-plan | FileCheck %s --check-prefix=NOWEIGHTS
// RUN: tessera-opt %s -split-input-file "-tessera-schedule-memory=spm-size=256 solver=b1 element-bytes=1" | FileCheck %s --check-prefix=INT8
// RUN: tessera-opt %s -split-input-file "-tessera-schedule-memory=spm-size=1024 solver=ilp time-limit=5" -tessera-verify-memory-plan | FileCheck %s --check-prefix=ILP

#id = affine_map<(d0) -> (d0)>

// Three operators, none fused: a and b have more than one reader.
// CHECK-LABEL: func.func @residual
// CHECK-SAME: tessera.memory_plan = {alignment = 64 : i64, capacity = 1024 : i64, element_bytes = 0 : i64, outputs = array<i64: 3, 4>,
// CHECK-SAME: residencies = [array<i64: 0, 0, 2, 0, 1, 0>, array<i64: 1, 0, 0, 256, 1, 0>, array<i64: 2, 0, 2, 512, 0, 0>, array<i64: 3, 1, 2, 256, 0, 1>, array<i64: 4, 2, 2, 768, 0, 1>]
// CHECK-SAME: solver = "b1", tensor_bytes = array<i64: 256, 256, 256, 256, 256>, tensor_names = ["x", "w", "a", "b", "c"]
// CHECK: %[[W:.*]] = arith.constant dense<2.0
// CHECK: %[[A:.*]] = linalg.generic
// CHECK: tessera.step 0 "a" reads [0, 1] (%arg0, %[[W]] : tensor<64xf32>, tensor<64xf32>) writes [2] (%[[A]] : tensor<64xf32>)
// CHECK: %[[B:.*]] = linalg.generic
// CHECK: tessera.step 1 "b" reads [2] (%[[A]] : tensor<64xf32>) writes [3] (%[[B]] : tensor<64xf32>)
// CHECK: %[[C:.*]] = linalg.generic
// CHECK: tessera.step 2 "c" reads [3, 0, 2] (%[[B]], %arg0, %[[A]] : tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) writes [4] (%[[C]] : tensor<64xf32>)
// CHECK-NEXT: return %[[B]], %[[C]]

// Without weights the constant stays off-chip: it is neither a planned
// tensor nor read by a step.
// NOWEIGHTS-LABEL: func.func @residual
// NOWEIGHTS-SAME: tensor_names = ["x", "a", "b", "c"]
// NOWEIGHTS: tessera.step 0 "a" reads [0] (%arg0 : tensor<64xf32>) writes [1]

// The paper's int8 accounting: 64 elements are 64 bytes.
// INT8-LABEL: func.func @residual
// INT8-SAME: element_bytes = 1 : i64
// INT8-SAME: tensor_bytes = array<i64: 64, 64, 64, 64, 64>

// ILP-LABEL: func.func @residual
// ILP: tessera.step 0 "a"
// ILP: tessera.step 1 "b"
// ILP: tessera.step 2 "c"
func.func @residual(%x: tensor<64xf32> {tessera.name = "x"}) -> (tensor<64xf32>, tensor<64xf32>) {
  %w = arith.constant dense<2.0> : tensor<64xf32> loc("w")
  %e0 = tensor.empty() : tensor<64xf32>
  %a = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%x, %w : tensor<64xf32>, tensor<64xf32>) outs(%e0 : tensor<64xf32>) {
  ^bb0(%i: f32, %j: f32, %o: f32):
    %s = arith.mulf %i, %j : f32
    linalg.yield %s : f32
  } -> tensor<64xf32> loc("a")
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : tensor<64xf32>) outs(%e0 : tensor<64xf32>) {
  ^bb0(%i: f32, %o: f32):
    %s = arith.addf %i, %i : f32
    linalg.yield %s : f32
  } -> tensor<64xf32> loc("b")
  %c = linalg.generic {indexing_maps = [#id, #id, #id, #id], iterator_types = ["parallel"]}
      ins(%b, %x, %a : tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) outs(%e0 : tensor<64xf32>) {
  ^bb0(%i: f32, %j: f32, %k: f32, %o: f32):
    %s = arith.subf %i, %j : f32
    %t = arith.mulf %s, %k : f32
    linalg.yield %t : f32
  } -> tensor<64xf32> loc("c")
  return %b, %c : tensor<64xf32>, tensor<64xf32>
}

// -----

// Views share their tensor; a fill initialises the operator that writes
// into it; two independent operators may be reordered by the plan.
// CHECK-LABEL: func.func @views
// CHECK-SAME: tensor_names = ["x", "r", "s", "t"]
// CHECK: %[[R:.*]] = linalg.generic
// CHECK: tessera.step 0 "r" reads [0] (%arg0 : tensor<4x16xf32>) writes [1] (%[[R]] : tensor<4x16xf32>)
// CHECK: %[[FILL:.*]] = linalg.fill
// CHECK: %[[S:.*]] = linalg.generic {{.*}} outs(%[[FILL]]
// CHECK: tessera.step 1 "s" reads [1] (%[[R]] : tensor<4x16xf32>) writes [2] (%[[S]] : tensor<4xf32>)
// CHECK: tessera.step 2 "t" reads [0] (%arg0 : tensor<4x16xf32>) writes [3]
// CHECK: return
#id = affine_map<(d0) -> (d0)>
#map2 = affine_map<(d0, d1) -> (d0, d1)>
#red = affine_map<(d0, d1) -> (d0)>
func.func @views(%x: tensor<4x16xf32> {tessera.name = "x"}) -> (tensor<4xf32>, tensor<64xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %r = linalg.generic {indexing_maps = [#map2, #map2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%i: f32, %o: f32):
    %n = arith.negf %i : f32
    linalg.yield %n : f32
  } -> tensor<4x16xf32> loc("r")
  %e1 = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %s = linalg.generic {indexing_maps = [#map2, #red], iterator_types = ["parallel", "reduction"]}
      ins(%r : tensor<4x16xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%i: f32, %o: f32):
    %n = arith.addf %i, %o : f32
    linalg.yield %n : f32
  } -> tensor<4xf32> loc("s")
  %flat = tensor.collapse_shape %x [[0, 1]] : tensor<4x16xf32> into tensor<64xf32>
  %e2 = tensor.empty() : tensor<64xf32>
  %t = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%flat : tensor<64xf32>) outs(%e2 : tensor<64xf32>) {
  ^bb0(%i: f32, %o: f32):
    %n = arith.mulf %i, %i : f32
    linalg.yield %n : f32
  } -> tensor<64xf32> loc("t")
  return %s, %t : tensor<4xf32>, tensor<64xf32>
}

// -----

// A convolution-like reduction with its pad (through a reshape) and its
// elementwise epilogue is one operator: only x, the weight and the
// epilogue's result are planned; the padded and accumulated tensors are the
// operator's own.
// CHECK-LABEL: func.func @fused
// CHECK-SAME: tensor_names = ["x", "k", "conv (Conv)"]
// CHECK: tensor.pad
// CHECK: tensor.reshape
// CHECK: linalg.fill
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: arith.maximumf
// CHECK: tessera.step 0 "conv (Conv)" reads [0, 1] ({{.*}}) writes [2] ({{.*}} : tensor<8xf32>)
// CHECK-NOT: tessera.step
#in = affine_map<(d0, d1) -> (d0 + d1)>
#k = affine_map<(d0, d1) -> (d1)>
#out = affine_map<(d0, d1) -> (d0)>
#out2 = affine_map<(d0) -> (d0)>
func.func @fused(%x: tensor<8xf32> {tessera.name = "x"}) -> tensor<8xf32> {
  %zero = arith.constant 0.0 : f32
  %shape = arith.constant dense<[10]> : tensor<1xi64>
  %kernel = arith.constant dense<[1.0, 2.0, 1.0]> : tensor<3xf32> loc("k")
  %padded = tensor.pad %x low[1] high[1] {
  ^bb0(%i: index):
    tensor.yield %zero : f32
  } : tensor<8xf32> to tensor<10xf32>
  %flat = tensor.reshape %padded(%shape) : (tensor<10xf32>, tensor<1xi64>) -> tensor<10xf32>
  %e = tensor.empty() : tensor<8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %acc = linalg.generic {indexing_maps = [#in, #k, #out], iterator_types = ["parallel", "reduction"]}
      ins(%flat, %kernel : tensor<10xf32>, tensor<3xf32>) outs(%init : tensor<8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<8xf32> loc("conv (Conv)")
  %e2 = tensor.empty() : tensor<8xf32>
  %relu = linalg.generic {indexing_maps = [#out2, #out2], iterator_types = ["parallel"]}
      ins(%acc : tensor<8xf32>) outs(%e2 : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %zero : f32
    linalg.yield %r : f32
  } -> tensor<8xf32> loc("relu (Relu)")
  return %relu : tensor<8xf32>
}

// -----

// One zero fill of one empty tensor initialises two reductions (as CSE
// leaves the accumulators of equal-shaped convolutions): each gets a fill
// and an empty tensor of its own, so bufferization cannot give one
// operator's accumulator the buffer of a tensor the plan keeps elsewhere.
// CHECK-LABEL: func.func @shared_init
// CHECK: %[[E0:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[E1]] : tensor<4xf32>)
// CHECK: tessera.step 0 "a"
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[E0]] : tensor<4xf32>)
// CHECK: tessera.step 1 "b"
#rows = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @shared_init(%x: tensor<4x8xf32> {tessera.name = "x"}, %y: tensor<4x8xf32> {tessera.name = "y"}) -> (tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %a = linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.addf %o, %v : f32
    linalg.yield %s : f32
  } -> tensor<4xf32> loc("a")
  %b = linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]}
      ins(%y : tensor<4x8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.addf %o, %v : f32
    linalg.yield %s : f32
  } -> tensor<4xf32> loc("b")
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}
