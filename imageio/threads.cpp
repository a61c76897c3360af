#include <opencv2/core/utility.hpp>

#include "threads.h"

int occ_cv_set_threads(int n) {
	int prev = cv::getNumThreads();
	cv::setNumThreads(n);
	return prev;
}
