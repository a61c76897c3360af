// Package freelist keeps idle copies of a resource that is expensive to make and not safe
// for concurrent use (an OpenCV DNN net, a cascade classifier, a dlib HOG detector): each
// concurrent caller borrows its own copy, so the list grows to the peak concurrency and no
// further. Pure Go.
package freelist

import "sync"

// List is a free list of T. Get, Put and Close are safe for concurrent use.
type List[T any] struct {
	make func() (T, error) // a new copy
	free func(T)           // releases a copy (nil: nothing to release)

	mu   sync.Mutex
	idle []T
	all  []T // every copy made, for Close
}

// New is an empty list that makes copies with make and releases them with free.
func New[T any](make func() (T, error), free func(T)) *List[T] {
	return &List[T]{make: make, free: free}
}

// Get returns an idle copy, or a new one (make's error, as is, when that fails).
func (l *List[T]) Get() (T, error) {
	l.mu.Lock()
	if n := len(l.idle); n > 0 {
		v := l.idle[n-1]
		l.idle = l.idle[:n-1]
		l.mu.Unlock()
		return v, nil
	}
	l.mu.Unlock()
	v, err := l.make()
	if err != nil {
		return v, err
	}
	l.mu.Lock()
	l.all = append(l.all, v)
	l.mu.Unlock()
	return v, nil
}

// Put returns a copy got from Get.
func (l *List[T]) Put(v T) {
	l.mu.Lock()
	l.idle = append(l.idle, v)
	l.mu.Unlock()
}

// Close releases every copy made, idle or not: callers must have put back what they got,
// and must not use the list after.
func (l *List[T]) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.free != nil {
		for _, v := range l.all {
			l.free(v)
		}
	}
	l.all, l.idle = nil, nil
}
