// A module for a target without a cost model file.
module attributes {tessera.target = #tessera.target<kind = fpga, dsp = 900>} {
  func.func @add(%a: memref<256xf32>, %b: memref<256xf32>, %c: memref<256xf32>) {
    linalg.add ins(%a, %b : memref<256xf32>, memref<256xf32>) outs(%c : memref<256xf32>)
    return
  }
}
