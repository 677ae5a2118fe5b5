// The C++ side of a ct_tensor handle, for the project's sibling shims (CTorchDistributed) that take
// tensors made here. Private to the shims: Swift sees only the opaque pointer of ctorch.h.
#ifndef CTORCH_HANDLES_HPP
#define CTORCH_HANDLES_HPP

#include <ATen/ATen.h>

struct ct_tensor_s {
  at::Tensor t;
};

#endif
