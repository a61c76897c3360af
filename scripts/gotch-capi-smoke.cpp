// Used by scripts/gotch-capi-check.sh. Links torch_api.o (gotch's C API, prepared by scripts/prepare-gotch.sh) and
// runs a few ops on cuda:0 through it: checks the ABI, rpath and that CUDA registered.
// The C API is declared by hand: torch_api.h defines torch_last_err, which
// torch_api.o already holds.
#include <cstdint>
#include <cstdio>
extern "C" {
typedef void *tensor;
char *get_and_reset_last_err();
int atc_cuda_device_count();
int atc_cuda_is_available();
int at_device(tensor);
double at_double_value_at_indexes(tensor, int64_t *indexes, int indexes_len);
void atg_randn(tensor *, int64_t *size_data, int size_len, int options_kind, int options_device);
void atg_conv2d(tensor *, tensor input, tensor weight, tensor bias, int64_t *stride_data, int stride_len, int64_t *padding_data, int padding_len, int64_t *dilation_data, int dilation_len, int64_t groups);
void atg_relu(tensor *, tensor self);
void atg_sum(tensor *, tensor self, int dtype);
void atg_empty_permuted(tensor *, int64_t *size_data, int size_len, int64_t *physical_layout_data, int physical_layout_len, int options_kind, int options_device);
}
static int check(const char *what) {
  char *e = get_and_reset_last_err();
  if (e) { printf("FAIL %s: %.300s\n", what, e); return 1; }
  printf("ok   %s\n", what);
  return 0;
}
int main() {
  int n = atc_cuda_device_count();
  printf("cuda available %d, devices %d\n", atc_cuda_is_available(), n);
  int dev = n > 0 ? 0 : -1;
  int bad = 0;
  tensor x[1], w[1], y[1], r[1], s[1];
  int64_t xd[4] = {2, 3, 32, 32}, wd[4] = {8, 3, 3, 3};
  atg_randn(x, xd, 4, 6, dev); bad += check("randn");
  atg_randn(w, wd, 4, 6, dev); bad += check("randn w");
  int64_t st[2] = {1, 1}, pd[2] = {1, 1}, dl[2] = {1, 1};
  atg_conv2d(y, x[0], w[0], nullptr, st, 2, pd, 2, dl, 2, 1); bad += check("conv2d (cuDNN on cuda)");
  atg_relu(r, y[0]); bad += check("relu");
  atg_sum(s, r[0], 6); bad += check("sum");
  printf("device of result %d, sum %.4f\n", at_device(s[0]), at_double_value_at_indexes(s[0], nullptr, 0));
  bad += check("value");
  tensor p[1]; int64_t pdims[2] = {2, 3}, layout[2] = {1, 0};
  atg_empty_permuted(p, pdims, 2, layout, 2, 6, dev);
  char *e = get_and_reset_last_err();
  printf("empty_permuted: %s\n", e ? e : "ran (compiled against this libtorch)");
  return bad;
}
