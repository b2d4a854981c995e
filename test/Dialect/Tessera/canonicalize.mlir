// RUN: tessera-opt %s -canonicalize -split-input-file | FileCheck %s

// A wait for no token does nothing and is erased.
// CHECK-LABEL: func.func @wait_no_tokens()
// CHECK-NOT: tessera.wait
// CHECK: return
func.func @wait_no_tokens() {
  tessera.wait
  tessera.wait {tessera.note = "still nothing to wait for"}
  return
}

// -----

// A wait for tokens is kept, with its operands.
// CHECK-LABEL: func.func @wait_tokens(
// CHECK-SAME: %[[T0:.*]]: !tessera.token, %[[T1:.*]]: !tessera.token)
// CHECK-NEXT: tessera.wait %[[T0]]{{$}}
// CHECK-NEXT: tessera.wait %[[T0]], %[[T1]]{{$}}
// CHECK-NEXT: return
func.func @wait_tokens(%t0: !tessera.token, %t1: !tessera.token) {
  tessera.wait %t0
  tessera.wait
  tessera.wait %t0, %t1
  return
}

// -----

// The wait for an asynchronous transfer stays; the empty one between the
// transfer and the wait goes.
// CHECK-LABEL: func.func @wait_async_dma(
// CHECK-SAME: %[[X:.*]]: memref<4x4xf32>)
// CHECK: %[[A:.*]] = tessera.buffer
// CHECK-NEXT: %[[T:.*]] = tessera.dma_load %[[X]], %[[A]] async
// CHECK-NEXT: tessera.wait %[[T]]{{$}}
// CHECK-NEXT: tessera.dma_store %[[A]], %[[X]] :
// CHECK-NEXT: return
func.func @wait_async_dma(%x: memref<4x4xf32>) {
  %spm = tessera.arena align 64 : memref<64xi8>
  %a = tessera.buffer %spm[0] : memref<64xi8> to memref<4x4xf32>
  %t = tessera.dma_load %x, %a async : memref<4x4xf32> to memref<4x4xf32> -> !tessera.token
  tessera.wait
  tessera.wait %t
  tessera.dma_store %a, %x : memref<4x4xf32> to memref<4x4xf32>
  return
}
