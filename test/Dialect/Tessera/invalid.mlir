// RUN: tessera-opt %s -split-input-file -verify-diagnostics

// Every diagnostic of the tessera dialect: its ODS constraints and the
// verifiers of its attributes (TesseraAttrs.cpp) and operations
// (TesseraOps.cpp). Attribute errors are reported while parsing, at the `<`
// that opens the attribute's parameters.

//===----------------------------------------------------------------------===//
// tessera.arena
//===----------------------------------------------------------------------===//

func.func @arena_alignment_not_power_of_two() {
  // expected-error@+1 {{'tessera.arena' op alignment must be a power of two, got 48}}
  %0 = tessera.arena align 48 : memref<96xi8>
  return
}

// -----

func.func @arena_alignment_zero() {
  // expected-error@+1 {{'tessera.arena' op attribute 'alignment' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %0 = tessera.arena align 0 : memref<128xi8>
  return
}

// -----

func.func @arena_alignment_negative() {
  // expected-error@+1 {{attribute 'alignment' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %0 = tessera.arena align -64 : memref<128xi8>
  return
}

// -----

func.func @arena_size_not_multiple_of_alignment() {
  // expected-error@+1 {{'tessera.arena' op size of 100 bytes is not a multiple of the alignment (64)}}
  %0 = tessera.arena align 64 : memref<100xi8>
  return
}

// -----

func.func @arena_not_i8() {
  // expected-error@+1 {{'tessera.arena' op result #0 must be statically sized 1-D memref of i8 with an identity layout, but got 'memref<128xi32>'}}
  %0 = tessera.arena align 64 : memref<128xi32>
  return
}

// -----

func.func @arena_not_1d() {
  // expected-error@+1 {{'tessera.arena' op result #0 must be statically sized 1-D memref of i8 with an identity layout, but got 'memref<2x64xi8>'}}
  %0 = tessera.arena align 64 : memref<2x64xi8>
  return
}

// -----

func.func @arena_non_identity_layout() {
  // expected-error@+1 {{'tessera.arena' op result #0 must be statically sized 1-D memref of i8 with an identity layout, but got 'memref<128xi8, strided<[2]>>'}}
  %0 = tessera.arena align 64 : memref<128xi8, strided<[2]>>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tessera.buffer
//===----------------------------------------------------------------------===//

func.func @buffer_past_end_of_arena() {
  %0 = tessera.arena align 64 : memref<128xi8>
  // expected-error@+1 {{'tessera.buffer' op buffer of 128 bytes at offset 64 does not fit in the arena of 128 bytes}}
  %1 = tessera.buffer %0[64] : memref<128xi8> to memref<32xf32>
  return
}

// -----

func.func @buffer_past_end_of_argument_arena(%arena: memref<128xi8>) {
  // expected-error@+1 {{'tessera.buffer' op buffer of 132 bytes at offset 0 does not fit in the arena of 128 bytes}}
  %1 = tessera.buffer %arena[0] : memref<128xi8> to memref<33xf32>
  return
}

// -----

func.func @buffer_offset_misaligned() {
  %0 = tessera.arena align 64 : memref<256xi8>
  // expected-error@+1 {{'tessera.buffer' op offset 32 is not a multiple of the arena alignment (64)}}
  %1 = tessera.buffer %0[32] : memref<256xi8> to memref<8xf32>
  return
}

// -----

func.func @buffer_offset_negative() {
  %0 = tessera.arena align 64 : memref<256xi8>
  // expected-error@+1 {{'tessera.buffer' op attribute 'offset' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %1 = tessera.buffer %0[-64] : memref<256xi8> to memref<8xf32>
  return
}

// -----

func.func @buffer_element_type_i1() {
  %0 = tessera.arena align 64 : memref<256xi8>
  // expected-error@+1 {{'tessera.buffer' op element type 'i1' is not an integer or float of a whole number of bytes}}
  %1 = tessera.buffer %0[0] : memref<256xi8> to memref<8xi1>
  return
}

// -----

func.func @buffer_element_type_index() {
  %0 = tessera.arena align 64 : memref<256xi8>
  // expected-error@+1 {{'tessera.buffer' op element type 'index' is not an integer or float of a whole number of bytes}}
  %1 = tessera.buffer %0[0] : memref<256xi8> to memref<8xindex>
  return
}

// -----

func.func @buffer_element_type_vector() {
  %0 = tessera.arena align 64 : memref<256xi8>
  // expected-error@+1 {{'tessera.buffer' op element type 'vector<4xf32>' is not an integer or float of a whole number of bytes}}
  %1 = tessera.buffer %0[0] : memref<256xi8> to memref<2xvector<4xf32>>
  return
}

// -----

func.func @buffer_non_identity_layout() {
  %0 = tessera.arena align 64 : memref<256xi8>
  // expected-error@+1 {{'tessera.buffer' op buffer must have an identity layout}}
  %1 = tessera.buffer %0[0] : memref<256xi8> to memref<8xf32, strided<[2]>>
  return
}

// -----

func.func @buffer_dynamic_shape() {
  %0 = tessera.arena align 64 : memref<256xi8>
  // expected-error@+1 {{'tessera.buffer' op result #0 must be statically shaped memref of any type values, but got 'memref<?xf32>'}}
  %1 = tessera.buffer %0[0] : memref<256xi8> to memref<?xf32>
  return
}

// -----

func.func @buffer_arena_not_i8(%arena: memref<64xi32>) {
  // expected-error@+1 {{'tessera.buffer' op operand #0 must be statically sized 1-D memref of i8 with an identity layout, but got 'memref<64xi32>'}}
  %1 = tessera.buffer %arena[0] : memref<64xi32> to memref<8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tessera.dma_load / tessera.dma_store
//===----------------------------------------------------------------------===//

func.func @dma_shape_mismatch(%x: memref<8x8xf32>) {
  %0 = tessera.arena align 64 : memref<1024xi8>
  %a = tessera.buffer %0[0] : memref<1024xi8> to memref<4x16xf32>
  // expected-error@+1 {{'tessera.dma_load' op source 'memref<8x8xf32>' and target 'memref<4x16xf32>' must have the same shape and element type}}
  tessera.dma_load %x, %a : memref<8x8xf32> to memref<4x16xf32>
  return
}

// -----

func.func @dma_element_type_mismatch(%y: memref<8x8xf32>) {
  %0 = tessera.arena align 64 : memref<1024xi8>
  %a = tessera.buffer %0[0] : memref<1024xi8> to memref<8x8xi32>
  // expected-error@+1 {{'tessera.dma_store' op source 'memref<8x8xi32>' and target 'memref<8x8xf32>' must have the same shape and element type}}
  tessera.dma_store %a, %y : memref<8x8xi32> to memref<8x8xf32>
  return
}

// -----

func.func @dma_load_target_not_buffer(%x: memref<8x8xf32>, %y: memref<8x8xf32>) {
  // expected-error@+1 {{'tessera.dma_load' op the scratchpad side of the transfer must be a 'tessera.buffer'}}
  tessera.dma_load %x, %y : memref<8x8xf32> to memref<8x8xf32>
  return
}

// -----

// The arena itself is not a buffer.
func.func @dma_load_target_is_arena(%x: memref<64xi8>) {
  %0 = tessera.arena align 64 : memref<64xi8>
  // expected-error@+1 {{'tessera.dma_load' op the scratchpad side of the transfer must be a 'tessera.buffer'}}
  tessera.dma_load %x, %0 : memref<64xi8> to memref<64xi8>
  return
}

// -----

// dma_store reads from the scratchpad: the buffer must be its source.
func.func @dma_store_source_not_buffer(%x: memref<8x8xf32>) {
  %0 = tessera.arena align 64 : memref<1024xi8>
  %a = tessera.buffer %0[0] : memref<1024xi8> to memref<8x8xf32>
  // expected-error@+1 {{'tessera.dma_store' op the scratchpad side of the transfer must be a 'tessera.buffer'}}
  tessera.dma_store %x, %a : memref<8x8xf32> to memref<8x8xf32>
  return
}

// -----

func.func @dma_load_source_is_buffer() {
  %0 = tessera.arena align 64 : memref<1024xi8>
  %a = tessera.buffer %0[0] : memref<1024xi8> to memref<8x8xf32>
  %b = tessera.buffer %0[256] : memref<1024xi8> to memref<8x8xf32>
  // expected-error@+1 {{'tessera.dma_load' op the off-chip side of the transfer must not be a scratchpad buffer}}
  tessera.dma_load %a, %b : memref<8x8xf32> to memref<8x8xf32>
  return
}

// -----

func.func @dma_store_target_is_buffer() {
  %0 = tessera.arena align 64 : memref<1024xi8>
  %a = tessera.buffer %0[0] : memref<1024xi8> to memref<8x8xf32>
  %b = tessera.buffer %0[256] : memref<1024xi8> to memref<8x8xf32>
  // expected-error@+1 {{'tessera.dma_store' op the off-chip side of the transfer must not be a scratchpad buffer}}
  tessera.dma_store %a, %b : memref<8x8xf32> to memref<8x8xf32>
  return
}

// -----

func.func @dma_load_async_without_token(%x: memref<8x8xf32>) {
  %0 = tessera.arena align 64 : memref<1024xi8>
  %a = tessera.buffer %0[0] : memref<1024xi8> to memref<8x8xf32>
  // expected-error@+1 {{'tessera.dma_load' op an 'async' transfer returns a token and a synchronous one returns none}}
  tessera.dma_load %x, %a async : memref<8x8xf32> to memref<8x8xf32>
  return
}

// -----

func.func @dma_load_token_without_async(%x: memref<8x8xf32>) {
  %0 = tessera.arena align 64 : memref<1024xi8>
  %a = tessera.buffer %0[0] : memref<1024xi8> to memref<8x8xf32>
  // expected-error@+1 {{'tessera.dma_load' op an 'async' transfer returns a token and a synchronous one returns none}}
  %t = tessera.dma_load %x, %a : memref<8x8xf32> to memref<8x8xf32> -> !tessera.token
  return
}

// -----

func.func @dma_store_async_without_token(%y: memref<8x8xf32>) {
  %0 = tessera.arena align 64 : memref<1024xi8>
  %a = tessera.buffer %0[0] : memref<1024xi8> to memref<8x8xf32>
  // expected-error@+1 {{'tessera.dma_store' op an 'async' transfer returns a token and a synchronous one returns none}}
  tessera.dma_store %a, %y async : memref<8x8xf32> to memref<8x8xf32>
  return
}

// -----

func.func @dma_store_token_without_async(%y: memref<8x8xf32>) {
  %0 = tessera.arena align 64 : memref<1024xi8>
  %a = tessera.buffer %0[0] : memref<1024xi8> to memref<8x8xf32>
  // expected-error@+1 {{'tessera.dma_store' op an 'async' transfer returns a token and a synchronous one returns none}}
  %t = tessera.dma_store %a, %y : memref<8x8xf32> to memref<8x8xf32> -> !tessera.token
  return
}

// -----

func.func @dma_result_not_token(%x: memref<8x8xf32>) {
  %0 = tessera.arena align 64 : memref<1024xi8>
  %a = tessera.buffer %0[0] : memref<1024xi8> to memref<8x8xf32>
  // expected-error@+1 {{'tessera.dma_load' op result #0 must be Completion token of an asynchronous DMA transfer, but got 'i32'}}
  %t = tessera.dma_load %x, %a async : memref<8x8xf32> to memref<8x8xf32> -> i32
  return
}

// -----

func.func @dma_dynamic_shape(%x: memref<?xf32>) {
  %0 = tessera.arena align 64 : memref<1024xi8>
  %a = tessera.buffer %0[0] : memref<1024xi8> to memref<8xf32>
  // expected-error@+1 {{'tessera.dma_load' op operand #0 must be statically shaped memref of any type values, but got 'memref<?xf32>'}}
  tessera.dma_load %x, %a : memref<?xf32> to memref<8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// tessera.wait
//===----------------------------------------------------------------------===//

func.func @wait_not_token(%x: i32) {
  // expected-error@+1 {{'tessera.wait' op operand #0 must be variadic of Completion token of an asynchronous DMA transfer, but got 'i32'}}
  "tessera.wait"(%x) : (i32) -> ()
  return
}

// -----

//===----------------------------------------------------------------------===//
// #tessera.target
//===----------------------------------------------------------------------===//

// expected-error@+1 {{'scratchpad' must be non-negative, got -1}}
func.func @target_negative_scratchpad() attributes {tessera.target = #tessera.target<kind = cpu, scratchpad = -1>}

// -----

// expected-error@+1 {{'vector_bits' must be non-negative, got -256}}
func.func @target_negative_vector_bits() attributes {tessera.target = #tessera.target<kind = cpu, vector_bits = -256>}

// -----

// expected-error@+1 {{'cores' must be non-negative, got -2}}
func.func @target_negative_cores() attributes {tessera.target = #tessera.target<kind = gpu, cores = -2>}

// -----

// expected-error@+1 {{'dsp' must be non-negative, got -1}}
func.func @target_negative_dsp() attributes {tessera.target = #tessera.target<kind = fpga, dsp = -1>}

// -----

// expected-error@+1 {{'bram' must be non-negative, got -1}}
func.func @target_negative_bram() attributes {tessera.target = #tessera.target<kind = fpga, bram = -1>}

// -----

// expected-error@+1 {{'alignment' must be a positive power of two, got 48}}
func.func @target_alignment_not_power_of_two() attributes {tessera.target = #tessera.target<kind = cpu, alignment = 48>}

// -----

// expected-error@+1 {{'alignment' must be a positive power of two, got 0}}
func.func @target_alignment_zero() attributes {tessera.target = #tessera.target<kind = cpu, alignment = 0>}

// -----

// expected-error@+1 {{'alignment' must be a positive power of two, got -64}}
func.func @target_alignment_negative() attributes {tessera.target = #tessera.target<kind = cpu, alignment = -64>}

// -----

// expected-error@+1 {{'scratchpad' (100 bytes) must be a multiple of 'alignment' (64)}}
func.func @target_scratchpad_not_multiple_of_alignment() attributes {tessera.target = #tessera.target<kind = cpu, scratchpad = 100>}

// -----

// expected-error@+1 {{'dsp' and 'bram' budgets apply to fpga targets only}}
func.func @target_dsp_on_cpu() attributes {tessera.target = #tessera.target<kind = cpu, dsp = 4>}

// -----

// expected-error@+1 {{'dsp' and 'bram' budgets apply to fpga targets only}}
func.func @target_bram_on_gpu() attributes {tessera.target = #tessera.target<kind = gpu, bram = 16>}

// -----

// expected-error@+2 {{expected ::mlir::tessera::TargetKind to be one of: cpu, gpu, fpga}}
// expected-error@+1 {{failed to parse Tessera_TargetAttr parameter 'kind'}}
func.func @target_unknown_kind() attributes {tessera.target = #tessera.target<kind = tpu>}

// -----

// expected-error@+1 {{struct is missing required parameter: kind}}
func.func @target_missing_kind() attributes {tessera.target = #tessera.target<scratchpad = 1024>}

// -----

//===----------------------------------------------------------------------===//
// #tessera.kernel_config
//===----------------------------------------------------------------------===//

// expected-error@+1 {{'loop_order' must name at least one loop}}
func.func @kernel_config_empty_loop_order() attributes {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = []>}

// -----

// expected-error@+1 {{'loop_order' repeats loop 1}}
func.func @kernel_config_loop_order_repeat() attributes {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [1, 0, 1]>}

// -----

// expected-error@+1 {{'loop_order' entry 3 is not a loop index in [0, 3)}}
func.func @kernel_config_loop_order_out_of_range() attributes {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0, 3, 1]>}

// -----

// expected-error@+1 {{'loop_order' entry -1 is not a loop index in [0, 2)}}
func.func @kernel_config_loop_order_negative() attributes {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [-1, 0]>}

// -----

// expected-error@+1 {{tile level 1 has 2 sizes but 'loop_order' has 3 loops}}
func.func @kernel_config_tile_level_too_short() attributes {tessera.kernel_config = #tessera.kernel_config<tiles = [[64, 64, 32], [8, 8]], loop_order = [0, 1, 2]>}

// -----

// expected-error@+1 {{tile level 0 has 4 sizes but 'loop_order' has 3 loops}}
func.func @kernel_config_tile_level_too_long() attributes {tessera.kernel_config = #tessera.kernel_config<tiles = [[64, 64, 32, 1]], loop_order = [0, 1, 2]>}

// -----

// expected-error@+1 {{tile level 0 must be an array of i64 integers, e.g. [64, 64]}}
func.func @kernel_config_tile_not_integer() attributes {tessera.kernel_config = #tessera.kernel_config<tiles = [[64, 2.5]], loop_order = [0, 1]>}

// -----

// expected-error@+1 {{tile level 1 must be an array of i64 integers, e.g. [64, 64]}}
func.func @kernel_config_tile_level_not_array() attributes {tessera.kernel_config = #tessera.kernel_config<tiles = [[64, 64], 8], loop_order = [0, 1]>}

// -----

// expected-error@+1 {{tile level 0 has a negative tile size}}
func.func @kernel_config_negative_tile() attributes {tessera.kernel_config = #tessera.kernel_config<tiles = [[64, -8]], loop_order = [0, 1]>}

// -----

// expected-error@+1 {{'vector_width' must be a positive power of two, got 3}}
func.func @kernel_config_vector_width_not_power_of_two() attributes {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0], vector_width = 3>}

// -----

// expected-error@+1 {{'vector_width' must be a positive power of two, got 0}}
func.func @kernel_config_vector_width_zero() attributes {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0], vector_width = 0>}

// -----

// expected-error@+1 {{'unroll' must be positive, got 0}}
func.func @kernel_config_unroll_zero() attributes {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0], unroll = 0>}

// -----

// expected-error@+1 {{'unroll' must be positive, got -2}}
func.func @kernel_config_unroll_negative() attributes {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0], unroll = -2>}

// -----

// expected-error@+1 {{'parallel_dims' entry 2 is not a loop index in [0, 2)}}
func.func @kernel_config_parallel_dims_out_of_range() attributes {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0, 1], parallel_dims = [2]>}

// -----

// expected-error@+1 {{'parallel_dims' repeats loop 0}}
func.func @kernel_config_parallel_dims_repeat() attributes {tessera.kernel_config = #tessera.kernel_config<tiles = [], loop_order = [0, 1], parallel_dims = [0, 0]>}

// -----

// expected-error@+1 {{struct is missing required parameter: loop_order}}
func.func @kernel_config_missing_loop_order() attributes {tessera.kernel_config = #tessera.kernel_config<tiles = [[8]]>}

// -----

//===----------------------------------------------------------------------===//
// #tessera.cost
//===----------------------------------------------------------------------===//

// expected-error@+1 {{'latency_us' must be a non-negative number, got -1.000000e+00}}
func.func @cost_negative_latency() attributes {tessera.cost = #tessera.cost<latency_us = -1.0, source = "xgb-cpu-v1">}

// -----

// expected-error@+1 {{'latency_us' must be a non-negative number, got nan}}
func.func @cost_nan_latency() attributes {tessera.cost = #tessera.cost<latency_us = 0x7FF8000000000000, source = "xgb-cpu-v1">}

// -----

// expected-error@+1 {{'source' must name the model of the prediction}}
func.func @cost_empty_source() attributes {tessera.cost = #tessera.cost<latency_us = 1.0, source = "">}

// -----

// expected-error@+3 {{unexpected decimal integer literal for a floating point value}}
// expected-note@+2 {{add a trailing dot to make the literal a float}}
// expected-error@+1 {{failed to parse Tessera_CostAttr parameter 'latency_us'}}
func.func @cost_integer_latency() attributes {tessera.cost = #tessera.cost<latency_us = 3, source = "analytical">}

// -----

func.func @buffer_offset_overflow() {
  %0 = tessera.arena align 64 : memref<256xi8>
  // expected-error@+1 {{'tessera.buffer' op buffer of 64 bytes at offset 9223372036854775744 does not fit in the arena of 256 bytes}}
  %1 = tessera.buffer %0[9223372036854775744] : memref<256xi8> to memref<16xf32>
  return
}

// -----

func.func @buffer_memory_space(%arena: memref<256xi8>) {
  // expected-error@+1 {{'tessera.buffer' op buffer memory space 3 : i64 differs from the arena's}}
  %1 = tessera.buffer %arena[0] : memref<256xi8> to memref<8xf32, 3>
  return
}

// -----

func.func @arena_dynamic() {
  // expected-error@+1 {{'tessera.arena' op result #0 must be statically sized 1-D memref of i8 with an identity layout, but got 'memref<?xi8>'}}
  %0 = tessera.arena align 64 : memref<?xi8>
  return
}

// -----

// expected-error@+1 {{tile level 0 must be an array of i64 integers, e.g. [64, 64]}}
func.func @tile_unsigned() attributes {k = #tessera.kernel_config<tiles = [[4294967295 : ui32]], loop_order = [0]>} {
  return
}
