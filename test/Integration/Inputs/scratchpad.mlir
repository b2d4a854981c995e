func.func @copy_through_spm(%x: memref<4x4xf32>, %y: memref<4x4xf32>) {
  %spm = tessera.arena align 64 : memref<1024xi8>
  %a = tessera.buffer %spm[64] : memref<1024xi8> to memref<4x4xf32>
  tessera.dma_load %x, %a : memref<4x4xf32> to memref<4x4xf32>
  tessera.dma_store %a, %y : memref<4x4xf32> to memref<4x4xf32>
  return
}
