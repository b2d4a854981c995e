// RUN: tessera-opt %s -split-input-file -verify-diagnostics -tessera-verify-memory-plan | FileCheck %s

// A valid plan passes unchanged.
// CHECK-LABEL: func.func @case0
// CHECK: tessera.step 2 "c"
func.func @case0(%arg0: tensor<64xf32> {tessera.name = "x"}) -> tensor<64xf32> attributes {tessera.memory_plan = {alignment = 64 : i64, capacity = 768 : i64, element_bytes = 0 : i64, outputs = array<i64: 4>, solver = "b1", residencies = [array<i64: 0, 0, 2, 0, 1, 0>, array<i64: 1, 0, 0, 256, 1, 0>, array<i64: 2, 0, 1, 512, 0, 0>, array<i64: 3, 1, 2, 256, 0, 0>, array<i64: 4, 2, 2, 512, 0, 1>], tensor_bytes = array<i64: 256, 256, 256, 256, 256>, tensor_names = ["x", "w", "a", "b", "c"]}} {
  %cst = arith.constant dense<2.000000e+00> : tensor<64xf32>
  %0 = tensor.empty() : tensor<64xf32>
  %1 = tensor.empty() : tensor<64xf32>
  %2 = tensor.empty() : tensor<64xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%arg0, %cst : tensor<64xf32>, tensor<64xf32>) outs(%1 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.mulf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 0 "a" reads [0, 1] (%arg0, %cst : tensor<64xf32>, tensor<64xf32>) writes [2] (%3 : tensor<64xf32>)
  %4 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%3 : tensor<64xf32>) outs(%0 : tensor<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %6 = arith.addf %in, %in : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 1 "b" reads [2] (%3 : tensor<64xf32>) writes [3] (%4 : tensor<64xf32>)
  %5 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%4, %arg0 : tensor<64xf32>, tensor<64xf32>) outs(%2 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.subf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 2 "c" reads [3, 0] (%4, %arg0 : tensor<64xf32>, tensor<64xf32>) writes [4] (%5 : tensor<64xf32>)
  return %5 : tensor<64xf32>
}

// -----

// Two live buffers overlap.
// expected-error@+1 {{invalid memory plan: step 1 (operator 'b'): buffers of 'a' [512, 768) and 'b' [512, 768) overlap}}
func.func @case1(%arg0: tensor<64xf32> {tessera.name = "x"}) -> tensor<64xf32> attributes {tessera.memory_plan = {alignment = 64 : i64, capacity = 768 : i64, element_bytes = 0 : i64, outputs = array<i64: 4>, solver = "b1", residencies = [array<i64: 0, 0, 2, 0, 1, 0>, array<i64: 1, 0, 0, 256, 1, 0>, array<i64: 2, 0, 1, 512, 0, 0>, array<i64: 3, 1, 2, 512, 0, 0>, array<i64: 4, 2, 2, 512, 0, 1>], tensor_bytes = array<i64: 256, 256, 256, 256, 256>, tensor_names = ["x", "w", "a", "b", "c"]}} {
  %cst = arith.constant dense<2.000000e+00> : tensor<64xf32>
  %0 = tensor.empty() : tensor<64xf32>
  %1 = tensor.empty() : tensor<64xf32>
  %2 = tensor.empty() : tensor<64xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%arg0, %cst : tensor<64xf32>, tensor<64xf32>) outs(%1 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.mulf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 0 "a" reads [0, 1] (%arg0, %cst : tensor<64xf32>, tensor<64xf32>) writes [2] (%3 : tensor<64xf32>)
  %4 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%3 : tensor<64xf32>) outs(%0 : tensor<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %6 = arith.addf %in, %in : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 1 "b" reads [2] (%3 : tensor<64xf32>) writes [3] (%4 : tensor<64xf32>)
  %5 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%4, %arg0 : tensor<64xf32>, tensor<64xf32>) outs(%2 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.subf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 2 "c" reads [3, 0] (%4, %arg0 : tensor<64xf32>, tensor<64xf32>) writes [4] (%5 : tensor<64xf32>)
  return %5 : tensor<64xf32>
}

// -----

// A buffer beyond the capacity.
// expected-error@+1 {{step 2 (operator 'c'): buffer of 'c' at offset 640 with 256 bytes exceeds the scratchpad capacity of 768 bytes}}
func.func @case2(%arg0: tensor<64xf32> {tessera.name = "x"}) -> tensor<64xf32> attributes {tessera.memory_plan = {alignment = 64 : i64, capacity = 768 : i64, element_bytes = 0 : i64, outputs = array<i64: 4>, solver = "b1", residencies = [array<i64: 0, 0, 2, 0, 1, 0>, array<i64: 1, 0, 0, 256, 1, 0>, array<i64: 2, 0, 1, 512, 0, 0>, array<i64: 3, 1, 2, 256, 0, 0>, array<i64: 4, 2, 2, 640, 0, 1>], tensor_bytes = array<i64: 256, 256, 256, 256, 256>, tensor_names = ["x", "w", "a", "b", "c"]}} {
  %cst = arith.constant dense<2.000000e+00> : tensor<64xf32>
  %0 = tensor.empty() : tensor<64xf32>
  %1 = tensor.empty() : tensor<64xf32>
  %2 = tensor.empty() : tensor<64xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%arg0, %cst : tensor<64xf32>, tensor<64xf32>) outs(%1 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.mulf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 0 "a" reads [0, 1] (%arg0, %cst : tensor<64xf32>, tensor<64xf32>) writes [2] (%3 : tensor<64xf32>)
  %4 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%3 : tensor<64xf32>) outs(%0 : tensor<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %6 = arith.addf %in, %in : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 1 "b" reads [2] (%3 : tensor<64xf32>) writes [3] (%4 : tensor<64xf32>)
  %5 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%4, %arg0 : tensor<64xf32>, tensor<64xf32>) outs(%2 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.subf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 2 "c" reads [3, 0] (%4, %arg0 : tensor<64xf32>, tensor<64xf32>) writes [4] (%5 : tensor<64xf32>)
  return %5 : tensor<64xf32>
}

// -----

// A misaligned buffer.
// expected-error@+1 {{buffer of 'c' at offset 500 is not aligned to 64 bytes}}
func.func @case3(%arg0: tensor<64xf32> {tessera.name = "x"}) -> tensor<64xf32> attributes {tessera.memory_plan = {alignment = 64 : i64, capacity = 768 : i64, element_bytes = 0 : i64, outputs = array<i64: 4>, solver = "b1", residencies = [array<i64: 0, 0, 2, 0, 1, 0>, array<i64: 1, 0, 0, 256, 1, 0>, array<i64: 2, 0, 1, 512, 0, 0>, array<i64: 3, 1, 2, 256, 0, 0>, array<i64: 4, 2, 2, 500, 0, 1>], tensor_bytes = array<i64: 256, 256, 256, 256, 256>, tensor_names = ["x", "w", "a", "b", "c"]}} {
  %cst = arith.constant dense<2.000000e+00> : tensor<64xf32>
  %0 = tensor.empty() : tensor<64xf32>
  %1 = tensor.empty() : tensor<64xf32>
  %2 = tensor.empty() : tensor<64xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%arg0, %cst : tensor<64xf32>, tensor<64xf32>) outs(%1 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.mulf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 0 "a" reads [0, 1] (%arg0, %cst : tensor<64xf32>, tensor<64xf32>) writes [2] (%3 : tensor<64xf32>)
  %4 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%3 : tensor<64xf32>) outs(%0 : tensor<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %6 = arith.addf %in, %in : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 1 "b" reads [2] (%3 : tensor<64xf32>) writes [3] (%4 : tensor<64xf32>)
  %5 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%4, %arg0 : tensor<64xf32>, tensor<64xf32>) outs(%2 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.subf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 2 "c" reads [3, 0] (%4, %arg0 : tensor<64xf32>, tensor<64xf32>) writes [4] (%5 : tensor<64xf32>)
  return %5 : tensor<64xf32>
}

// -----

// An operand not resident when its operator runs.
// expected-error@+1 {{step 2 (operator 'c'): operand 'x' is not resident}}
func.func @case4(%arg0: tensor<64xf32> {tessera.name = "x"}) -> tensor<64xf32> attributes {tessera.memory_plan = {alignment = 64 : i64, capacity = 768 : i64, element_bytes = 0 : i64, outputs = array<i64: 4>, solver = "b1", residencies = [array<i64: 0, 0, 1, 0, 1, 0>, array<i64: 1, 0, 0, 256, 1, 0>, array<i64: 2, 0, 1, 512, 0, 0>, array<i64: 3, 1, 2, 256, 0, 0>, array<i64: 4, 2, 2, 512, 0, 1>], tensor_bytes = array<i64: 256, 256, 256, 256, 256>, tensor_names = ["x", "w", "a", "b", "c"]}} {
  %cst = arith.constant dense<2.000000e+00> : tensor<64xf32>
  %0 = tensor.empty() : tensor<64xf32>
  %1 = tensor.empty() : tensor<64xf32>
  %2 = tensor.empty() : tensor<64xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%arg0, %cst : tensor<64xf32>, tensor<64xf32>) outs(%1 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.mulf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 0 "a" reads [0, 1] (%arg0, %cst : tensor<64xf32>, tensor<64xf32>) writes [2] (%3 : tensor<64xf32>)
  %4 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%3 : tensor<64xf32>) outs(%0 : tensor<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %6 = arith.addf %in, %in : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 1 "b" reads [2] (%3 : tensor<64xf32>) writes [3] (%4 : tensor<64xf32>)
  %5 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%4, %arg0 : tensor<64xf32>, tensor<64xf32>) outs(%2 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.subf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 2 "c" reads [3, 0] (%4, %arg0 : tensor<64xf32>, tensor<64xf32>) writes [4] (%5 : tensor<64xf32>)
  return %5 : tensor<64xf32>
}

// -----

// A reload of a tensor that was never stored (a read of a value never written off-chip).
// expected-error@+1 {{step 1 (operator 'b'): 'a' is loaded but its value was never stored}}
func.func @case5(%arg0: tensor<64xf32> {tessera.name = "x"}) -> tensor<64xf32> attributes {tessera.memory_plan = {alignment = 64 : i64, capacity = 768 : i64, element_bytes = 0 : i64, outputs = array<i64: 4>, solver = "b1", residencies = [array<i64: 0, 0, 2, 0, 1, 0>, array<i64: 1, 0, 0, 256, 1, 0>, array<i64: 2, 0, 0, 512, 0, 0>, array<i64: 2, 1, 1, 512, 1, 0>, array<i64: 3, 1, 2, 256, 0, 0>, array<i64: 4, 2, 2, 512, 0, 1>], tensor_bytes = array<i64: 256, 256, 256, 256, 256>, tensor_names = ["x", "w", "a", "b", "c"]}} {
  %cst = arith.constant dense<2.000000e+00> : tensor<64xf32>
  %0 = tensor.empty() : tensor<64xf32>
  %1 = tensor.empty() : tensor<64xf32>
  %2 = tensor.empty() : tensor<64xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%arg0, %cst : tensor<64xf32>, tensor<64xf32>) outs(%1 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.mulf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 0 "a" reads [0, 1] (%arg0, %cst : tensor<64xf32>, tensor<64xf32>) writes [2] (%3 : tensor<64xf32>)
  %4 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%3 : tensor<64xf32>) outs(%0 : tensor<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %6 = arith.addf %in, %in : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 1 "b" reads [2] (%3 : tensor<64xf32>) writes [3] (%4 : tensor<64xf32>)
  %5 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%4, %arg0 : tensor<64xf32>, tensor<64xf32>) outs(%2 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.subf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 2 "c" reads [3, 0] (%4, %arg0 : tensor<64xf32>, tensor<64xf32>) writes [4] (%5 : tensor<64xf32>)
  return %5 : tensor<64xf32>
}

// -----

// A graph output never stored.
// expected-error@+1 {{graph output 'c' is never stored}}
func.func @case6(%arg0: tensor<64xf32> {tessera.name = "x"}) -> tensor<64xf32> attributes {tessera.memory_plan = {alignment = 64 : i64, capacity = 768 : i64, element_bytes = 0 : i64, outputs = array<i64: 4>, solver = "b1", residencies = [array<i64: 0, 0, 2, 0, 1, 0>, array<i64: 1, 0, 0, 256, 1, 0>, array<i64: 2, 0, 1, 512, 0, 0>, array<i64: 3, 1, 2, 256, 0, 0>, array<i64: 4, 2, 2, 512, 0, 0>], tensor_bytes = array<i64: 256, 256, 256, 256, 256>, tensor_names = ["x", "w", "a", "b", "c"]}} {
  %cst = arith.constant dense<2.000000e+00> : tensor<64xf32>
  %0 = tensor.empty() : tensor<64xf32>
  %1 = tensor.empty() : tensor<64xf32>
  %2 = tensor.empty() : tensor<64xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%arg0, %cst : tensor<64xf32>, tensor<64xf32>) outs(%1 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.mulf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 0 "a" reads [0, 1] (%arg0, %cst : tensor<64xf32>, tensor<64xf32>) writes [2] (%3 : tensor<64xf32>)
  %4 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%3 : tensor<64xf32>) outs(%0 : tensor<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %6 = arith.addf %in, %in : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 1 "b" reads [2] (%3 : tensor<64xf32>) writes [3] (%4 : tensor<64xf32>)
  %5 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%4, %arg0 : tensor<64xf32>, tensor<64xf32>) outs(%2 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.subf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 2 "c" reads [3, 0] (%4, %arg0 : tensor<64xf32>, tensor<64xf32>) writes [4] (%5 : tensor<64xf32>)
  return %5 : tensor<64xf32>
}

// -----

// A malformed residency.
// expected-error@+1 {{malformed 'tessera.memory_plan': a residency is not array<i64: tensor, begin, end, offset, load, store>}}
func.func @case7(%arg0: tensor<64xf32> {tessera.name = "x"}) -> tensor<64xf32> attributes {tessera.memory_plan = {alignment = 64 : i64, capacity = 768 : i64, element_bytes = 0 : i64, outputs = array<i64: 4>, solver = "b1", residencies = [array<i64: 0, 0, 2, 0, 1, 0>, array<i64: 1, 0, 0, 256, 1, 0>, array<i64: 2, 0, 1, 512, 0, 0>, array<i64: 3, 1, 2, 256, 0, 0>, array<i64: 4, 2, 2, 512, 0>], tensor_bytes = array<i64: 256, 256, 256, 256, 256>, tensor_names = ["x", "w", "a", "b", "c"]}} {
  %cst = arith.constant dense<2.000000e+00> : tensor<64xf32>
  %0 = tensor.empty() : tensor<64xf32>
  %1 = tensor.empty() : tensor<64xf32>
  %2 = tensor.empty() : tensor<64xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%arg0, %cst : tensor<64xf32>, tensor<64xf32>) outs(%1 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.mulf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 0 "a" reads [0, 1] (%arg0, %cst : tensor<64xf32>, tensor<64xf32>) writes [2] (%3 : tensor<64xf32>)
  %4 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%3 : tensor<64xf32>) outs(%0 : tensor<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %6 = arith.addf %in, %in : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 1 "b" reads [2] (%3 : tensor<64xf32>) writes [3] (%4 : tensor<64xf32>)
  %5 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%4, %arg0 : tensor<64xf32>, tensor<64xf32>) outs(%2 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.subf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 2 "c" reads [3, 0] (%4, %arg0 : tensor<64xf32>, tensor<64xf32>) writes [4] (%5 : tensor<64xf32>)
  return %5 : tensor<64xf32>
}

// -----

// A marker whose tensor type does not match the recorded size.
func.func @case8(%arg0: tensor<64xf32> {tessera.name = "x"}) -> tensor<64xf32> attributes {tessera.memory_plan = {alignment = 64 : i64, capacity = 768 : i64, element_bytes = 0 : i64, outputs = array<i64: 4>, solver = "b1", residencies = [array<i64: 0, 0, 2, 0, 1, 0>, array<i64: 1, 0, 0, 256, 1, 0>, array<i64: 2, 0, 1, 512, 0, 0>, array<i64: 3, 1, 2, 256, 0, 0>, array<i64: 4, 2, 2, 512, 0, 1>], tensor_bytes = array<i64: 256, 256, 128, 256, 256>, tensor_names = ["x", "w", "a", "b", "c"]}} {
  %cst = arith.constant dense<2.000000e+00> : tensor<64xf32>
  %0 = tensor.empty() : tensor<64xf32>
  %1 = tensor.empty() : tensor<64xf32>
  %2 = tensor.empty() : tensor<64xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%arg0, %cst : tensor<64xf32>, tensor<64xf32>) outs(%1 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.mulf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  // expected-error@+1 {{'tessera.step' op tensor 2 ('a') has type 'tensor<64xf32>' but the plan records 128 bytes}}
  tessera.step 0 "a" reads [0, 1] (%arg0, %cst : tensor<64xf32>, tensor<64xf32>) writes [2] (%3 : tensor<64xf32>)
  %4 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%3 : tensor<64xf32>) outs(%0 : tensor<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %6 = arith.addf %in, %in : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 1 "b" reads [2] (%3 : tensor<64xf32>) writes [3] (%4 : tensor<64xf32>)
  %5 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%4, %arg0 : tensor<64xf32>, tensor<64xf32>) outs(%2 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.subf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 2 "c" reads [3, 0] (%4, %arg0 : tensor<64xf32>, tensor<64xf32>) writes [4] (%5 : tensor<64xf32>)
  return %5 : tensor<64xf32>
}

// -----

// Steps out of order.
func.func @case9(%arg0: tensor<64xf32> {tessera.name = "x"}) -> tensor<64xf32> attributes {tessera.memory_plan = {alignment = 64 : i64, capacity = 768 : i64, element_bytes = 0 : i64, outputs = array<i64: 4>, solver = "b1", residencies = [array<i64: 0, 0, 2, 0, 1, 0>, array<i64: 1, 0, 0, 256, 1, 0>, array<i64: 2, 0, 1, 512, 0, 0>, array<i64: 3, 1, 2, 256, 0, 0>, array<i64: 4, 2, 2, 512, 0, 1>], tensor_bytes = array<i64: 256, 256, 256, 256, 256>, tensor_names = ["x", "w", "a", "b", "c"]}} {
  %cst = arith.constant dense<2.000000e+00> : tensor<64xf32>
  %0 = tensor.empty() : tensor<64xf32>
  %1 = tensor.empty() : tensor<64xf32>
  %2 = tensor.empty() : tensor<64xf32>
  %3 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%arg0, %cst : tensor<64xf32>, tensor<64xf32>) outs(%1 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.mulf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 0 "a" reads [0, 1] (%arg0, %cst : tensor<64xf32>, tensor<64xf32>) writes [2] (%3 : tensor<64xf32>)
  %4 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%3 : tensor<64xf32>) outs(%0 : tensor<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %6 = arith.addf %in, %in : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  // expected-error@+1 {{'tessera.step' op is step 2 but is marker 1 in block order}}
  tessera.step 2 "b" reads [2] (%3 : tensor<64xf32>) writes [3] (%4 : tensor<64xf32>)
  %5 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%4, %arg0 : tensor<64xf32>, tensor<64xf32>) outs(%2 : tensor<64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %6 = arith.subf %in, %in_0 : f32
    linalg.yield %6 : f32
  } -> tensor<64xf32>
  tessera.step 2 "c" reads [3, 0] (%4, %arg0 : tensor<64xf32>, tensor<64xf32>) writes [4] (%5 : tensor<64xf32>)
  return %5 : tensor<64xf32>
}
