# gotch-fix-leaks.awk: fixes two memory leaks in gotch v0.9.1's Go wrappers
# (ts/*.go), so that a long training run's memory stays flat.
#
# 1. In-place ops (Zero_, MulScalar_, Add_, ...): the C side returns a new
#    torch::Tensor handle for the same tensor and the wrapper stores it over
#    ts.ctensor without deleting the old handle. The old handle keeps a
#    reference to the tensor, so a temporary that goes through an in-place op
#    is never freed, storage included (measured: a 100 MB tensor, MulScalar_,
#    Drop leaked 100 MB per iteration). Fix: free the old handle first.
# 2. Every op allocates its output slot with C.malloc(0) and never frees it
#    (sugarme/gotch#102). Fix: allocate room for up to 8 outputs (multi-output
#    ops write past a malloc(0) block otherwise) and free it on return, after
#    the handle has been copied out.
#
# Usage: awk -f gotch-fix-leaks.awk FILE > NEW_FILE
# Prints "inplace N" and "malloc N" (lines rewritten) to stderr, so the caller
# can check that gotch's code still has the shape this script expects.

/^[ \t]*(ptr|ctensorPtr0) := \(\*lib\.Ctensor\)\(unsafe\.Pointer\(C\.malloc\(0\)\)\)[ \t]*$/ {
    match($0, /^[ \t]*/)
    indent = substr($0, 1, RLENGTH)
    name = $1
    print indent name " := (*lib.Ctensor)(unsafe.Pointer(C.malloc(64)))"
    print indent "defer C.free(unsafe.Pointer(" name "))"
    nmalloc++
    next
}

/^[ \t]*ts\.ctensor = \*ptr[ \t]*$/ {
    match($0, /^[ \t]*/)
    print substr($0, 1, RLENGTH) "lib.AtFree(ts.ctensor)"
    print
    ninplace++
    next
}

{ print }

END {
    print "inplace " ninplace + 0 > "/dev/stderr"
    print "malloc " nmalloc + 0 > "/dev/stderr"
}
