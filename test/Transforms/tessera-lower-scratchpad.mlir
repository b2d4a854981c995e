// RUN: tessera-opt %s -tessera-lower-scratchpad -split-input-file | FileCheck %s
// RUN: tessera-opt %s -tessera-lower-scratchpad -split-input-file | FileCheck %s --check-prefix=NONE

// No tessera op, attribute or type is left anywhere.
// NONE-NOT: tessera

// The arena becomes an aligned allocation freed before the return, each
// buffer a view at its byte offset, each transfer a copy.

// CHECK-LABEL: func.func @lower_sync(
// CHECK-SAME: %[[X:.*]]: memref<4x4xf32>, %[[Y:.*]]: memref<4x4xf32>)
// CHECK: %[[SPM:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1024xi8>
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[A:.*]] = memref.view %[[SPM]][%[[C64]]][] : memref<1024xi8> to memref<4x4xf32>
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[B:.*]] = memref.view %[[SPM]][%[[C0]]][] : memref<1024xi8> to memref<16xi8>
// CHECK: memref.copy %[[X]], %[[A]] : memref<4x4xf32> to memref<4x4xf32>
// CHECK: memref.copy %[[A]], %[[Y]] : memref<4x4xf32> to memref<4x4xf32>
// CHECK: memref.dealloc %[[SPM]] : memref<1024xi8>
// CHECK-NEXT: return
func.func @lower_sync(%x: memref<4x4xf32>, %y: memref<4x4xf32>) {
  %spm = tessera.arena align 64 : memref<1024xi8>
  %a = tessera.buffer %spm[64] : memref<1024xi8> to memref<4x4xf32>
  %b = tessera.buffer %spm[0] : memref<1024xi8> to memref<16xi8>
  tessera.dma_load %x, %a : memref<4x4xf32> to memref<4x4xf32>
  tessera.dma_store %a, %y : memref<4x4xf32> to memref<4x4xf32>
  return
}

// -----

// Asynchronous transfers become synchronous copies, in program order; their
// tokens and the waits disappear.

// CHECK-LABEL: func.func @lower_async(
// CHECK-SAME: %[[X:.*]]: memref<8xf32>, %[[Y:.*]]: memref<8xf32>)
// CHECK: %[[SPM:.*]] = memref.alloc() {alignment = 128 : i64} : memref<256xi8>
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[A:.*]] = memref.view %[[SPM]][%[[C0]]][] : memref<256xi8> to memref<8xf32>
// CHECK: %[[C128:.*]] = arith.constant 128 : index
// CHECK: %[[B:.*]] = memref.view %[[SPM]][%[[C128]]][] : memref<256xi8> to memref<8xf32>
// CHECK-NEXT: memref.copy %[[X]], %[[A]] : memref<8xf32> to memref<8xf32>
// CHECK-NEXT: memref.copy %[[Y]], %[[B]] : memref<8xf32> to memref<8xf32>
// CHECK-NEXT: memref.copy %[[A]], %[[Y]] : memref<8xf32> to memref<8xf32>
// CHECK-NEXT: memref.copy %[[B]], %[[X]] : memref<8xf32> to memref<8xf32>
// CHECK-NEXT: memref.dealloc %[[SPM]] : memref<256xi8>
// CHECK-NEXT: return
func.func @lower_async(%x: memref<8xf32>, %y: memref<8xf32>) {
  %spm = tessera.arena align 128 : memref<256xi8>
  %a = tessera.buffer %spm[0] : memref<256xi8> to memref<8xf32>
  %b = tessera.buffer %spm[128] : memref<256xi8> to memref<8xf32>
  %t0 = tessera.dma_load %x, %a async : memref<8xf32> to memref<8xf32> -> !tessera.token
  %t1 = tessera.dma_load %y, %b async : memref<8xf32> to memref<8xf32> -> !tessera.token
  tessera.wait %t0, %t1
  %t2 = tessera.dma_store %a, %y async : memref<8xf32> to memref<8xf32> -> !tessera.token
  tessera.wait
  tessera.dma_store %b, %x : memref<8xf32> to memref<8xf32>
  tessera.wait %t2
  return
}

// -----

// The arena is freed before every return of a function with several blocks.

// CHECK-LABEL: func.func @two_returns(
// CHECK-SAME: %[[X:.*]]: memref<2x2xf64>, %[[C:.*]]: i1)
// CHECK: %[[SPM:.*]] = memref.alloc() {alignment = 32 : i64} : memref<64xi8>
// CHECK: %[[C32:.*]] = arith.constant 32 : index
// CHECK: %[[A:.*]] = memref.view %[[SPM]][%[[C32]]][] : memref<64xi8> to memref<2x2xf64>
// CHECK: cf.cond_br %[[C]], ^[[BB1:.*]], ^[[BB2:.*]]
// CHECK: ^[[BB1]]:
// CHECK-NEXT: memref.copy %[[X]], %[[A]] : memref<2x2xf64> to memref<2x2xf64>
// CHECK-NEXT: memref.dealloc %[[SPM]] : memref<64xi8>
// CHECK-NEXT: return
// CHECK: ^[[BB2]]:
// CHECK-NEXT: memref.copy %[[A]], %[[X]] : memref<2x2xf64> to memref<2x2xf64>
// CHECK-NEXT: memref.dealloc %[[SPM]] : memref<64xi8>
// CHECK-NEXT: return
func.func @two_returns(%x: memref<2x2xf64>, %c: i1) {
  %spm = tessera.arena align 32 : memref<64xi8>
  %a = tessera.buffer %spm[32] : memref<64xi8> to memref<2x2xf64>
  cf.cond_br %c, ^bb1, ^bb2
^bb1:
  tessera.dma_load %x, %a : memref<2x2xf64> to memref<2x2xf64>
  return
^bb2:
  tessera.dma_store %a, %x : memref<2x2xf64> to memref<2x2xf64>
  return
}

// -----

// Two arenas: each gets its own allocation and both are freed.

// CHECK-LABEL: func.func @two_arenas(
// CHECK-SAME: %[[X:.*]]: memref<16xi32>)
// CHECK: %[[SPM0:.*]] = memref.alloc() {alignment = 64 : i64} : memref<128xi8>
// CHECK: %[[SPM1:.*]] = memref.alloc() {alignment = 16 : i64} : memref<64xi8>
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[A:.*]] = memref.view %[[SPM0]][%[[C64]]][] : memref<128xi8> to memref<16xi32>
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[B:.*]] = memref.view %[[SPM1]][%[[C0]]][] : memref<64xi8> to memref<16xi32>
// CHECK: memref.copy %[[X]], %[[A]]
// CHECK-NEXT: memref.copy %[[A]], %[[X]]
// CHECK-NEXT: memref.copy %[[X]], %[[B]]
// CHECK-DAG: memref.dealloc %[[SPM0]] : memref<128xi8>
// CHECK-DAG: memref.dealloc %[[SPM1]] : memref<64xi8>
// CHECK: return
func.func @two_arenas(%x: memref<16xi32>) {
  %spm0 = tessera.arena align 64 : memref<128xi8>
  %spm1 = tessera.arena align 16 : memref<64xi8>
  %a = tessera.buffer %spm0[64] : memref<128xi8> to memref<16xi32>
  %b = tessera.buffer %spm1[0] : memref<64xi8> to memref<16xi32>
  tessera.dma_load %x, %a : memref<16xi32> to memref<16xi32>
  tessera.dma_store %a, %x : memref<16xi32> to memref<16xi32>
  tessera.dma_load %x, %b : memref<16xi32> to memref<16xi32>
  return
}

// -----

// A buffer of an arena passed as an argument is a view of the argument; the
// caller owns the arena, so nothing is allocated or freed.

// CHECK-LABEL: func.func @argument_arena(
// CHECK-SAME: %[[SPM:.*]]: memref<512xi8>, %[[X:.*]]: memref<4xf16>)
// CHECK-NOT: memref.alloc
// CHECK: %[[C256:.*]] = arith.constant 256 : index
// CHECK: %[[A:.*]] = memref.view %[[SPM]][%[[C256]]][] : memref<512xi8> to memref<4xf16>
// CHECK: memref.copy %[[X]], %[[A]] : memref<4xf16> to memref<4xf16>
// CHECK-NOT: memref.dealloc
// CHECK: return
func.func @argument_arena(%spm: memref<512xi8>, %x: memref<4xf16>) {
  %a = tessera.buffer %spm[256] : memref<512xi8> to memref<4xf16>
  tessera.dma_load %x, %a : memref<4xf16> to memref<4xf16>
  return
}

// -----

// Ops of other dialects between the scratchpad ops are left alone.

// CHECK-LABEL: func.func @compute_in_scratchpad(
// CHECK-SAME: %[[X:.*]]: memref<4xf32>)
// CHECK: %[[SPM:.*]] = memref.alloc() {alignment = 64 : i64} : memref<128xi8>
// CHECK: %[[A:.*]] = memref.view %[[SPM]]
// CHECK: memref.copy %[[X]], %[[A]]
// CHECK: %[[I:.*]] = arith.constant 1 : index
// CHECK: %[[V:.*]] = memref.load %[[A]][%[[I]]] : memref<4xf32>
// CHECK: memref.store %[[V]], %[[A]][%{{.*}}] : memref<4xf32>
// CHECK: memref.copy %[[A]], %[[X]]
// CHECK: memref.dealloc %[[SPM]]
func.func @compute_in_scratchpad(%x: memref<4xf32>) {
  %spm = tessera.arena align 64 : memref<128xi8>
  %a = tessera.buffer %spm[64] : memref<128xi8> to memref<4xf32>
  %t = tessera.dma_load %x, %a async : memref<4xf32> to memref<4xf32> -> !tessera.token
  tessera.wait %t
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %v = memref.load %a[%c1] : memref<4xf32>
  memref.store %v, %a[%c0] : memref<4xf32>
  tessera.dma_store %a, %x : memref<4xf32> to memref<4xf32>
  return
}
