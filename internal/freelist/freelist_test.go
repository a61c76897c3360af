package freelist

import (
	"errors"
	"sync"
	"testing"
)

// TestReuseAndClose: copies are reused once put back, the list grows only to the number of
// copies out at once, and Close releases each copy made exactly once.
func TestReuseAndClose(t *testing.T) {
	made := 0
	freed := map[int]int{}
	l := New(func() (int, error) { made++; return made, nil }, func(v int) { freed[v]++ })
	a, _ := l.Get()
	b, _ := l.Get()
	if a == b || made != 2 {
		t.Fatalf("two copies out at once: got %d and %d, %d made", a, b, made)
	}
	l.Put(b)
	if c, _ := l.Get(); c != b || made != 2 {
		t.Fatalf("after a put, Get made a new copy (%d, %d made)", c, made)
	}
	l.Put(a)
	l.Put(b)
	l.Close()
	if len(freed) != 2 || freed[1] != 1 || freed[2] != 1 {
		t.Fatalf("Close freed %v, want 1 and 2 once each", freed)
	}
}

func TestMakeError(t *testing.T) {
	boom := errors.New("boom")
	l := New(func() (int, error) { return 0, boom }, nil)
	if _, err := l.Get(); !errors.Is(err, boom) {
		t.Fatalf("Get = %v, want make's error", err)
	}
	l.Close() // nothing made, nil free: no call
}

// TestConcurrent: 8 goroutines borrowing at once never share a copy.
func TestConcurrent(t *testing.T) {
	var mu sync.Mutex
	n := 0
	inUse := map[int]bool{}
	l := New(func() (int, error) { mu.Lock(); defer mu.Unlock(); n++; return n, nil }, nil)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 200; k++ {
				v, _ := l.Get()
				mu.Lock()
				if inUse[v] {
					t.Errorf("copy %d lent twice", v)
				}
				inUse[v] = true
				mu.Unlock()
				mu.Lock()
				inUse[v] = false
				mu.Unlock()
				l.Put(v)
			}
		}()
	}
	wg.Wait()
	if n > 8 {
		t.Errorf("%d copies made for 8 borrowers", n)
	}
}
