// A kernel without loops: the fill of a 0-d accumulator.
func.func @scalar(%acc: memref<f32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%acc : memref<f32>)
  return
}
