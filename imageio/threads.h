#ifndef OCCFER_IMAGEIO_THREADS_H
#define OCCFER_IMAGEIO_THREADS_H
#ifdef __cplusplus
extern "C" {
#endif
int occ_cv_set_threads(int n);
#ifdef __cplusplus
}
#endif
#endif
