package gm

import (
	"runtime"
	"testing"

	"github.com/sugarme/gotch/ts"
)

func TestGM(t *testing.T) {
	runtime.LockOSThread()
	a, _ := ts.GradSetEnabled(true)
	b, _ := ts.GradSetEnabled(true)
	c, _ := ts.GradSetEnabled(false)
	d, _ := ts.GradSetEnabled(false)
	e, _ := ts.GradSetEnabled(true)
	t.Log(a, b, c, d, e)
}
