// RUN: tessera-opt %s -split-input-file -verify-diagnostics "-tessera-schedule-memory=spm-size=512 solver=b0"
// RUN: not tessera-opt %s -split-input-file -tessera-schedule-memory 2>&1 | FileCheck %s --check-prefix=NOSIZE
// RUN: not tessera-opt %s -split-input-file "-tessera-schedule-memory=spm-size=512 solver=gurobi" 2>&1 | FileCheck %s --check-prefix=SOLVER
// RUN: not tessera-opt %s -split-input-file "-tessera-schedule-memory=spm-size=512 alignment=48" 2>&1 | FileCheck %s --check-prefix=ALIGN

// NOSIZE: tessera-schedule-memory needs spm-size=<bytes>
// SOLVER: unknown solver 'gurobi' (expected ilp, fixed-order, dc, b0, b1, b2, b3 or b4)
// ALIGN: alignment 48 is not a power of two

#id = affine_map<(d0) -> (d0)>

// The working set of 'big' is three 256-byte tensors.
// expected-error@+1 {{cannot plan a scratchpad of 512 bytes: operator 'big' needs 768 bytes of scratchpad (its operands and results) but the scratchpad has 512}}
func.func @too_small(%x: tensor<64xf32>, %y: tensor<64xf32>) -> tensor<64xf32> {
  %e = tensor.empty() : tensor<64xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%x, %y : tensor<64xf32>, tensor<64xf32>) outs(%e : tensor<64xf32>) {
  ^bb0(%i: f32, %j: f32, %o: f32):
    %s = arith.addf %i, %j : f32
    linalg.yield %s : f32
  } -> tensor<64xf32> loc("big")
  return %r : tensor<64xf32>
}

// -----

// expected-error@+1 {{memory planning needs static shapes; found 'tensor<?xf32>'}}
func.func @dynamic(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

func.func @tensor_in_region(%x: tensor<4xf32>, %c: i1) -> tensor<4xf32> {
  %r = scf.if %c -> tensor<4xf32> {
    // expected-error@+1 {{memory planning does not support tensors inside the regions of 'scf.if'}}
    %e = tensor.empty() : tensor<4xf32>
    scf.yield %e : tensor<4xf32>
  } else {
    scf.yield %x : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// expected-error@+1 {{memory planning runs on tensors, before bufferization; found 'memref<4xf32>'}}
func.func @buffers(%x: memref<4xf32>) {
  return
}

// -----

// expected-error@+1 {{is already scheduled ('tessera.memory_plan' is set)}}
func.func @twice(%x: tensor<4xf32>) -> tensor<4xf32> attributes {tessera.memory_plan = {}} {
  return %x : tensor<4xf32>
}
