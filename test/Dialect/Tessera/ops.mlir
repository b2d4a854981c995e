// RUN: tessera-opt %s | tessera-opt | FileCheck %s
// RUN: tessera-opt %s -mlir-print-op-generic | tessera-opt | FileCheck %s

// Round trip of the attributes, the type and the operations of the tessera
// dialect, in the custom and in the generic form.

//===----------------------------------------------------------------------===//
// #tessera.target
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @target_all_params()
// CHECK-SAME: tessera.target = #tessera.target<kind = fpga, scratchpad = 1048576, alignment = 128, vector_bits = 512, cores = 4, arch = "xcvu9p", dsp = 6840, bram = 4320>
func.func @target_all_params() attributes {
    tessera.target = #tessera.target<kind = fpga, scratchpad = 1048576,
        alignment = 128, vector_bits = 512, cores = 4, arch = "xcvu9p",
        dsp = 6840, bram = 4320>} {
  return
}

// CHECK-LABEL: func.func @target_gpu()
// CHECK-SAME: tessera.target = #tessera.target<kind = gpu, scratchpad = 232448, alignment = 128, cores = 132, arch = "sm_90">
func.func @target_gpu() attributes {
    tessera.target = #tessera.target<kind = gpu, scratchpad = 232448,
        alignment = 128, cores = 132, arch = "sm_90">} {
  return
}

// CHECK-LABEL: func.func @target_defaults()
// CHECK-SAME: tessera.target = #tessera.target<kind = cpu>}
func.func @target_defaults() attributes {
    tessera.target = #tessera.target<kind = cpu>} {
  return
}

// Parameters equal to their defaults are not printed; the order of the
// parameters in the input does not matter.
// CHECK-LABEL: func.func @target_explicit_defaults()
// CHECK-SAME: tessera.target = #tessera.target<kind = cpu, vector_bits = 256>}
func.func @target_explicit_defaults() attributes {
    tessera.target = #tessera.target<vector_bits = 256, kind = cpu,
        scratchpad = 0, alignment = 64, cores = 0, dsp = 0, bram = 0>} {
  return
}

//===----------------------------------------------------------------------===//
// #tessera.kernel_config
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @kernel_config_all_params()
// CHECK-SAME: tessera.kernel_config = #tessera.kernel_config<tiles = {{\[}}[64, 64, 32], [8, 8, 0]], loop_order = [0, 2, 1], vector_width = 8, unroll = 4, parallel_dims = [0, 1]>
func.func @kernel_config_all_params() attributes {
    tessera.kernel_config = #tessera.kernel_config<
        tiles = [[64, 64, 32], [8, 8, 0]], loop_order = [0, 2, 1],
        vector_width = 8, unroll = 4, parallel_dims = [0, 1]>} {
  return
}

// CHECK-LABEL: func.func @kernel_config_required_only()
// CHECK-SAME: tessera.kernel_config = #tessera.kernel_config<tiles = {{\[}}[16, 0]], loop_order = [1, 0]>}
func.func @kernel_config_required_only() attributes {
    tessera.kernel_config = #tessera.kernel_config<loop_order = [1, 0],
        tiles = [[16, 0]]>} {
  return
}

// CHECK-LABEL: func.func @kernel_config_explicit_defaults()
// CHECK-SAME: tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0]>}
func.func @kernel_config_explicit_defaults() attributes {
    tessera.kernel_config = #tessera.kernel_config<tiles = [],
        loop_order = [0], vector_width = 1, unroll = 1, parallel_dims = []>} {
  return
}

//===----------------------------------------------------------------------===//
// #tessera.cost
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @cost()
// CHECK-SAME: tessera.cost = #tessera.cost<latency_us = 1.250000e+01, source = "xgb-cpu-v1">
func.func @cost() attributes {
    tessera.cost = #tessera.cost<latency_us = 12.5, source = "xgb-cpu-v1">} {
  return
}

// A latency that is not exact in 6 digits is printed in full and survives the
// round trip.
// CHECK-LABEL: func.func @cost_precise()
// CHECK-SAME: tessera.cost = #tessera.cost<latency_us = 0.12345678910000001, source = "analytical">
func.func @cost_precise() attributes {
    tessera.cost = #tessera.cost<latency_us = 0.1234567891,
        source = "analytical">} {
  return
}

// CHECK-LABEL: func.func @cost_zero()
// CHECK-SAME: tessera.cost = #tessera.cost<latency_us = 0.000000e+00, source = "analytical">
func.func @cost_zero() attributes {
    tessera.cost = #tessera.cost<latency_us = 0.0, source = "analytical">} {
  return
}

//===----------------------------------------------------------------------===//
// !tessera.token
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @token_type(
// CHECK-SAME: %[[T:.*]]: !tessera.token) -> !tessera.token
// CHECK: return %[[T]] : !tessera.token
func.func @token_type(%t: !tessera.token) -> !tessera.token {
  return %t : !tessera.token
}

//===----------------------------------------------------------------------===//
// Operations
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @arena()
// CHECK: %{{.*}} = tessera.arena align 64 : memref<262144xi8>
// CHECK: %{{.*}} = tessera.arena align 1 : memref<3xi8>
// CHECK: %{{.*}} = tessera.arena align 128 {tessera.note = "spm0"} : memref<1024xi8>
func.func @arena() {
  %0 = tessera.arena align 64 : memref<262144xi8>
  %1 = tessera.arena align 1 : memref<3xi8>
  %2 = tessera.arena align 128 {tessera.note = "spm0"} : memref<1024xi8>
  return
}

// CHECK-LABEL: func.func @buffer()
// CHECK: %[[SPM:.*]] = tessera.arena align 64 : memref<4096xi8>
// CHECK: tessera.buffer %[[SPM]][0] : memref<4096xi8> to memref<16x16xf32>
// CHECK: tessera.buffer %[[SPM]][1024] : memref<4096xi8> to memref<8x8x2xi8>
// CHECK: tessera.buffer %[[SPM]][1152] : memref<4096xi8> to memref<4xf16>
// CHECK: tessera.buffer %[[SPM]][1216] : memref<4096xi8> to memref<i64>
// CHECK: tessera.buffer %[[SPM]][4032] : memref<4096xi8> to memref<8xf64>
func.func @buffer() {
  %spm = tessera.arena align 64 : memref<4096xi8>
  %a = tessera.buffer %spm[0] : memref<4096xi8> to memref<16x16xf32>
  %b = tessera.buffer %spm[1024] : memref<4096xi8> to memref<8x8x2xi8>
  %c = tessera.buffer %spm[1152] : memref<4096xi8> to memref<4xf16>
  %d = tessera.buffer %spm[1216] : memref<4096xi8> to memref<i64>
  // The last buffer ends exactly at the end of the arena.
  %e = tessera.buffer %spm[4032] : memref<4096xi8> to memref<8xf64>
  return
}

// A buffer may be carved out of an arena passed as an argument.
// CHECK-LABEL: func.func @buffer_of_argument(
// CHECK-SAME: %[[SPM:.*]]: memref<256xi8>)
// CHECK: tessera.buffer %[[SPM]][4] : memref<256xi8> to memref<2xi16>
func.func @buffer_of_argument(%spm: memref<256xi8>) {
  %a = tessera.buffer %spm[4] : memref<256xi8> to memref<2xi16>
  return
}

// CHECK-LABEL: func.func @dma_sync(
// CHECK-SAME: %[[X:.*]]: memref<16x16xf32>, %[[Y:.*]]: memref<16x16xf32>)
// CHECK: %[[SPM:.*]] = tessera.arena
// CHECK: %[[A:.*]] = tessera.buffer %[[SPM]][0]
// CHECK: tessera.dma_load %[[X]], %[[A]] : memref<16x16xf32> to memref<16x16xf32>{{$}}
// CHECK: tessera.dma_store %[[A]], %[[Y]] : memref<16x16xf32> to memref<16x16xf32>{{$}}
func.func @dma_sync(%x: memref<16x16xf32>, %y: memref<16x16xf32>) {
  %spm = tessera.arena align 64 : memref<1024xi8>
  %a = tessera.buffer %spm[0] : memref<1024xi8> to memref<16x16xf32>
  tessera.dma_load %x, %a : memref<16x16xf32> to memref<16x16xf32>
  tessera.dma_store %a, %y : memref<16x16xf32> to memref<16x16xf32>
  return
}

// The off-chip side may have any layout.
// CHECK-LABEL: func.func @dma_strided(
// CHECK-SAME: %[[X:.*]]: memref<4x4xf32, strided<[8, 1]>>)
// CHECK: %[[A:.*]] = tessera.buffer
// CHECK: tessera.dma_load %[[X]], %[[A]] : memref<4x4xf32, strided<[8, 1]>> to memref<4x4xf32>
func.func @dma_strided(%x: memref<4x4xf32, strided<[8, 1]>>) {
  %spm = tessera.arena align 64 : memref<64xi8>
  %a = tessera.buffer %spm[0] : memref<64xi8> to memref<4x4xf32>
  tessera.dma_load %x, %a : memref<4x4xf32, strided<[8, 1]>> to memref<4x4xf32>
  return
}

// CHECK-LABEL: func.func @dma_async(
// CHECK-SAME: %[[X:.*]]: memref<16x16xf32>, %[[Y:.*]]: memref<16x16xf32>)
// CHECK: %[[A:.*]] = tessera.buffer
// CHECK: %[[B:.*]] = tessera.buffer
// CHECK: %[[T0:.*]] = tessera.dma_load %[[X]], %[[A]] async : memref<16x16xf32> to memref<16x16xf32> -> !tessera.token
// CHECK: %[[T1:.*]] = tessera.dma_load %[[Y]], %[[B]] async : memref<16x16xf32> to memref<16x16xf32> -> !tessera.token
// CHECK: tessera.wait %[[T0]], %[[T1]]{{$}}
// CHECK: %[[T2:.*]] = tessera.dma_store %[[A]], %[[Y]] async : memref<16x16xf32> to memref<16x16xf32> -> !tessera.token
// CHECK: tessera.wait %[[T2]]{{$}}
func.func @dma_async(%x: memref<16x16xf32>, %y: memref<16x16xf32>) {
  %spm = tessera.arena align 64 : memref<2048xi8>
  %a = tessera.buffer %spm[0] : memref<2048xi8> to memref<16x16xf32>
  %b = tessera.buffer %spm[1024] : memref<2048xi8> to memref<16x16xf32>
  %t0 = tessera.dma_load %x, %a async : memref<16x16xf32> to memref<16x16xf32> -> !tessera.token
  %t1 = tessera.dma_load %y, %b async : memref<16x16xf32> to memref<16x16xf32> -> !tessera.token
  tessera.wait %t0, %t1
  %t2 = tessera.dma_store %a, %y async : memref<16x16xf32> to memref<16x16xf32> -> !tessera.token
  tessera.wait %t2
  return
}

// CHECK-LABEL: func.func @wait(
// CHECK-SAME: %[[T0:.*]]: !tessera.token, %[[T1:.*]]: !tessera.token)
// CHECK: tessera.wait{{$}}
// CHECK: tessera.wait %[[T0]]{{$}}
// CHECK: tessera.wait %[[T0]], %[[T1]]{{$}}
// CHECK: tessera.wait %[[T1]] {tessera.note = "last"}
func.func @wait(%t0: !tessera.token, %t1: !tessera.token) {
  tessera.wait
  tessera.wait %t0
  tessera.wait %t0, %t1
  tessera.wait %t1 {tessera.note = "last"}
  return
}
