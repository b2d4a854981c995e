// RUN: not tessera-opt %s -split-input-file 2>&1 | FileCheck %s
// RUN: not tessera-opt %s --tessera-no-such-pass 2>&1 | FileCheck %s --check-prefix=NO-PASS
// RUN: not tessera-opt %t.missing.mlir 2>&1 | FileCheck %s --check-prefix=NO-FILE

// tessera-opt on input that does not parse or verify: each error names the
// file, line and column, and the exit status is non-zero.

// NO-PASS: tessera-opt: Unknown command line argument '--tessera-no-such-pass'.
// NO-FILE: cannot open input file '{{.*}}missing.mlir': No such file or directory

func.func @syntax(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: tessera-opt-invalid.mlir:[[@LINE+1]]:{{[0-9]+}}: error: expected '>' in tensor type
  return %a : tensor<4xf32
}

// -----

func.func @undefined() -> f32 {
  // CHECK: tessera-opt-invalid.mlir:[[@LINE+1]]:{{[0-9]+}}: error: use of undeclared SSA value name
  return %nope : f32
}

// -----

func.func @unregistered() {
  // CHECK: tessera-opt-invalid.mlir:[[@LINE+1]]:{{[0-9]+}}: error: operation being parsed with an unregistered dialect
  "nosuch.op"() : () -> ()
  return
}

// -----

func.func @wrong_result_count() -> f32 {
  // CHECK: tessera-opt-invalid.mlir:[[@LINE+1]]:{{[0-9]+}}: error: 'func.return' op has 0 operands, but enclosing function (@wrong_result_count) returns 1
  return
}

// -----

#map = affine_map<(d0) -> (d0)>
func.func @bad_generic(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: tessera-opt-invalid.mlir:[[@LINE+1]]:{{[0-9]+}}: error: 'linalg.generic' op expected as many non-induction variable region arguments as the number of input/output operands
  %0 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%a : tensor<4xf32>) outs(%a : tensor<4xf32>) {
  ^bb0(%x: f32):
    linalg.yield %x : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
