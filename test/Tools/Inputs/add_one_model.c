/*===- add_one_model.c - A hand-written model library for tessera-run -----===*
 *
 * Implements the ABI of tessera-c/Runtime.h for y = x + 1 on float32 2x3.
 * For error tests, -DADD_ONE_COLS=N makes the tensors 2xN,
 * -DADD_ONE_ABI_VERSION=N exports another ABI version and -DADD_ONE_STATUS=N
 * makes tessera_model_run return N.
 *
 *===----------------------------------------------------------------------===*/

#include "tessera-c/Runtime.h"

#ifndef ADD_ONE_COLS
#define ADD_ONE_COLS 3
#endif
#ifndef ADD_ONE_ABI_VERSION
#define ADD_ONE_ABI_VERSION TESSERA_ABI_VERSION
#endif
#ifndef ADD_ONE_STATUS
#define ADD_ONE_STATUS 0
#endif

static const int64_t shape[] = {2, ADD_ONE_COLS};
static const tessera_tensor_info input = {"x", TESSERA_DTYPE_FLOAT, 2, shape};
static const tessera_tensor_info output = {"y", TESSERA_DTYPE_FLOAT, 2, shape};
static const tessera_signature signature = {
    ADD_ONE_ABI_VERSION, "add_one", 1, &input, 1, &output};

const tessera_signature *tessera_model_signature(void) { return &signature; }

int tessera_model_run(const void *const *inputs, void *const *outputs) {
  const float *x = (const float *)inputs[0];
  float *y = (float *)outputs[0];
  for (int i = 0; i < 2 * ADD_ONE_COLS; ++i)
    y[i] = x[i] + 1.0f;
  return ADD_ONE_STATUS;
}
