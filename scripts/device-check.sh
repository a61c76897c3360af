#!/usr/bin/env bash
# GPU check on a machine with a CUDA libtorch (or a PyTorch install), g++, no Go and no
# network. Needs .carry/ from scripts/device-carry.sh next to the working tree. Unpacks Go and
# the module subset, prepares gotch for that libtorch, builds ffra, prints `ffra env`, then runs
# a short CUDA training on generated data. Logs go to $OUT (default /tmp/device-out).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-/tmp/device-out}
DEVICE=${DEVICE:-cuda}
EPOCHS=${EPOCHS:-3}
BATCH=${BATCH:-64}
SIZE=${SIZE:-224}
mkdir -p "$OUT"
step() { echo "== $(date +%T) $*" | tee -a "$OUT/steps.log"; }

step unpack
T=${DEVICE_TMP:-/tmp/occfer-dev}
mkdir -p "$T"
tar -C "$T" -xJf "$ROOT/.carry/go.tar.xz" && tar -C "$T" -xJf "$ROOT/.carry/gomod.tar.xz" || exit 1
export GOROOT=$T/go PATH=$T/go/bin:$PATH GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off \
	GOMODCACHE=$T/gomod GOCACHE=$T/cache GOTCH_SRC=$T/gomod/github.com/sugarme/gotch@v0.9.1
# A Python torch install serves as the libtorch when LIBTORCH is unset; without one the
# system libtorch is used.
if [[ -z "${LIBTORCH:-}" ]] && lt=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))' 2>/dev/null); then
	export LIBTORCH=$lt
fi
{ nvidia-smi -L; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv; python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'; } >"$OUT/gpu.txt" 2>&1
cat "$OUT/gpu.txt"

cd "$ROOT"
step prepare-gotch
NO_WARM=1 scripts/prepare-gotch.sh >"$OUT/prepare.log" 2>&1 || { tail -40 "$OUT/prepare.log"; exit 1; }
tail -5 "$OUT/prepare.log"
step build
go build -o "$T/ffra" ./cmd/ffra >"$OUT/build.log" 2>&1 || { tail -40 "$OUT/build.log"; exit 1; }
step env
"$T/ffra" env 2>&1 | tee "$OUT/env.txt" | head -6
step synth
"$T/ffra" synth "$T/syn" --train "${TRAIN:-1400}" --test "${TEST:-350}" --seed 1 >"$OUT/synth.log" 2>&1 || { cat "$OUT/synth.log"; exit 1; }
step "train on $DEVICE: $EPOCHS epochs, batch $BATCH, input $SIZE"
"$T/ffra" train "$T/syn" --device "$DEVICE" --epochs "$EPOCHS" --batch-size "$BATCH" --input-size "$SIZE" \
	--workers "$(( $(nproc) > 2 ? $(nproc) - 2 : 1 ))" --out "$T/run" -q >"$OUT/train.log" 2>&1 &
pid=$!
# Host and GPU memory every 2 s: both must stay flat from epoch to epoch.
while kill -0 "$pid" 2>/dev/null; do
	echo "$(date +%T) $(grep VmRSS /proc/$pid/status 2>/dev/null | tr -s ' ') gpu $(nvidia-smi --query-gpu=memory.used --format=csv,noheader 2>/dev/null)" >>"$OUT/memory.log"
	sleep 2
done
wait "$pid"
rc=$?
head -3 "$OUT/memory.log"; echo ...; tail -3 "$OUT/memory.log"
tail -20 "$OUT/train.log"
cp "$T/run/metrics.jsonl" "$T/run/report.json" "$OUT/" 2>/dev/null
step "done rc=$rc"
exit $rc
