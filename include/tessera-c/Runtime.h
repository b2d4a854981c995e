/*===- tessera-c/Runtime.h - ABI of a compiled Tessera model -------*- C -*-===*
 *
 * A model compiled by `tessera-compile --emit=lib` is a shared library that
 * exports the two C functions below. Tensors are dense, row-major and owned
 * by the caller; element types use ONNX's TensorProto.DataType numbers.
 *
 *   const tessera_signature *sig = tessera_model_signature();
 *   void *inputs[]  = {x};        // sig->inputs[i]:  shape, dtype
 *   void *outputs[] = {y};        // sig->outputs[i]: caller-allocated
 *   int rc = tessera_model_run((const void *const *)inputs, outputs);
 *
 * The ABI is versioned by TESSERA_ABI_VERSION; a loader must refuse a
 * library whose `abi_version` differs.
 *
 * The functions of the Tessera runtime library (libTesseraRuntime) that load
 * such a library and read and write tensor files are declared at the end.
 *
 *===----------------------------------------------------------------------===*/

#ifndef TESSERA_C_RUNTIME_H
#define TESSERA_C_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TESSERA_ABI_VERSION 1

/* Element types: the numbers of ONNX's TensorProto.DataType. */
typedef enum tessera_dtype {
  TESSERA_DTYPE_FLOAT = 1,
  TESSERA_DTYPE_UINT8 = 2,
  TESSERA_DTYPE_INT8 = 3,
  TESSERA_DTYPE_UINT16 = 4,
  TESSERA_DTYPE_INT16 = 5,
  TESSERA_DTYPE_INT32 = 6,
  TESSERA_DTYPE_INT64 = 7,
  TESSERA_DTYPE_BOOL = 9,
  TESSERA_DTYPE_FLOAT16 = 10,
  TESSERA_DTYPE_DOUBLE = 11,
  TESSERA_DTYPE_UINT32 = 12,
  TESSERA_DTYPE_UINT64 = 13
} tessera_dtype;

/* One input or output of a model. */
typedef struct tessera_tensor_info {
  const char *name; /* the ONNX graph's name for the tensor */
  int32_t dtype;    /* a tessera_dtype */
  int32_t rank;
  const int64_t *shape; /* `rank` static dimensions */
} tessera_tensor_info;

/* The signature of a compiled model. */
typedef struct tessera_signature {
  int32_t abi_version; /* TESSERA_ABI_VERSION of the compiler */
  const char *model_name;
  int32_t num_inputs;
  const tessera_tensor_info *inputs;
  int32_t num_outputs;
  const tessera_tensor_info *outputs;
} tessera_signature;

/* Exported by every compiled model. */
const tessera_signature *tessera_model_signature(void);
/* Runs the model once; returns 0 on success. Inputs are read, outputs
 * written; no buffer is retained after the call. Thread-safe. */
int tessera_model_run(const void *const *inputs, void *const *outputs);

/* Bytes of one element of `dtype`, or 0 for an unknown dtype. */
size_t tessera_dtype_size(int32_t dtype);
/* Name of `dtype` ("float32", "int64", ...), or "unknown". */
const char *tessera_dtype_name(int32_t dtype);
/* Number of elements of a tensor. */
int64_t tessera_num_elements(const tessera_tensor_info *info);

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_C_RUNTIME_H */
