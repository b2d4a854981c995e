// A kernel the feature extractor does not know: a dynamic shape.
func.func @dynamic(%a: memref<?x4xf32>, %b: memref<?x4xf32>) {
  linalg.copy ins(%a : memref<?x4xf32>) outs(%b : memref<?x4xf32>)
  return
}
