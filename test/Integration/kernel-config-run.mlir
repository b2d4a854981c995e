// Scheduled operators compute what unscheduled ones do, end to end: the CPU
// pipeline (bufferization, tessera-apply-kernel-config, vector lowering, LLVM)
// and execution by mlir-runner. Each line is the largest absolute difference
// between an operator under a #tessera.kernel_config and the same operator
// without one, on integer-valued inputs (so reassociated sums are exact):
// vector lines along a parallel loop (a width that does not divide the extent
// falls back to scalar code), along a reduction, strided convolution windows
// and a column of a row-major buffer.
// RUN: tessera-opt %s --tessera-cpu-pipeline | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_c_runner_utils | FileCheck %s
// CHECK-COUNT-9: {{^0$}}
// CHECK-NOT: {{.}}

func.func @main() {
  %c7 = arith.constant 7 : index
  %c11 = arith.constant 11 : index
  %c5 = arith.constant 5.0 : f32
  %z = arith.constant 0.0 : f32
  %ae = tensor.empty() : tensor<4x8xf32>
  %a = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%ae : tensor<4x8xf32>) {
  ^bb0(%o: f32):
    %ai0 = linalg.index 0 : index
    %ai1 = linalg.index 1 : index
    %am1 = arith.muli %ai0, %c7 : index
    %aa1 = arith.addi %am1, %ai1 : index
    %ar = arith.remui %aa1, %c11 : index
    %an = arith.index_cast %ar : index to i32
    %af = arith.sitofp %an : i32 to f32
    %ag = arith.subf %af, %c5 : f32
    linalg.yield %ag : f32
  } -> tensor<4x8xf32>
  %be = tensor.empty() : tensor<8x12xf32>
  %b = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%be : tensor<8x12xf32>) {
  ^bb0(%o: f32):
    %bi0 = linalg.index 0 : index
    %bi1 = linalg.index 1 : index
    %bm1 = arith.muli %bi0, %c7 : index
    %ba1 = arith.addi %bm1, %bi1 : index
    %br = arith.remui %ba1, %c11 : index
    %bn = arith.index_cast %br : index to i32
    %bf = arith.sitofp %bn : i32 to f32
    %bg = arith.subf %bf, %c5 : f32
    linalg.yield %bg : f32
  } -> tensor<8x12xf32>
  %xe = tensor.empty() : tensor<1x9x9x3xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%xe : tensor<1x9x9x3xf32>) {
  ^bb0(%o: f32):
    %xi0 = linalg.index 0 : index
    %xi1 = linalg.index 1 : index
    %xi2 = linalg.index 2 : index
    %xi3 = linalg.index 3 : index
    %xm1 = arith.muli %xi0, %c7 : index
    %xa1 = arith.addi %xm1, %xi1 : index
    %xm2 = arith.muli %xa1, %c7 : index
    %xa2 = arith.addi %xm2, %xi2 : index
    %xm3 = arith.muli %xa2, %c7 : index
    %xa3 = arith.addi %xm3, %xi3 : index
    %xr = arith.remui %xa3, %c11 : index
    %xn = arith.index_cast %xr : index to i32
    %xf = arith.sitofp %xn : i32 to f32
    %xg = arith.subf %xf, %c5 : f32
    linalg.yield %xg : f32
  } -> tensor<1x9x9x3xf32>
  %we = tensor.empty() : tensor<3x3x3x2xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%we : tensor<3x3x3x2xf32>) {
  ^bb0(%o: f32):
    %wi0 = linalg.index 0 : index
    %wi1 = linalg.index 1 : index
    %wi2 = linalg.index 2 : index
    %wi3 = linalg.index 3 : index
    %wm1 = arith.muli %wi0, %c7 : index
    %wa1 = arith.addi %wm1, %wi1 : index
    %wm2 = arith.muli %wa1, %c7 : index
    %wa2 = arith.addi %wm2, %wi2 : index
    %wm3 = arith.muli %wa2, %c7 : index
    %wa3 = arith.addi %wm3, %wi3 : index
    %wr = arith.remui %wa3, %c11 : index
    %wn = arith.index_cast %wr : index to i32
    %wf = arith.sitofp %wn : i32 to f32
    %wg = arith.subf %wf, %c5 : f32
    linalg.yield %wg : f32
  } -> tensor<3x3x3x2xf32>
  %re = tensor.empty() : tensor<6x16xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%re : tensor<6x16xf32>) {
  ^bb0(%o: f32):
    %ri0 = linalg.index 0 : index
    %ri1 = linalg.index 1 : index
    %rm1 = arith.muli %ri0, %c7 : index
    %ra1 = arith.addi %rm1, %ri1 : index
    %rr = arith.remui %ra1, %c11 : index
    %rn = arith.index_cast %rr : index to i32
    %rf = arith.sitofp %rn : i32 to f32
    %rg = arith.subf %rf, %c5 : f32
    linalg.yield %rg : f32
  } -> tensor<6x16xf32>
  %ce = tensor.empty() : tensor<4x12xf32>
  %c = linalg.fill ins(%z : f32) outs(%ce : tensor<4x12xf32>) -> tensor<4x12xf32>
  %oe = tensor.empty() : tensor<1x4x4x2xf32>
  %o = linalg.fill ins(%z : f32) outs(%oe : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %qe = tensor.empty() : tensor<6xf32>
  %q = linalg.fill ins(%z : f32) outs(%qe : tensor<6xf32>) -> tensor<6xf32>
  %m1ref = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x12xf32>) outs(%c : tensor<4x12xf32>) -> tensor<4x12xf32>
  %m1s = linalg.matmul {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0, 2, 1], vector_width = 8, unroll = 1, parallel_dims = []>} ins(%a, %b : tensor<4x8xf32>, tensor<8x12xf32>) outs(%c : tensor<4x12xf32>) -> tensor<4x12xf32>
  %m1de = tensor.empty() : tensor<f32>
  %m1d0 = linalg.fill ins(%z : f32) outs(%m1de : tensor<f32>) -> tensor<f32>
  %m1d = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%m1ref, %m1s : tensor<4x12xf32>, tensor<4x12xf32>) outs(%m1d0 : tensor<f32>) {
  ^bb0(%p: f32, %t: f32, %acc: f32):
    %diff = arith.subf %p, %t : f32
    %abs = math.absf %diff : f32
    %m = arith.maximumf %acc, %abs : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  %m1v = tensor.extract %m1d[] : tensor<f32>
  vector.print %m1v : f32
  %m2ref = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x12xf32>) outs(%c : tensor<4x12xf32>) -> tensor<4x12xf32>
  %m2s = linalg.matmul {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0, 2, 1], vector_width = 4, unroll = 3, parallel_dims = []>} ins(%a, %b : tensor<4x8xf32>, tensor<8x12xf32>) outs(%c : tensor<4x12xf32>) -> tensor<4x12xf32>
  %m2de = tensor.empty() : tensor<f32>
  %m2d0 = linalg.fill ins(%z : f32) outs(%m2de : tensor<f32>) -> tensor<f32>
  %m2d = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%m2ref, %m2s : tensor<4x12xf32>, tensor<4x12xf32>) outs(%m2d0 : tensor<f32>) {
  ^bb0(%p: f32, %t: f32, %acc: f32):
    %diff = arith.subf %p, %t : f32
    %abs = math.absf %diff : f32
    %m = arith.maximumf %acc, %abs : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  %m2v = tensor.extract %m2d[] : tensor<f32>
  vector.print %m2v : f32
  %m3ref = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x12xf32>) outs(%c : tensor<4x12xf32>) -> tensor<4x12xf32>
  %m3s = linalg.matmul {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [1, 0, 2], vector_width = 4, unroll = 2, parallel_dims = []>} ins(%a, %b : tensor<4x8xf32>, tensor<8x12xf32>) outs(%c : tensor<4x12xf32>) -> tensor<4x12xf32>
  %m3de = tensor.empty() : tensor<f32>
  %m3d0 = linalg.fill ins(%z : f32) outs(%m3de : tensor<f32>) -> tensor<f32>
  %m3d = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%m3ref, %m3s : tensor<4x12xf32>, tensor<4x12xf32>) outs(%m3d0 : tensor<f32>) {
  ^bb0(%p: f32, %t: f32, %acc: f32):
    %diff = arith.subf %p, %t : f32
    %abs = math.absf %diff : f32
    %m = arith.maximumf %acc, %abs : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  %m3v = tensor.extract %m3d[] : tensor<f32>
  vector.print %m3v : f32
  %m4ref = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x12xf32>) outs(%c : tensor<4x12xf32>) -> tensor<4x12xf32>
  %m4s = linalg.matmul {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [2, 1, 0], vector_width = 2, unroll = 2, parallel_dims = []>} ins(%a, %b : tensor<4x8xf32>, tensor<8x12xf32>) outs(%c : tensor<4x12xf32>) -> tensor<4x12xf32>
  %m4de = tensor.empty() : tensor<f32>
  %m4d0 = linalg.fill ins(%z : f32) outs(%m4de : tensor<f32>) -> tensor<f32>
  %m4d = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%m4ref, %m4s : tensor<4x12xf32>, tensor<4x12xf32>) outs(%m4d0 : tensor<f32>) {
  ^bb0(%p: f32, %t: f32, %acc: f32):
    %diff = arith.subf %p, %t : f32
    %abs = math.absf %diff : f32
    %m = arith.maximumf %acc, %abs : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  %m4v = tensor.extract %m4d[] : tensor<f32>
  vector.print %m4v : f32
  %k1ref = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x9x9x3xf32>, tensor<3x3x3x2xf32>) outs(%o : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %k1s = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>, tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0, 1, 3, 4, 5, 6, 2], vector_width = 4, unroll = 1, parallel_dims = []>} ins(%x, %w : tensor<1x9x9x3xf32>, tensor<3x3x3x2xf32>) outs(%o : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %k1de = tensor.empty() : tensor<f32>
  %k1d0 = linalg.fill ins(%z : f32) outs(%k1de : tensor<f32>) -> tensor<f32>
  %k1d = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%k1ref, %k1s : tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) outs(%k1d0 : tensor<f32>) {
  ^bb0(%p: f32, %t: f32, %acc: f32):
    %diff = arith.subf %p, %t : f32
    %abs = math.absf %diff : f32
    %m = arith.maximumf %acc, %abs : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  %k1v = tensor.extract %k1d[] : tensor<f32>
  vector.print %k1v : f32
  %k2ref = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x9x9x3xf32>, tensor<3x3x3x2xf32>) outs(%o : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %k2s = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>, tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0, 2, 3, 4, 5, 6, 1], vector_width = 2, unroll = 1, parallel_dims = []>} ins(%x, %w : tensor<1x9x9x3xf32>, tensor<3x3x3x2xf32>) outs(%o : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %k2de = tensor.empty() : tensor<f32>
  %k2d0 = linalg.fill ins(%z : f32) outs(%k2de : tensor<f32>) -> tensor<f32>
  %k2d = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%k2ref, %k2s : tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) outs(%k2d0 : tensor<f32>) {
  ^bb0(%p: f32, %t: f32, %acc: f32):
    %diff = arith.subf %p, %t : f32
    %abs = math.absf %diff : f32
    %m = arith.maximumf %acc, %abs : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  %k2v = tensor.extract %k2d[] : tensor<f32>
  vector.print %k2v : f32
  %k3ref = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x9x9x3xf32>, tensor<3x3x3x2xf32>) outs(%o : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %k3s = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>, tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0, 1, 2, 3, 4, 5, 6], vector_width = 4, unroll = 1, parallel_dims = []>} ins(%x, %w : tensor<1x9x9x3xf32>, tensor<3x3x3x2xf32>) outs(%o : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %k3de = tensor.empty() : tensor<f32>
  %k3d0 = linalg.fill ins(%z : f32) outs(%k3de : tensor<f32>) -> tensor<f32>
  %k3d = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> ()>], iterator_types = ["reduction", "reduction", "reduction", "reduction"]} ins(%k3ref, %k3s : tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) outs(%k3d0 : tensor<f32>) {
  ^bb0(%p: f32, %t: f32, %acc: f32):
    %diff = arith.subf %p, %t : f32
    %abs = math.absf %diff : f32
    %m = arith.maximumf %acc, %abs : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  %k3v = tensor.extract %k3d[] : tensor<f32>
  vector.print %k3v : f32
  %r1ref = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%r : tensor<6x16xf32>) outs(%q : tensor<6xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %sum = arith.addf %in, %acc : f32
    linalg.yield %sum : f32
  } -> tensor<6xf32>
  %r1s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%r : tensor<6x16xf32>) outs(%q : tensor<6xf32>) attrs = {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0, 1], vector_width = 8, unroll = 2, parallel_dims = []>} {
  ^bb0(%in: f32, %acc: f32):
    %sum = arith.addf %in, %acc : f32
    linalg.yield %sum : f32
  } -> tensor<6xf32>
  %r1de = tensor.empty() : tensor<f32>
  %r1d0 = linalg.fill ins(%z : f32) outs(%r1de : tensor<f32>) -> tensor<f32>
  %r1d = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%r1ref, %r1s : tensor<6xf32>, tensor<6xf32>) outs(%r1d0 : tensor<f32>) {
  ^bb0(%p: f32, %t: f32, %acc: f32):
    %diff = arith.subf %p, %t : f32
    %abs = math.absf %diff : f32
    %m = arith.maximumf %acc, %abs : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  %r1v = tensor.extract %r1d[] : tensor<f32>
  vector.print %r1v : f32
  %r2ref = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%r : tensor<6x16xf32>) outs(%q : tensor<6xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %sum = arith.addf %in, %acc : f32
    linalg.yield %sum : f32
  } -> tensor<6xf32>
  %r2s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%r : tensor<6x16xf32>) outs(%q : tensor<6xf32>) attrs = {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [1, 0], vector_width = 2, unroll = 3, parallel_dims = []>} {
  ^bb0(%in: f32, %acc: f32):
    %sum = arith.addf %in, %acc : f32
    linalg.yield %sum : f32
  } -> tensor<6xf32>
  %r2de = tensor.empty() : tensor<f32>
  %r2d0 = linalg.fill ins(%z : f32) outs(%r2de : tensor<f32>) -> tensor<f32>
  %r2d = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>], iterator_types = ["reduction"]} ins(%r2ref, %r2s : tensor<6xf32>, tensor<6xf32>) outs(%r2d0 : tensor<f32>) {
  ^bb0(%p: f32, %t: f32, %acc: f32):
    %diff = arith.subf %p, %t : f32
    %abs = math.absf %diff : f32
    %m = arith.maximumf %acc, %abs : f32
    linalg.yield %m : f32
  } -> tensor<f32>
  %r2v = tensor.extract %r2d[] : tensor<f32>
  vector.print %r2v : f32
  return
}
