// dlib shim: HOG frontal face detector and 68-point shape predictor behind a
// C interface (shim.h). Images are read in place from the caller's BGR buffer
// through a zero-copy dlib generic-image view.
#include "shim.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <vector>

#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>
#include <dlib/serialize.h>

#include "fast_predictor.h"

// bgr_view exposes occ_image to dlib's generic image interface, so the
// detector and the predictor read the cv::Mat memory directly. The interface
// functions live in the view's own namespace, where dlib's templates find them
// by argument-dependent lookup.
namespace occfer {
struct bgr_view {
	occ_image im;
};
inline long num_rows(const bgr_view &v) { return v.im.rows; }
inline long num_columns(const bgr_view &v) { return v.im.cols; }
inline void *image_data(bgr_view &v) { return const_cast<unsigned char *>(v.im.data); }
inline const void *image_data(const bgr_view &v) { return v.im.data; }
inline long width_step(const bgr_view &v) { return v.im.step; }
}  // namespace occfer

namespace dlib {
template <> struct image_traits<occfer::bgr_view> {
	typedef bgr_pixel pixel_type;
};
}  // namespace dlib

namespace {

using occfer::bgr_view;

// One detector per Go worker: object_detector keeps scratch state in its
// scanner, so it must not be shared; each handle also owns the buffers of
// the upsampled image and the detection list so steady-state calls do not
// allocate.
struct detector_handle {
	dlib::frontal_face_detector det;
	dlib::array2d<dlib::bgr_pixel> up;
	std::vector<dlib::rect_detection> dets;
};

char *dup_msg(const char *prefix, const char *what) {
	size_t n = std::strlen(prefix) + std::strlen(what) + 1;
	char *s = static_cast<char *>(std::malloc(n));
	if (s) {
		std::strcpy(s, prefix);
		std::strcat(s, what);
	}
	return s;
}

// The embedded detector model is deserialized once; workers copy it, which
// is much cheaper than decoding it again.
const dlib::frontal_face_detector &prototype() {
	static const dlib::frontal_face_detector proto = dlib::get_frontal_face_detector();
	return proto;
}

// The hot paths are compiled twice, for AVX2 and for the baseline x86-64 ISA,
// and picked once at load time by the CPU (GCC function multiversioning with
// an ifunc resolver), so the library never needs AVX2 but uses it where it
// exists. flatten inlines the whole call tree (dlib's templates included) into
// each clone, so the clone's ISA reaches the inner loops. FMA is deliberately
// not enabled: contracting a*b+c changes rounding, and the predictor must give
// exactly dlib's results (TestFastPredictorMatchesDlib); the detector keeps
// the scores and boxes of the baseline build.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define OCC_MULTIVERSION __attribute__((target_clones("avx2", "default"), flatten))
#else
#define OCC_MULTIVERSION
#endif

OCC_MULTIVERSION
void predict_bgr(const occfer::fast_predictor &p, const bgr_view *v, const dlib::rectangle *r, long n,
                 const double *init, const unsigned char *has_init, double *out) {
	p.predict_batch(v, r, n, init, has_init, out);
}

OCC_MULTIVERSION
void detect_bgr(detector_handle &h, const bgr_view &v, int upsample, double adjust_threshold) {
	dlib::pyramid_down<2> pyr;
	h.dets.clear();
	if (upsample <= 0) {
		h.det(v, h.dets, adjust_threshold);
	} else {
		// Same scheme as dlib's Python binding: enlarge, detect, map back.
		dlib::pyramid_up(v, h.up, pyr);
		for (int i = 1; i < upsample; i++) dlib::pyramid_up(h.up, pyr);
		h.det(h.up, h.dets, adjust_threshold);
		for (auto &d : h.dets) d.rect = pyr.rect_down(d.rect, upsample);
	}
}

}  // namespace

extern "C" {

void *occ_predictor_load(const char *path, char **err) {
	try {
		auto *sp = new occfer::fast_predictor();
		try {
			sp->load(path);
		} catch (...) {
			delete sp;
			throw;
		}
		if (sp->num_parts() != 68) {
			size_t n = sp->num_parts();
			delete sp;
			*err = dup_msg("model is not a 68-point predictor, parts: ",
			               std::to_string(n).c_str());
			return nullptr;
		}
		return sp;
	} catch (const std::exception &e) {
		*err = dup_msg("", e.what());
	} catch (...) {
		*err = dup_msg("", "unknown C++ exception");
	}
	return nullptr;
}

void occ_predictor_free(void *sp) { delete static_cast<occfer::fast_predictor *>(sp); }

void *occ_detector_new(char **err) {
	try {
		auto *h = new detector_handle();
		h->det = prototype();
		return h;
	} catch (const std::exception &e) {
		*err = dup_msg("", e.what());
	} catch (...) {
		*err = dup_msg("", "unknown C++ exception");
	}
	return nullptr;
}

void occ_detector_free(void *det) { delete static_cast<detector_handle *>(det); }

int occ_detect(void *det, occ_image img, int upsample, double adjust_threshold,
               occ_det *out, int max_out, int *found, char **err) {
	try {
		auto *h = static_cast<detector_handle *>(det);
		bgr_view v{img};
		detect_bgr(*h, v, upsample, adjust_threshold);
		*found = static_cast<int>(h->dets.size());
		for (int i = 0; i < *found && i < max_out; i++) {
			const auto &d = h->dets[i];
			out[i] = occ_det{d.rect.left(), d.rect.top(), d.rect.right(), d.rect.bottom(),
			                 d.detection_confidence};
		}
		return 0;
	} catch (const std::exception &e) {
		*err = dup_msg("", e.what());
	} catch (...) {
		*err = dup_msg("", "unknown C++ exception");
	}
	return -1;
}

int occ_predict_batch(void *sp, const occ_image *imgs, const long *boxes, int n, const double *init,
                      const unsigned char *has_init, double *out, char **err) {
	try {
		const auto *p = static_cast<const occfer::fast_predictor *>(sp);
		std::vector<bgr_view> views;
		std::vector<dlib::rectangle> rects;
		views.reserve(n);
		rects.reserve(n);
		for (int i = 0; i < n; i++) {
			views.push_back(bgr_view{imgs[i]});
			const long *b = boxes + 4 * i;
			rects.emplace_back(b[0], b[1], b[2], b[3]);
		}
		predict_bgr(*p, views.data(), rects.data(), n, init, has_init, out);
		return 0;
	} catch (const std::exception &e) {
		*err = dup_msg("", e.what());
	} catch (...) {
		*err = dup_msg("", "unknown C++ exception");
	}
	return -1;
}

int occ_reference_predict(const char *path, occ_image img, const long *boxes, int n, double *out,
                          char **err) {
	try {
		dlib::shape_predictor sp;
		dlib::deserialize(path) >> sp;
		bgr_view v{img};
		for (int b = 0; b < n; b++) {
			const long *r = boxes + 4 * b;
			dlib::full_object_detection s = sp(v, dlib::rectangle(r[0], r[1], r[2], r[3]));
			for (unsigned long i = 0; i < s.num_parts(); i++) {
				out[136 * b + 2 * i] = s.part(i).x();
				out[136 * b + 2 * i + 1] = s.part(i).y();
			}
		}
		return 0;
	} catch (const std::exception &e) {
		*err = dup_msg("", e.what());
	} catch (...) {
		*err = dup_msg("", "unknown C++ exception");
	}
	return -1;
}

}  // extern "C"
