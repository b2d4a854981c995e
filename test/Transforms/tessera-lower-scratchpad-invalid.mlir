// RUN: tessera-opt %s -tessera-lower-scratchpad -split-input-file -verify-diagnostics

func.func @arena_in_loop(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    // expected-error@+1 {{'tessera.arena' op must be in the entry block of its function to be lowered}}
    %spm = tessera.arena align 64 : memref<256xi8>
  }
  return
}

// -----

func.func private @consume(!tessera.token)

func.func @token_escapes(%x: memref<8xf32>) {
  %spm = tessera.arena align 64 : memref<256xi8>
  %a = tessera.buffer %spm[0] : memref<256xi8> to memref<8xf32>
  // expected-error@+1 {{'tessera.dma_load' op token is used by 'func.call'; only 'tessera.wait' may use it for lowering}}
  %t = tessera.dma_load %x, %a async : memref<8xf32> to memref<8xf32> -> !tessera.token
  func.call @consume(%t) : (!tessera.token) -> ()
  return
}
