// Problems of tessera-annotate-cost: model files (errors), kernels it cannot
// describe (warnings, no attribute), targets without a model file (a warning,
// the analytical model).
// RUN: rm -rf %t && mkdir -p %t
// RUN: not tessera-opt %s -tessera-annotate-cost="model=%t/none.json" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: echo '{"format": "tessera-cost-model",' > %t/corrupt.json
// RUN: not tessera-opt %s -tessera-annotate-cost="model=%t/corrupt.json" 2>&1 | FileCheck %s --check-prefix=CORRUPT
// RUN: sed -e 's/"fingerprint": "[0-9a-f]*"/"fingerprint": "0123456789abcdef"/' %tessera_src/costmodel/models/cpu-x86_64.json > %t/schema.json
// RUN: not tessera-opt %s -tessera-annotate-cost="model=%t/schema.json" 2>&1 | FileCheck %s --check-prefix=SCHEMA
// RUN: tessera-opt %s -tessera-annotate-cost="model=%tessera_src/costmodel/models/cpu-x86_64.json" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: mkdir -p %t/empty && env TESSERA_COST_MODEL_PATH=%t/empty tessera-opt %S/Inputs/fpga.mlir -tessera-annotate-cost 2>&1 | FileCheck %s --check-prefix=FALLBACK

// MISSING: error: tessera-annotate-cost: model file '{{.*}}none.json' does not exist
// CORRUPT: error: tessera-annotate-cost: model file '{{.*}}corrupt.json': not valid JSON
// SCHEMA: error: tessera-annotate-cost: model file '{{.*}}schema.json': trained on feature schema v3 (0123456789abcdef); this build computes schema v3
// UNKNOWN: warning: tessera-annotate-cost: not annotated: 'linalg.copy' has a dynamic or empty iteration domain
// UNKNOWN: warning: tessera-annotate-cost: not annotated: 'linalg.fill' has no loops (0-d operands)
// UNKNOWN: warning: tessera-annotate-cost: not annotated: a loop bound of the nest is not linear in outer loops
// UNKNOWN: warning: tessera-annotate-cost: not annotated: the loop nest contains 'scf.if'
// UNKNOWN: linalg.copy ins
// UNKNOWN: linalg.fill ins
// UNKNOWN-NOT: tessera.cost
// FALLBACK: warning: tessera-annotate-cost: no cost model file for target 'fpga'; using the analytical (roofline) model
// FALLBACK: linalg.add {tessera.cost = #tessera.cost<latency_us = {{[0-9.e+-]+}}, source = "analytical">}

func.func @dynamic(%a: memref<?x4xf32>, %b: memref<?x4xf32>) {
  linalg.copy ins(%a : memref<?x4xf32>) outs(%b : memref<?x4xf32>)
  return
}

func.func @scalar(%acc: memref<f32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%acc : memref<f32>)
  return
}

func.func @scf_dynamic(%a: memref<64xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    memref.store %zero, %a[%i] : memref<64xf32>
  }
  return
}

func.func @scf_branch(%a: memref<64xf32>, %flag: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c64 step %c1 {
    scf.if %flag {
      memref.store %zero, %a[%i] : memref<64xf32>
    }
  }
  return
}
