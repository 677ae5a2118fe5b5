// Exercises the CTorch shim on a CUDA libtorch: devices, ops, autograd with double backward, and
// agreement with the same computation on the CPU. Built and run by scripts/device/check-cuda.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctorch.h"

static int failures = 0;
#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL: " __VA_ARGS__); printf(" (%s)\n", ct_last_error()); failures++; } } while (0)

static double max_abs(ct_tensor a) {
  return ct_item_double(ct_reduce(CT_AMAX, ct_unary(CT_ABS, ct_to(a, CT_FLOAT64, -1)), NULL, 0, false));
}

static double max_abs_diff(ct_tensor a, ct_tensor b) {
  ct_tensor ac = ct_to(a, CT_FLOAT64, -1), bc = ct_to(b, CT_FLOAT64, -1);
  ct_tensor d = ct_unary(CT_ABS, ct_binary(CT_SUB, ac, bc));
  ct_tensor m = ct_reduce(CT_AMAX, d, NULL, 0, false);
  return ct_item_double(m);
}

// Gradient penalty of a tiny conv critic: ||d/dx sum(conv(x, w))||, then d(penalty)/dw.
static ct_tensor penalty_grad(int device, ct_tensor x_cpu, ct_tensor w_cpu) {
  ct_tensor x = ct_detach(ct_to(x_cpu, CT_FLOAT32, device)), w = ct_detach(ct_to(w_cpu, CT_FLOAT32, device));
  ct_set_requires_grad(x, true);
  ct_set_requires_grad(w, true);
  int64_t one[2] = {1, 1}, pad[2] = {1, 1};
  ct_tensor y = ct_leaky_relu(ct_conv2d(x, w, NULL, one, pad, one, 1), 0.2);
  ct_tensor s = ct_reduce(CT_SUM, ct_unary(CT_SQUARE, y), NULL, 0, false);
  ct_tensor outs[1] = {s}, ins[1] = {x}, g[1];
  CHECK(ct_autograd_grad(outs, 1, NULL, ins, 1, true, true, false, g) == 0, "grad with create_graph on device %d", device);
  int64_t dims[3] = {1, 2, 3};
  ct_tensor norm = ct_norm(g[0], 2, dims, 3, false);
  ct_tensor penalty = ct_reduce(CT_SUM, ct_unary(CT_SQUARE, ct_binary_scalar(CT_SUB, norm, 1.0)), NULL, 0, false);
  CHECK(ct_backward(penalty, NULL, false, false) == 0, "double backward on device %d", device);
  return ct_grad(w);
}

int main(void) {
  printf("libtorch %s, CUDA available %d, devices %d, threads %d\n", ct_version(), ct_cuda_is_available(),
         ct_cuda_device_count(), ct_num_threads());
  CHECK(ct_cuda_is_available(), "CUDA must be available (torch_cuda kept by --no-as-needed)");
  if (!ct_cuda_is_available()) return 1;

  ct_generator gen = ct_generator_new(42);
  int64_t shape[4] = {4, 3, 16, 16}, wshape[4] = {5, 3, 3, 3};
  ct_tensor x = ct_randn(shape, 4, CT_FLOAT32, -1, gen), w = ct_randn(wshape, 4, CT_FLOAT32, -1, gen);
  ct_generator_set_seed(gen, 7);
  ct_tensor on_gpu = ct_randn(shape, 4, CT_FLOAT32, 0, gen);
  ct_generator_set_seed(gen, 7);
  ct_tensor on_cpu = ct_randn(shape, 4, CT_FLOAT32, -1, gen);
  CHECK(ct_device_of(on_gpu) == 0, "randn on cuda:0 lives on device %d", ct_device_of(on_gpu));
  CHECK(max_abs_diff(on_gpu, on_cpu) == 0, "a seed gives the same numbers on CPU and GPU");

  int64_t one[2] = {1, 1}, pad[2] = {1, 1};
  ct_tensor y_cpu = ct_conv2d(x, w, NULL, one, pad, one, 1);
  ct_tensor y_gpu = ct_conv2d(ct_to(x, CT_FLOAT32, 0), ct_to(w, CT_FLOAT32, 0), NULL, one, pad, one, 1);
  double conv_diff = max_abs_diff(y_cpu, y_gpu);
  CHECK(conv_diff < 1e-3, "conv2d CPU vs GPU differ by %g", conv_diff);

  int64_t msize[2] = {512, 512};
  ct_tensor a = ct_randn(msize, 2, CT_FLOAT32, 0, gen);
  ct_tensor p = ct_matmul(a, a);
  CHECK(p != NULL && ct_device_of(p) == 0, "matmul on GPU");

  ct_tensor g_cpu = penalty_grad(-1, x, w), g_gpu = penalty_grad(0, x, w);
  double gp_diff = g_cpu && g_gpu ? max_abs_diff(g_cpu, g_gpu) / max_abs(g_cpu) : NAN;
  CHECK(gp_diff < 1e-4, "gradient-penalty gradient CPU vs GPU differ by %g relative", gp_diff);

  ct_tensor bad = ct_matmul(ct_to(x, CT_FLOAT32, 0), a);
  CHECK(bad == NULL, "a shape mismatch on the GPU must fail, not crash");
  printf("shape-mismatch message: %.120s\n", ct_last_error());

  printf("conv2d max |CPU-GPU| %.3g; gradient-penalty gradient max |CPU-GPU| / max |CPU| %.3g (max |CPU| %.4g)\n",
         conv_diff, gp_diff, max_abs(g_cpu));
  printf("%d failures\n", failures);
  return failures ? 1 : 0;
}
