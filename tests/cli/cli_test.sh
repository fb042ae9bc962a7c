#!/usr/bin/env bash
# usage: cli_test.sh CHECK EFFBENCH WORKDIR
# Each check runs the real binary and compares exit codes and output with
# what the README promises. Prints "N passed, N failed".
set -u
check=$1 effbench=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export EFFBENCH_DB="$work/results.db"
passed=0 failed=0

# expect NAME WANT_CODE WANT_TEXT -- COMMAND...
expect() {
  local name=$1 want_code=$2 want_text=$3
  shift 4
  "$@" >out.txt 2>&1
  local code=$?
  if [ "$code" -eq "$want_code" ] && grep -qF -- "$want_text" out.txt; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: exit $code (wanted $want_code), wanted text: $want_text"
    sed 's/^/    /' out.txt | tail -20
  fi
}

# json_check FILE PYTHON_EXPRESSION: the expression over the parsed document `d` must be true.
json_check() {
  if python3 -c "import json,sys; d=json.load(open('$1')); sys.exit(0 if ($2) else 1)"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL json: $2"
  fi
}

# fp32 only: a cpu with native bf16 adds bf16 rows by default (Note [Default precisions]), checked apart.
tiny=(--device cpu --batch 2 --precision fp32 --warmup-s 0 --min-time-s 0.05 --repeats 3 --threads 1)

case "$check" in
  bad_input)
    expect unknown-model 2 "valid models: conv6, vgg16, resnet18, cyclegan" -- "$effbench" run --model alexnet
    expect unknown-device 2 "valid devices: cpu, cuda, cuda:N" -- "$effbench" run --device tpu
    expect unknown-mode 2 "valid modes: train, infer" -- "$effbench" run --mode eval
    expect zero-batch 2 "--batch: expected batch sizes in [1, 1048576] but got 0" -- "$effbench" run --batch 0
    expect zero-threads 2 "--threads: expected a thread count in [1, " -- "$effbench" run --threads 0
    expect zero-time 2 "--min-time-s: expected seconds > 0" -- "$effbench" run --min-time-s 0
    if ! "$effbench" list devices | grep -q '^cuda'; then
      expect no-cuda 2 "--device cuda: no CUDA device is available" -- "$effbench" run --device cuda
    fi
    # Note [Control characters on output]: an imported host name with ESC sequences reaches the terminal as '?'.
    printf '{"tool": "effbench", "schema_version": 1, "run_id": "esc", "system": {"hostname": "evil\\u001b]0;title\\u0007\\u001b[2J"}, "cases": []}' >esc.json
    expect import-escapes 0 "imported esc" -- "$effbench" results import esc.json
    expect list-escapes 0 "evil?]0;title??[2J" -- "$effbench" results list
    if grep -q $'\x1b' out.txt; then failed=$((failed + 1)); echo "FAIL: an ESC byte reached the output"; else passed=$((passed + 1)); fi
    expect project-to-tpu 2 "--project-to: 'tpu-v4' is a tpu, not a GPU" -- "$effbench" run --project-to tpu-v4
    expect project-to-unknown 2 "gtx-480" -- "$effbench" run --project-to gtx-480
    expect project-to-with-dataset 2 "--dataset excludes --project-to" -- "$effbench" run --dataset fashion-mnist --project-to l4
    expect list-models 0 "11.2 M" -- "$effbench" list models
    expect version 0 "LibTorch" -- "$effbench" --version
    ;;
  every_flag)
    # Note [Checks every flag gets], on every option of every command as
    # --help lists it: an empty value, a non-finite number, an integer past
    # 64 bits and a repeated list item are each refused, naming the option.
    commands=("run" "list" "results" "results list" "results show" "results export" "results import"
      "results delete" "compare" "report" "trend" "project" "launch" "reproduce" "monitor")
    tried=0
    for command in "${commands[@]}"; do
      read -ra words <<<"$command"
      while read -r flag type list; do
        expect "$command $flag empty" 2 "$flag: empty value" -- "$effbench" "${words[@]}" "$flag" ""
        tried=$((tried + 1))
        case "$type" in
          FLOAT*|INT*|UINT*|NUMBER*)
            expect "$command $flag nan" 2 "$flag: expected a finite number but got 'nan'" -- "$effbench" "${words[@]}" "$flag" nan
            expect "$command $flag 1e999" 2 "$flag: expected a finite number but got '1e999'" -- "$effbench" "${words[@]}" "$flag" 1e999
            tried=$((tried + 2))
            ;;
        esac
        case "$type" in
          INT*|UINT*)
            expect "$command $flag huge" 2 "is out of range for a 64-bit integer" -- "$effbench" "${words[@]}" "$flag" 99999999999999999999
            tried=$((tried + 1))
            ;;
        esac
        if [ "$list" = "..." ]; then
          case "$type" in FLOAT*|INT*|UINT*) item=3 ;; *) item=x ;; esac
          expect "$command $flag twice" 2 "$flag: '$item' is given twice" -- "$effbench" "${words[@]}" "$flag" "$item" "$flag" "$item"
          tried=$((tried + 1))
        fi
      done < <("$effbench" "${words[@]}" --help | sed -nE 's/^  +(--[a-z0-9-]+) ([A-Z]+(=[^ ]*)?)( \.\.\.)?( .*)?$/\1 \2 \4/p' |
        awk '{print $1, $2, ($3 == "..." ? "..." : "-")}')
    done
    echo "tried $tried bad values on the options of ${#commands[@]} commands"
    [ "$tried" -ge 50 ] || { failed=$((failed + 1)); echo "FAIL: only $tried values tried; --help parsing broke?"; }
    # Flags of one kind of run refused with the other, and settings past their sense.
    expect model-twice 2 "--model: 'conv6' is given twice" -- "$effbench" run --model conv6,conv6
    expect alpha-nan 2 "--alpha: expected a finite number but got 'nan'" -- "$effbench" compare --alpha nan latest
    expect alpha-range 2 "--alpha: expected a significance level in (0, 1) but got 2" -- "$effbench" compare --alpha 2 latest
    expect epochs-without-dataset 2 "--epochs requires --dataset" -- "$effbench" run --epochs 3
    expect precision-with-dataset 2 "--precision excludes --dataset" -- "$effbench" run --dataset fashion-mnist --precision bf16
    expect dist-without-distributed 2 "--dist-backend requires --distributed" -- "$effbench" run --dist-backend gloo
    expect huge-warmup 2 "--warmup-s: expected at most --max-case-s" -- "$effbench" run --warmup-s 1e20
    expect huge-window 2 "--min-time-s: expected at most --max-case-s" -- "$effbench" run --min-time-s 1e20
    expect huge-budget 2 "--budget-s: expected seconds in (0, 604800]" -- "$effbench" run --budget-s 1e9
    expect huge-threads 2 "--threads: expected a thread count in [1, " -- "$effbench" run --threads 100000
    expect huge-epochs 2 "--epochs: expected a count in [1, 100000]" -- "$effbench" run --dataset fashion-mnist --epochs 99999999
    ;;
  busy_machine)
    # Note [Busy machine]: a case run next to a busy process says so on
    # screen and in the JSON, although its windows agree with each other.
    ( while :; do :; done ) &
    spinner=$!
    expect busy 0 "warning: busy machine: other processes used" -- "$effbench" run --model conv6 --mode infer "${tiny[@]}" --json busy.json
    kill "$spinner"
    wait "$spinner" 2>/dev/null
    json_check busy.json "d['cases'][0]['machine_load']['busy'] and d['cases'][0]['machine_load']['others_cores'] > 0.5"
    json_check busy.json "any(w.startswith('busy machine:') for w in d['cases'][0]['warnings'])"
    ;;
  tiny_run)
    expect tiny 0 "Speedup over cpu, inference" -- "$effbench" run --model conv6 --mode train,infer "${tiny[@]}" --json run.json
    json_check run.json "d['schema_version'] == 1 and d['status'] == 'complete' and len(d['cases']) == 2"
    json_check run.json "all(c['status'] == 'ok' and c['throughput']['median'] > 0 and len(c['throughput']['samples']) == 3 for c in d['cases'])"
    json_check run.json "d['cases'][0]['params'] == 2262602 and d['cases'][1]['latency_ms']['p50'] > 0"
    json_check run.json "d['cases'][1]['latency_ms']['p50'] <= d['cases'][1]['latency_ms']['p99']"
    json_check run.json "d['system']['torch_version'] != '' and d['system']['logical_cores'] > 0"
    expect stored 0 "conv6" -- "$effbench" results list
    # Note [Energy uncertainty]: the --cpu-tdp estimate carries its assumed +-50% on screen and in the JSON.
    expect tiny-energy 0 "J/sample" -- "$effbench" run --model conv6 --mode infer "${tiny[@]}" --cpu-tdp 100 --json energy.json
    grep -q "~[0-9.]* ± [0-9.]*" out.txt && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: no '± ' interval on screen"; }
    json_check energy.json "abs(d['cases'][0]['counted_energy']['uncertainty_j'] - 0.5 * d['cases'][0]['counted_energy']['joules']) < 1e-9 * d['cases'][0]['counted_energy']['joules']"
    json_check energy.json "[r for r in d['cases'][0]['energy'] if r['source'] == 'estimate'][0]['uncertainty_terms_j']['assumptions'] > 0"
    # Note [Calibrated GPU projection]: without a GPU, the run ends with what one would buy.
    if ! "$effbench" list devices | grep -q '^cuda'; then
      grep -q "What a GPU would buy you" out.txt && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: no projected GPU table"; }
      grep -qE "conv6 infer fp32 .*[0-9]x-[0-9]+x" out.txt && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: no projected interval"; }
    fi
    # Note [Study verdicts]: the studies beside the stored runs; what is missing names the command that measures it.
    expect reproduce 0 "Study 3: time and energy across GPUs" -- "$effbench" reproduce
    grep -q "Conv6 training speedup, T4 over CPU" out.txt && grep -q "E = P x T for one hour .*matches" out.txt &&
      grep -q "run \`effbench run --mode infer --exec eager,fused\`" out.txt && passed=$((passed + 1)) ||
      { failed=$((failed + 1)); echo "FAIL: reproduce tables"; }
    # Note [Batch sweep]: the curve on screen and in the report; bad sizes named.
    expect batch-sweep 0 "Batch sweep: the throughput-best batch" -- "$effbench" run --model conv6 --mode train --precision fp32 \
      --batch 2,4 --device cpu --warmup-s 0 --min-time-s 0.05 --repeats 3 --threads 1 --report sweep.html
    grep -qE "^conv6 +cpu +train +fp32 +eager +[24] " out.txt && grep -q 'id="batch-sweep"' sweep.html && grep -q '"samples_per_s"' sweep.html &&
      passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: batch sweep table or report section"; }
    # Note [Default precisions]: without --precision, a cpu with native bf16 runs bf16 rows beside fp32.
    expect default-precisions 0 "Results" -- "$effbench" run --model conv6 --mode infer --device cpu --batch 2 --warmup-s 0 \
      --min-time-s 0.05 --repeats 3 --threads 1 --json precisions.json
    if grep -qwE 'avx512_bf16|amx_bf16' /proc/cpuinfo; then
      json_check precisions.json "[c['precision'] for c in d['cases']] == ['fp32', 'bf16']"
    else
      json_check precisions.json "[c['precision'] for c in d['cases']] == ['fp32']"
    fi
    expect batch-bad 2 "--batch: expected batch sizes (64, or 16,32,64) or auto but got 'x'" -- "$effbench" run --batch 2,x
    expect batch-zero 2 "--batch: expected batch sizes in [1, 1048576] but got 0" -- "$effbench" run --batch 0
    expect reproduce-ids-and-measure 2 "--measure: measures into the database" -- "$effbench" reproduce --measure latest
    ;;
  progress)
    # Note [Progress line]: on a terminal the case's line ends with its progress, redrawn in place and erased
    # before the result; in a file, no redraws.
    under_pty=$(dirname "$0")/under_pty.py
    progress_run=("$effbench" run --model conv6 --mode infer --device cpu --batch 2 --precision fp32 --warmup-s 0 --min-time-s 0.2 --repeats 4 --threads 1 --no-save)
    python3 "$under_pty" pty.txt "${progress_run[@]}"
    if grep -qaF $'\r[1/1] conv6 cpu infer batch 2 32x32 ... 50%, about ' pty.txt &&
       grep -qaF $' left\x1b[K\r[1/1] conv6 cpu infer batch 2 32x32 ... \x1b[K' pty.txt &&
       grep -qaE 'samples/s \(CV' pty.txt; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1)); echo "FAIL progress on a terminal:"; od -c pty.txt | head -30
    fi
    "${progress_run[@]}" >plain.txt 2>&1
    if grep -qa $'\r\|\x1b' plain.txt || ! grep -q 'samples/s (CV' plain.txt; then
      failed=$((failed + 1)); echo "FAIL progress in a file:"; cat -A plain.txt | head
    else
      passed=$((passed + 1))
    fi
    if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
      python3 "$under_pty" train.txt "$effbench" run --dataset fashion-mnist --model conv6 \
        --device cpu --epochs 1 --train-samples 512 --test-samples 64 --threads 1 --no-save
      grep -qaE $'\r  training: [0-9]+%, about [0-9]+ s left' train.txt && grep -qa -- '-> accuracy' train.txt &&
        passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL training progress:"; od -c train.txt | tail -20; }
    fi
    ;;
  own_model)
    # Note [TorchScript models]: a file written by LibTorch (tests/models/torchscript_fixtures.h), counted by hand.
    "$MAKE_TORCHSCRIPT_FIXTURES" . || { echo "FAIL: make_torchscript_fixtures"; exit 1; }
    expect own-model 0 "tiny_net.pt cpu infer fused batch 2 3x8x8" -- "$effbench" run --model ./tiny_net.pt --input 3x8x8 --classes 10 \
      --mode train,infer --exec eager,fused "${tiny[@]}" --json own.json
    json_check own.json "[c['status'] for c in d['cases']] == ['ok', 'ok', 'ok'] and all(c['model'] == './tiny_net.pt' for c in d['cases'])"
    json_check own.json "all(c['params'] == 2682 and c['flops_per_sample'] == 18944 and c['input_shape'] == [3, 8, 8] for c in d['cases'])"
    json_check own.json "[c['step_flops_per_sample'] for c in d['cases']] == [3 * 18944, 18944, 18944]"
    json_check own.json "all(c['model_file']['sha256'] == '$(sha256sum tiny_net.pt | cut -c1-64)' for c in d['cases'])"
    json_check own.json "all(any('Note [Observed FLOPs]' in n for n in c['notes']) for c in d['cases'])"
    expect own-model-no-classes 0 "up_net.pt cpu train" -- "$effbench" run --model up_net.pt --input 2x4x4 --mode train "${tiny[@]}" --json up.json
    json_check up.json "d['cases'][0]['status'] == 'ok' and any('mean of the squared output' in n for n in d['cases'][0]['notes'])"
    expect own-model-shape 2 "expected input[2, 1, 8, 8] to have 3 channels" -- "$effbench" run --model tiny_net.pt --input 1x8x8 "${tiny[@]}"
    expect own-model-classes 2 "--classes 7: expected the model to return (batch, 7) logits but it returned 2x10" -- \
      "$effbench" run --model tiny_net.pt --input 3x8x8 --classes 7 "${tiny[@]}"
    expect own-model-no-input 2 "give the shape of one input sample with --input" -- "$effbench" run --model tiny_net.pt "${tiny[@]}"
    expect own-model-bad-input 2 "--input: expected one sample's shape as sizes > 0 joined by 'x' (3x224x224, 128) but got '3x0x8'" -- \
      "$effbench" run --model tiny_net.pt --input 3x0x8 "${tiny[@]}"
    expect own-model-no-file 2 "--input: gives the sample shape of a TorchScript --model file" -- "$effbench" run --model conv6 --input 3x8x8 "${tiny[@]}"
    expect own-model-no-params 2 "nothing to train; use --mode infer" -- "$effbench" run --model no_params.pt --input 4 --mode train "${tiny[@]}"
    mkdir -p folder.pt
    expect own-model-directory 2 "--model folder.pt: is a directory, not a TorchScript file" -- "$effbench" run --model folder.pt --input 4 "${tiny[@]}"
    printf 'not torchscript' >text.pt
    expect own-model-not-torchscript 2 "--model text.pt: not a TorchScript file" -- "$effbench" run --model text.pt --input 4 "${tiny[@]}"
    expect own-model-missing 2 "or a TorchScript file with --input (no file of that name exists)" -- "$effbench" run --model missing.pt --input 4 "${tiny[@]}"
    ;;
  interrupt)
    # Ctrl-C after the first case: exit 130 and the finished case is in the JSON.
    "$effbench" run --model conv6,vgg16 --mode infer --device cpu --batch 2 --precision fp32 --warmup-s 0 --min-time-s 2 --repeats 3 \
      --threads 1 --json run.json >out.txt 2>&1 &
    pid=$!
    for _ in $(seq 1 600); do
      grep -q '^\[2/2\]' out.txt 2>/dev/null && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -INT "$pid"
    wait "$pid"
    code=$?
    if [ "$code" -eq 130 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL interrupt: exit $code"; cat out.txt; fi
    json_check run.json "d['status'] == 'interrupted' and d['cases'][0]['status'] == 'ok' and d['cases'][0]['model'] == 'conv6'"
    json_check run.json "len(d['cases']) == 1 or d['cases'][1]['status'] == 'interrupted'"
    ;;
  distributed)
    # Two ranks on loopback (effbench launch): the scaling figures and the
    # energy of every rank, the host's sensor counted once
    # (Note [Energy of a data-parallel case]); then training to a result.
    expect dp-run 0 "scaling efficiency" -- "$effbench" launch --nproc 2 -- run --model conv6 "${tiny[@]}" --cpu-tdp 100 --json dp.json
    json_check dp.json "d['status'] == 'complete' and len(d['cases']) == 1 and d['cases'][0]['distributed']['world_size'] == 2"
    # The host's CPU sensor (RAPL package, or the --cpu-tdp estimate without RAPL) read by both ranks, counted for rank 0.
    json_check dp.json "{r['rank'] for r in d['cases'][0]['energy'] if r['scope'] == 'cpu-package' and r['available']} == {0, 1}"
    json_check dp.json "{r['rank'] for r in d['cases'][0]['energy'] if r['scope'] == 'cpu-package' and r['available'] and not r.get('cross_check')} == {0}"
    expect dp-stored 0 "conv6" -- "$effbench" results list
    if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
      expect dp-tta 0 "-> accuracy" -- "$effbench" launch --nproc 2 -- run --dataset fashion-mnist --model conv6 --device cpu \
        --epochs 1 --batch 32 --train-samples 256 --test-samples 100 --threads 1 --cpu-tdp 100 --json tta.json --epoch-log tta.jsonl
      json_check tta.json "d['cases'][0]['distributed']['per_process_batch'] == 16 and d['cases'][0]['batch'] == 32"
      json_check tta.json "d['cases'][0]['accuracy']['epochs'] == 1 and 0 < d['cases'][0]['accuracy']['value'] <= 1"
      json_check tta.json "{r['rank'] for r in d['cases'][0]['energy'] if r['scope'] == 'cpu-package' and r['available']} == {0, 1}"
      # Only rank 0 writes the epoch log: one start, one epoch, one end.
      json_check tta.json "[json.loads(l)['event'] for l in open('tta.jsonl')] == ['start', 'epoch', 'end']"
    fi
    ;;
  exports)
    # docs/exports.md: --prometheus rewritten atomically after each case, and a
    # training run's model card; figures compared with the same run's JSON.
    expect prom-run 0 "Prometheus metrics written to run.prom" -- "$effbench" run --model conv6 --mode infer "${tiny[@]}" --cpu-tdp 100 --json run.json --prometheus run.prom
    json_check run.json "d['status'] == 'complete' and d['cases'][0]['status'] == 'ok'"
    if python3 - run.prom run.json <<'PY'
import json, math, re, sys
text, d = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
assert text.endswith("\n"), "no final line feed"
series = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (\S+)$')
typed, seen, done, values = set(), set(), [], {}
for line in text.splitlines():
    if line.startswith("# TYPE "):
        _, _, name, kind = line.split(" ")
        assert kind == "gauge" and name not in typed and name not in done, line
        typed.add(name); done.append(name); continue
    if line.startswith("#"): continue
    m = series.match(line)
    assert m, "malformed: " + line
    assert m.group(1) == done[-1], "interleaved or untyped: " + line
    assert line.rsplit(" ", 1)[0] not in seen, "duplicate: " + line
    seen.add(line.rsplit(" ", 1)[0]); values.setdefault(m.group(1), []).append(float(m.group(3)))
c = d["cases"][0]
assert values["effbench_throughput_samples_per_second"] == [c["throughput"]["median"]], values
assert math.isclose(values["effbench_case_energy_joules"][0], c["counted_energy"]["joules"], rel_tol=1e-12)
assert 'run_id="%s"' % d["run_id"] in text and 'model="conv6"' in text and 'measured="' in text
PY
    then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: run.prom"; sed 's/^/    /' run.prom | head -30; fi
    ls ./*.tmp >/dev/null 2>&1 && { failed=$((failed + 1)); echo "FAIL: a temporary file was left"; } || passed=$((passed + 1))
    # One record, many printers: the stored run exports the same bytes the run wrote.
    expect prom-export 0 "wrote again.prom" -- "$effbench" results export latest --prometheus -o again.prom
    cmp -s run.prom again.prom && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: results export --prometheus differs from run --prometheus"; diff run.prom again.prom | head; }
    expect prom-same-as-json 2 "--prometheus" -- "$effbench" run --model conv6 "${tiny[@]}" --json same.out --prometheus same.out
    expect prom-bad-dir 2 "--prometheus" -- "$effbench" run --model conv6 "${tiny[@]}" --prometheus missing/run.prom
    # A throughput run has no training to put on a card; the grid intensity is the user's to give.
    expect card-no-training 2 "has no training case" -- "$effbench" results export latest --model-card --grid-g-per-kwh 400
    expect card-no-grid 2 "--model-card: needs --grid-g-per-kwh" -- "$effbench" results export latest --model-card
    expect card-negative-grid 2 "--grid-g-per-kwh: expected the grid's carbon intensity in gCO2e/kWh, in [0, 2000], but got -5" -- "$effbench" results export latest --model-card --grid-g-per-kwh -5 -o card.yaml
    expect grid-without-card 2 "--grid-g-per-kwh requires --model-card" -- "$effbench" results export latest --grid-g-per-kwh 400
    [ -e card.yaml ] && { failed=$((failed + 1)); echo "FAIL: a refused card wrote card.yaml"; } || passed=$((passed + 1))
    if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
      expect card-train 0 "-> accuracy" -- "$effbench" run --dataset fashion-mnist --model conv6 --device cpu --epochs 1 --batch 32 \
        --train-samples 256 --test-samples 100 --threads 1 --cpu-tdp 100 --json tta.json
      expect card 0 "wrote card.yaml" -- "$effbench" results export latest --model-card --grid-g-per-kwh 400 --location 'Quebec, "Canada"' -o card.yaml
      if python3 - card.yaml tta.json <<'PY'
import json, sys
d, text = json.load(open(sys.argv[2])), open(sys.argv[1]).read()
e = d["cases"][0]["counted_energy"]
label = "energy measured by " if e["measured"] else "energy estimated from CPU TDP (not measured)"
assert text.startswith("co2_eq_emissions:\n  emissions: ") and label in text and d["run_id"] in text, text
try:
    import yaml
except ImportError:
    sys.exit(0)
card = yaml.safe_load(text)["co2_eq_emissions"]
want_g = e["joules"] / 3.6e6 * 400
assert abs(card["emissions"] - want_g) <= 5e-4 * want_g, (card, want_g)
assert card["training_type"] == "pre-training" and card["geographical_location"] == 'Quebec, "Canada"', card
assert "(cpu, 1 thread)" in card["hardware_used"], card
PY
      then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: card.yaml"; cat card.yaml; fi
    fi
    ;;
  monitor)
    # effbench monitor -- COMMAND (docs/monitor.md): a script that writes two
    # phases (through the FD and through the file) and holds 200 MiB; the run
    # is stored, its JSON has the estimate with its interval, the phases in
    # order and the peak memory of the tree; the exit status passes through.
    cat >script.py <<'PY'
import os, time
fd = int(os.environ["EFFBENCH_PHASE_FD"])
os.write(fd, b"EFFBENCH_PHASE load\n")
block = bytearray(200 << 20)
for i in range(0, len(block), 4096):
    block[i] = 1
time.sleep(0.5)
with open(os.environ["EFFBENCH_PHASE_FILE"], "w") as phases:
    print("EFFBENCH_PHASE train", file=phases, flush=True)
    t = time.process_time()
    while time.process_time() - t < 0.5:
        pass
PY
    expect monitor-run 0 "exit status 0" -- "$effbench" monitor --cpu-tdp 100 --json mon.json -- python3 script.py
    grep -q "phase train" out.txt && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: phase not shown"; }
    json_check mon.json "d['status'] == 'complete' and len(d['cases']) == 1 and d['cases'][0]['command']['argv'] == ['python3', 'script.py']"
    json_check mon.json "d['cases'][0]['command']['exit_status'] == 0 and d['cases'][0]['status'] == 'ok'"
    json_check mon.json "[p['name'] for p in d['cases'][0]['command']['phases']] == ['load', 'train']"
    json_check mon.json "0.4 < d['cases'][0]['command']['phases'][0]['duration_s'] < 1.5 and d['cases'][0]['command']['phases'][1]['duration_s'] > 0.4"
    # The tree's own memory: the 200 MiB and Python, not effbench's LibTorch (Note [Peak memory of a process tree]).
    json_check mon.json "200 * 2**20 <= d['cases'][0]['memory']['peak_rss_bytes'] < 300 * 2**20"
    json_check mon.json "d['cases'][0]['command']['cpu_user_s'] + d['cases'][0]['command']['cpu_system_s'] >= 0.5"
    # Energy: the --cpu-tdp estimate where no sensor can be read, with its interval; each phase has its share.
    json_check mon.json "d['cases'][0]['counted_energy']['joules'] > 0 and d['cases'][0]['counted_energy']['uncertainty_j'] > 0"
    json_check mon.json "any(r['source'] in ('estimate', 'rapl', 'nvml_energy_counter', 'nvml_power_integral') and r['available'] for r in d['cases'][0]['energy'])"
    json_check mon.json "all(p['counted_energy']['joules'] > 0 for p in d['cases'][0]['command']['phases'])"
    json_check mon.json "sum(p['counted_energy']['joules'] for p in d['cases'][0]['command']['phases']) <= d['cases'][0]['counted_energy']['joules'] * 1.0001"
    expect monitor-stored 0 "python3 script.py" -- "$effbench" results show latest
    grep -q "Commands" out.txt && grep -q "phase load" out.txt && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: results show has no command table"; }
    # Never the environment: a secret in it is nowhere in the document or the database.
    EFFBENCH_TEST_SECRET=hunter2-secret expect monitor-secret 0 "exit status 0" -- "$effbench" monitor --json secret.json -- sleep 0.5
    # A sleeping process holds a few MiB; effbench's own LibTorch (~150 MiB) is not the command's.
    json_check secret.json "0 < d['cases'][0]['memory']['peak_rss_bytes'] < 20 * 2**20"
    [ -s secret.json ] && [ -s results.db ] && ! grep -q hunter2-secret secret.json results.db && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: environment recorded"; }
    expect monitor-exit-7 7 "exit status 7" -- "$effbench" monitor --no-save -- sh -c 'exit 7'
    expect monitor-signal 143 "exit status 143" -- "$effbench" monitor --no-save -- sh -c 'kill -TERM $$'
    expect monitor-not-found 2 "cannot start 'effbench-no-such-program'" -- "$effbench" monitor -- effbench-no-such-program
    expect monitor-no-command 2 "expected a command after '--'" -- "$effbench" monitor --cpu-tdp 100
    expect monitor-odd-phase 0 "phase line ignored" -- "$effbench" monitor --no-save -- sh -c 'printf "EFFBENCH_PHASE bad\033[2Jname\n" >&$EFFBENCH_PHASE_FD'
    if grep -q $'\033\[2J' out.txt; then failed=$((failed + 1)); echo "FAIL: control characters reached the terminal"; else passed=$((passed + 1)); fi
    expect monitor-many-phases 0 "more than 1000 phases" -- "$effbench" monitor --no-save --json many.json -- sh -c 'i=0; while [ $i -lt 1005 ]; do echo "EFFBENCH_PHASE p$i"; i=$((i+1)); done >&$EFFBENCH_PHASE_FD'
    json_check many.json "len(d['cases'][0]['command']['phases']) == 1000 and d['cases'][0]['command']['phases'][-1]['name'] == 'p999'"
    run_id() { python3 -c "import json; print(json.load(open('$1'))['run_id'])"; }
    expect monitor-compare 0 "" -- "$effbench" compare "$(run_id mon.json)" "$(run_id secret.json)"
    expect monitor-report 0 "" -- "$effbench" report "$(run_id mon.json)" -o report.html
    grep -q "python3 script.py" report.html && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: report has no command"; }
    # SIGTERM to effbench is forwarded; what was measured is saved.
    rm -f ready
    "$effbench" monitor --json term.json -- sh -c 'touch ready; exec sleep 30' >out.txt 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do [ -f ready ] && break; sleep 0.1; done  # the command runs (a slow start under ASan)
    kill -TERM "$pid"
    wait "$pid"
    code=$?
    if [ "$code" -eq 143 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL monitor-term: exit $code"; cat out.txt; fi
    json_check term.json "d['status'] == 'interrupted' and d['cases'][0]['command']['signal'] == 15"
    # Note [Stopping a command]: a command that ignores SIGTERM is killed, tree and all, at the second
    # signal, and its case is still saved.
    rm -f ready
    "$effbench" monitor --json term2.json -- sh -c 'trap "" TERM INT; sleep 31 & touch ready; wait; wait' >out.txt 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do [ -f ready ] && break; sleep 0.1; done  # the command ignores TERM from here
    kill -TERM "$pid"
    sleep 0.5
    kill -TERM "$pid"
    wait "$pid"
    code=$?
    if [ "$code" -eq 137 ] && ! pgrep -f "sleep 31" >/dev/null; then passed=$((passed + 1)); else
      failed=$((failed + 1)); echo "FAIL monitor-second-term: exit $code"; cat out.txt; pkill -f "sleep 31"; fi
    json_check term2.json "d['status'] == 'interrupted' and len(d['cases']) == 1 and d['cases'][0]['command']['exit_status'] == 137"
    # A real training loop, where a Python with torch is installed (Debian's python3-torch).
    for py in python3 /usr/bin/python3; do
      "$py" -c 'import torch' 2>/dev/null || continue
      cat >train.py <<'PY'
import os, torch
def phase(name):
    os.write(int(os.environ["EFFBENCH_PHASE_FD"]), f"EFFBENCH_PHASE {name}\n".encode())
torch.manual_seed(0)
phase("train")
x = torch.randn(1024, 32); y = (x[:, 0] > 0).long()
model = torch.nn.Linear(32, 2); opt = torch.optim.SGD(model.parameters(), lr=0.5)
for _ in range(50):
    opt.zero_grad(); loss = torch.nn.functional.cross_entropy(model(x), y); loss.backward(); opt.step()
phase("eval")
print("accuracy", (model(x).argmax(1) == y).float().mean().item())
PY
      expect monitor-torch 0 "phase eval" -- "$effbench" monitor --cpu-tdp 100 --json torch.json -- "$py" train.py
      json_check torch.json "[p['name'] for p in d['cases'][0]['command']['phases']] == ['train', 'eval'] and d['cases'][0]['memory']['peak_rss_bytes'] > 50 * 2**20"
      break
    done
    ;;
  *) echo "unknown check $check"; exit 2 ;;
esac

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
