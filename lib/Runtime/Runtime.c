/*===- Runtime.c - Helpers of the Tessera model ABI -------------*- C -*-===*/

#include "tessera-c/Runtime.h"

size_t tessera_dtype_size(int32_t dtype) {
  switch (dtype) {
  case TESSERA_DTYPE_UINT8:
  case TESSERA_DTYPE_INT8:
  case TESSERA_DTYPE_BOOL:
    return 1;
  case TESSERA_DTYPE_UINT16:
  case TESSERA_DTYPE_INT16:
  case TESSERA_DTYPE_FLOAT16:
    return 2;
  case TESSERA_DTYPE_FLOAT:
  case TESSERA_DTYPE_INT32:
  case TESSERA_DTYPE_UINT32:
    return 4;
  case TESSERA_DTYPE_INT64:
  case TESSERA_DTYPE_DOUBLE:
  case TESSERA_DTYPE_UINT64:
    return 8;
  default:
    return 0;
  }
}

const char *tessera_dtype_name(int32_t dtype) {
  switch (dtype) {
  case TESSERA_DTYPE_FLOAT:
    return "float32";
  case TESSERA_DTYPE_UINT8:
    return "uint8";
  case TESSERA_DTYPE_INT8:
    return "int8";
  case TESSERA_DTYPE_UINT16:
    return "uint16";
  case TESSERA_DTYPE_INT16:
    return "int16";
  case TESSERA_DTYPE_INT32:
    return "int32";
  case TESSERA_DTYPE_INT64:
    return "int64";
  case TESSERA_DTYPE_BOOL:
    return "bool";
  case TESSERA_DTYPE_FLOAT16:
    return "float16";
  case TESSERA_DTYPE_DOUBLE:
    return "float64";
  case TESSERA_DTYPE_UINT32:
    return "uint32";
  case TESSERA_DTYPE_UINT64:
    return "uint64";
  default:
    return "unknown";
  }
}

int64_t tessera_num_elements(const tessera_tensor_info *info) {
  if (!info)
    return 0;
  int64_t count = 1;
  for (int32_t i = 0; i < info->rank; ++i)
    count *= info->shape[i];
  return count;
}
