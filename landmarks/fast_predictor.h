// fast_predictor: dlib's 68-point shape_predictor evaluated from a flattened
// copy of its model. dlib keeps every tree's splits and every leaf vector in
// separate heap blocks and walks tree after tree, waiting on each cache miss;
// on the 2-core build machine that made one prediction take ~10 ms. Here the
// model sits in two contiguous arrays, all trees of a cascade level are
// walked first (independent walks whose cache misses overlap), and the leaf
// vectors are then added in dlib's order with prefetching. Faces can be
// predicted in batches that share the leaf reads (predict_batch). The
// additions are the same floats in the same order, so results equal dlib's
// exactly (TestFastPredictorMatchesDlib), before the rounding dlib applies,
// and a face's result does not depend on its batch
// (TestPredictBatchMatchesSingle).
#ifndef OCCFER_LANDMARKS_FAST_PREDICTOR_H
#define OCCFER_LANDMARKS_FAST_PREDICTOR_H

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <dlib/image_processing.h>

namespace occfer {

struct flat_split {
	uint32_t idx1, idx2;
	float thresh;
};

class fast_predictor {
   public:
	// load reads a serialized dlib::shape_predictor (same field order as
	// dlib's deserialize for shape_predictor, version 1).
	void load(const std::string &path) {
		std::ifstream in(path, std::ios::binary);
		if (!in) throw dlib::serialization_error("cannot open " + path);
		int version = 0;
		dlib::deserialize(version, in);
		if (version != 1) throw dlib::serialization_error("unexpected shape_predictor version");
		std::vector<std::vector<dlib::impl::regression_tree>> forests;
		dlib::deserialize(initial_shape_, in);
		dlib::deserialize(forests, in);
		dlib::deserialize(anchor_idx_, in);
		dlib::deserialize(deltas_, in);
		if (forests.empty() || forests[0].empty() || anchor_idx_.size() != forests.size() ||
		    deltas_.size() != forests.size())
			throw dlib::serialization_error("malformed shape_predictor");
		levels_ = forests.size();
		trees_ = forests[0].size();
		nsplits_ = forests[0][0].splits.size();
		nleaves_ = forests[0][0].leaf_values.size();
		dim_ = initial_shape_.size();
		if (nleaves_ != nsplits_ + 1) throw dlib::serialization_error("tree is not complete");
		splits_.reserve(levels_ * trees_ * nsplits_);
		leaves_.reserve(levels_ * trees_ * nleaves_ * dim_);
		for (long lv = 0; lv < levels_; ++lv) {
			const auto &f = forests[lv];
			if ((long)f.size() != trees_) throw dlib::serialization_error("uneven forests");
			const unsigned long features = anchor_idx_[lv].size();
			for (const auto &t : f) {
				if ((long)t.splits.size() != nsplits_ || (long)t.leaf_values.size() != nleaves_)
					throw dlib::serialization_error("uneven trees");
				for (const auto &s : t.splits) {
					if (s.idx1 >= features || s.idx2 >= features)
						throw dlib::serialization_error("split feature index out of range");
					splits_.push_back(flat_split{(uint32_t)s.idx1, (uint32_t)s.idx2, s.thresh});
				}
				for (const auto &l : t.leaf_values) {
					if (l.size() != dim_) throw dlib::serialization_error("leaf size mismatch");
					leaves_.insert(leaves_.end(), &l(0), &l(0) + dim_);
				}
			}
		}
	}

	unsigned long num_parts() const { return dim_ / 2; }

	// predict_batch mirrors dlib::shape_predictor::operator() (dlib 19.24)
	// for n faces (face i: box rects[i] in image imgs[i]) and writes each
	// face's 2*num_parts() coordinates to out + i*2*num_parts(). Unlike dlib,
	// which rounds them into integer points, it keeps them sub-pixel: on a
	// 100 px aligned crop one pixel is ~3 % of the inter-ocular distance.
	// Rounded half up they are dlib's points.
	//
	// init, when not null, holds a starting shape per face (2*num_parts()
	// image coordinates at init + i*2*num_parts()) used instead of the model's
	// mean shape for the faces whose has_init[i] is set: the cascade was
	// trained from starting shapes that are blends of other training shapes
	// (dlib's shape_predictor_trainer oversampling), so a start near the face's
	// pose is one it knows how to refine.
	//
	// Why batches: a face reads 7,500 leaf vectors of 544 bytes at random from
	// a 65 MB table, so one prediction waits mostly on memory. A tree has only
	// 16 leaves, so faces predicted together share them: leaves are added a
	// tile of trees at a time (the tile's leaves, ~280 KB, stay in L2) for
	// every face of the batch, instead of one face at a time across the whole
	// table. Each face still gets its leaves added in tree order, so its
	// floats, and its result, are the same as when predicted alone.
	template <typename image_type>
	void predict_batch(const image_type *imgs, const dlib::rectangle *rects, long n, const double *init,
	                   const unsigned char *has_init, double *out) const {
		using namespace dlib::impl;
		std::vector<dlib::matrix<float, 0, 1>> shapes(n, initial_shape_);
		for (long f = 0; init != nullptr && f < n; ++f) {
			if (!has_init[f]) continue;
			const dlib::point_transform_affine to_box = normalizing_tform(rects[f]);
			const double *in = init + f * dim_;
			for (long i = 0; i < dim_ / 2; ++i) {
				const dlib::dpoint p = to_box(dlib::dpoint(in[2 * i], in[2 * i + 1]));
				shapes[f](2 * i) = p.x();
				shapes[f](2 * i + 1) = p.y();
			}
		}
		std::vector<float> fpv;
		std::vector<uint32_t> leaf(n * trees_);  // [face][tree]: index of the leaf reached
		for (long lv = 0; lv < levels_; ++lv) {
			const flat_split *sp = &splits_[lv * trees_ * nsplits_];
			for (long f = 0; f < n; ++f) {
				extract_feature_pixel_values(imgs[f], rects[f], shapes[f], initial_shape_, anchor_idx_[lv],
				                             deltas_[lv], fpv);
				uint32_t *lf = &leaf[f * trees_];
				for (long t = 0; t < trees_; ++t) {
					const flat_split *s = sp + t * nsplits_;
					long i = 0;
					while (i < nsplits_) i = (fpv[s[i].idx1] - fpv[s[i].idx2] > s[i].thresh) ? 2 * i + 1 : 2 * i + 2;
					lf[t] = i - nsplits_;
				}
			}
			const float *lvs = &leaves_[lv * trees_ * nleaves_ * dim_];
			for (long t0 = 0; t0 < trees_; t0 += tile_trees) {
				const long t1 = std::min(trees_, t0 + tile_trees);
				for (long f = 0; f < n; ++f) add_leaves(lvs, &leaf[f * trees_], t0, t1, &shapes[f](0));
			}
		}
		for (long f = 0; f < n; ++f) {
			const dlib::point_transform_affine tform_to_img = unnormalizing_tform(rects[f]);
			double *o = out + f * dim_;
			for (long i = 0; i < dim_ / 2; ++i) {
				const dlib::dpoint p = tform_to_img(location(shapes[f], i));
				o[2 * i] = p.x();
				o[2 * i + 1] = p.y();
			}
		}
	}

   private:
	// tile_trees trees' leaves (32 x 16 x 544 bytes = 278 KB) fit in the
	// per-core L2 of the build machine (1 MB) with room for the shapes.
	static constexpr long tile_trees = 32;
	static constexpr long prefetch_ahead = 4;

	// add_leaves adds the leaves that one face reached in trees [t0, t1) of a
	// level to its shape cur, in tree order, prefetching a few trees ahead,
	// across the tile's end too (a face predicted alone finds none of its
	// leaves in the cache).
	void add_leaves(const float *lvs, const uint32_t *leaf, long t0, long t1, float *__restrict cur) const {
		for (long t = t0; t < t1; ++t) {
			if (t + prefetch_ahead < trees_) {
				const char *p = (const char *)(lvs + ((t + prefetch_ahead) * nleaves_ + leaf[t + prefetch_ahead]) * dim_);
				for (long b = 0; b < dim_ * (long)sizeof(float); b += 64) __builtin_prefetch(p + b);
			}
			// __restrict: cur never aliases the leaves, which lets the add vectorize.
			const float *__restrict l = lvs + (t * nleaves_ + leaf[t]) * dim_;
			for (long k = 0; k < dim_; ++k) cur[k] += l[k];
		}
	}

	dlib::matrix<float, 0, 1> initial_shape_;
	std::vector<std::vector<unsigned long>> anchor_idx_;
	std::vector<std::vector<dlib::vector<float, 2>>> deltas_;
	long levels_ = 0, trees_ = 0, nsplits_ = 0, nleaves_ = 0, dim_ = 0;
	std::vector<flat_split> splits_;  // [level][tree][split]
	std::vector<float> leaves_;       // [level][tree][leaf][dim]
};

}  // namespace occfer

#endif
