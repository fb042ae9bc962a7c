#!/usr/bin/env python3
"""Tables of bench/gpu_vs_pytorch.sh from its result folder: effbench-*.json
(effbench run records) and pytorch.jsonl (bench/pytorch_reference.py lines).

  summarize_vs_pytorch.py OUT          the GPU tables (bench/gpu_vs_pytorch.sh)
  summarize_vs_pytorch.py --cpu OUT    the CPU tables (bench/cpu_vs_pytorch.sh):
      markdown, every mode of each side, like-for-like ratios and best / best

Standard library only."""
import glob
import json
import os
import statistics
import sys

TARGET_BEST = {"conv6": 1.2, "vgg16": 1.2, "resnet18": 1.2, "cyclegan": 1.5}


def load(out):
    eff = []  # (config, case)
    for path in sorted(glob.glob(os.path.join(out, "effbench-*.json"))):
        config = os.path.basename(path).split("-")[1]
        with open(path) as f:
            for case in json.load(f).get("cases", []):
                eff.append((config, case))
    ref = []
    path = os.path.join(out, "pytorch.jsonl")
    if os.path.exists(path):
        with open(path) as f:
            ref = [json.loads(line) for line in f if line.strip().startswith("{")]
    return eff, [r for r in ref if r.get("status", "ok") == "ok"], [r for r in ref if r.get("status", "ok") != "ok"]


def eff_value(eff, config, model, mode, exec_mode=None):
    best = None
    for cfg, c in eff:
        if cfg != config or c["model"] != model or c["mode"] != mode or c.get("status") != "ok":
            continue
        if exec_mode and c.get("exec") != exec_mode:
            continue
        t = c["throughput"]["median"]
        if best is None or t > best["throughput"]["median"]:
            best = c
    return best


def ref_value(ref, config, model, mode, execs=None):
    rows = [r for r in ref if r["config"] == config and r["model"] == model and r["mode"] == mode
            and (execs is None or r["exec"] in execs)]
    return max(rows, key=lambda r: r["throughput"]) if rows else None


def fmt(x, digits=3):
    return "-" if x is None else f"{x:.{digits}g}"


def table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)  # noqa: E731
                               for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(header), "-" * (sum(widths) + 2 * len(widths))] + [line(r) for r in rows])


# --- the CPU comparison (bench/cpu_vs_pytorch.sh) ---------------------------
CPU_TARGET_LIKE = 1.0   # issue 18: every like-for-like ratio
CPU_TARGET_BEST = 1.05  # issue 18: effbench's fastest mode over PyTorch's fastest
CL_NOTE = "channels-last memory format"  # effbench's note on a channels-last case
MODEL_ORDER = list(TARGET_BEST)


def cpu_load(out):
    """effbench cases and reference lines as flat dicts keyed alike:
    model, mode, precision, exec, fmt (contiguous | channels-last),
    throughput (median samples/s), latency_ms (batch-1 p50), status, reason."""
    eff, systems, threads = [], [], set()
    for path in sorted(glob.glob(os.path.join(out, "effbench-*.json"))):
        round_ = round_of(path)
        with open(path) as f:
            doc = json.load(f)
        systems.append(doc.get("system", {}))
        threads.add(doc.get("settings", {}).get("threads"))
        for c in doc.get("cases", []):
            eff.append({"round": round_, "model": c["model"], "mode": c["mode"], "precision": c["precision"],
                        "exec": c.get("exec", "eager"),
                        "fmt": "channels-last" if CL_NOTE in c.get("notes", []) else "contiguous",
                        "status": c.get("status"), "reason": c.get("error"),
                        "throughput": c.get("throughput", {}).get("median"),
                        "latency_ms": (c.get("latency_ms") or {}).get("p50")})
    ref = []
    for path in sorted(glob.glob(os.path.join(out, "pytorch*.jsonl"))):
        with open(path) as f:
            for line in f:
                if not line.strip().startswith("{"):
                    continue
                r = json.loads(line)
                ref.append({"round": round_of(path), "model": r["model"], "mode": r["mode"], "precision": r["precision"], "exec": r["exec"],
                            "fmt": "channels-last" if r.get("channels_last") else "contiguous",
                            "status": r.get("status", "ok"), "reason": r.get("reason"),
                            "throughput": r.get("throughput"), "latency_ms": r.get("latency_p50_ms"),
                            "torch": r.get("torch"), "threads": r.get("threads")})
    settings = {}
    path = os.path.join(out, "settings.txt")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    settings[k] = v
    return eff, ref, systems, threads, settings


def round_of(path):
    """The round of a result file: NAME-rN.json(l) is round N; older folders had one round."""
    stem = os.path.basename(path).rsplit(".", 1)[0]
    tail = stem.rsplit("-r", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else 1


def by_round(cases, **key):
    """{round: throughput} of the ok cases matching key (one per round)."""
    return {c["round"]: c["throughput"] for c in cases
            if c["status"] == "ok" and c["throughput"] and all(c[k] == v for k, v in key.items())}


def latency(cases, **key):
    """Median over rounds of the batch-1 p50 of the ok cases matching key."""
    values = [c["latency_ms"] for c in cases
              if c["status"] == "ok" and c["latency_ms"] and all(c[k] == v for k, v in key.items())]
    return statistics.median(values) if values else None


def round_ratios(e, r):
    """effbench / PyTorch of each round both sides ran."""
    return [e[k] / r[k] for k in sorted(e) if k in r]


def median_of(rounds):
    return statistics.median(rounds.values()) if rounds else None


def spread(ratios):
    return "-" if len(ratios) < 2 else f"{min(ratios):.3f}-{max(ratios):.3f}"


def fastest(cases, **key):
    """(exec, precision, fmt) of the fastest mode by median over rounds, with its {round: throughput}."""
    modes = {(c["exec"], c["precision"], c["fmt"]) for c in cases if all(c[k] == v for k, v in key.items())}
    medians = {m: by_round(cases, exec=m[0], precision=m[1], fmt=m[2], **key) for m in modes}
    medians = {m: rounds for m, rounds in medians.items() if rounds}
    if not medians:
        return None, {}
    best = max(medians, key=lambda m: median_of(medians[m]))
    return best, medians[best]


def md_table(header, rows):
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] +
                      ["| " + " | ".join(str(x) for x in r) + " |" for r in rows])


def cpu_header(eff, ref, systems, threads, settings):
    sysinfo = systems[0] if systems else {}
    env = [f"{k[4:]}={v}" for k, v in settings.items() if k.startswith("env ")]
    bf16 = settings.get("cpu_bf16", "").split()
    ref_threads = sorted({r["threads"] for r in ref if r.get("threads")})
    lines = [
        f'- CPU: {settings.get("cpu_model") or sysinfo.get("cpu_model", "?")}; '
        f'avx512_bf16: {"yes" if "avx512_bf16" in bf16 else "no"}; '
        f'AMX (amx_bf16/amx_tile): {"yes" if "amx_bf16" in bf16 else "no"}'
        + ("" if "cpu_bf16" in settings else " (not recorded)"),
        f'- threads: effbench {", ".join(str(t) for t in sorted(t for t in threads if t)) or "?"}, '
        f'PyTorch {", ".join(str(t) for t in ref_threads) or "?"}; affinity {settings.get("affinity", "?")}',
        f'- torch: effbench LibTorch {sysinfo.get("torch_version", "?")}, '
        f'PyTorch {settings.get("pytorch") or next((r["torch"] for r in ref if r.get("torch")), "?")}; '
        f'torch.compile: {settings.get("compile", "?")}',
        f'- effbench process: malloc {sysinfo.get("allocator", "?")}; BLAS {sysinfo.get("blas_threads", "?")}',
        f'- PyTorch process env (PYTORCH_ENV): `{settings.get("PYTORCH_ENV") or "(none: PyTorch as installed)"}`',
        f'- OMP/affinity/BLAS variables set for both: {", ".join(f"`{e}`" for e in env) or "none"}',
        f'- windows: {"QUICK=1 (short: a smoke test, not a measurement)" if settings.get("quick") == "1" else "full"}; '
        f'rounds: {settings.get("rounds", "1")} (each side runs every case once per round, the sides alternating; '
        f'ratio = median of the rounds\' ratios, throughputs = medians over rounds)',
    ]
    return "\n".join(lines)


def cpu_main(out):
    eff, ref, systems, threads, settings = cpu_load(out)
    models = sorted({c["model"] for c in eff + ref},
                    key=lambda m: MODEL_ORDER.index(m) if m in MODEL_ORDER else len(MODEL_ORDER))
    order = ["fp32", "bf16"]
    precisions = sorted({c["precision"] for c in eff + ref}, key=lambda p: order.index(p) if p in order else 9)
    print("# effbench / PyTorch on the CPU (median throughput, samples/s; median over rounds)\n")
    print(cpu_header(eff, ref, systems, threads, settings) + "\n")
    # (label, effbench exec, PyTorch exec): like-for-like pairs, then the
    # graph-like tier (effbench's frozen TorchScript vs inductor).
    pairs = [("eager", "eager", "eager"), ("fused", "fused", "fused"), ("graph-like", "fused", "compile")]
    rows, misses, level = [], [], []
    for model in models:
        for mode in ("train", "infer"):
            for precision in precisions:
                for layout in ("contiguous", "channels-last"):
                    for label, eexec, rexec in pairs:
                        key = dict(model=model, mode=mode, precision=precision, fmt=layout)
                        e, r = by_round(eff, exec=eexec, **key), by_round(ref, exec=rexec, **key)
                        if (not e and not r) or (label == "graph-like" and not r):
                            continue  # graph-like: only where the torch has torch.compile
                        ratios = round_ratios(e, r)
                        ratio = statistics.median(ratios) if ratios else None
                        verdict = judge(ratios, CPU_TARGET_LIKE)
                        if verdict == "**MISS**":
                            misses.append(f"{model} {mode} {precision} {layout} {label}")
                        elif verdict.startswith("level"):
                            level.append(f"{model} {mode} {precision} {layout} {label}")
                        lat = "-"
                        if mode == "infer":
                            lat = f'{fmt(latency(eff, exec=eexec, **key))} / {fmt(latency(ref, exec=rexec, **key))}'
                        exec_text = label if eexec == rexec else f"{label} ({eexec if e else '-'} / {rexec})"
                        rows.append([model, mode, precision, layout, exec_text, fmt(median_of(e), 4),
                                     fmt(median_of(r), 4), "-" if ratio is None else f"{ratio:.3f}", spread(ratios),
                                     lat, "-" if ratio is None else f">={CPU_TARGET_LIKE}", verdict])
    print("## Like for like\n")
    print(md_table(["model", "mode", "precision", "memory format", "exec (effbench / PyTorch)", "effbench /s",
                    "PyTorch /s", "ratio", "rounds' range", "batch-1 p50 ms (effbench / PyTorch)", "target", ""],
                   rows))
    print("\ngraph-like: effbench fused (frozen TorchScript + optimize_for_inference) against torch.compile "
          "(inductor); a row with one side only has no counterpart on the other.\n")

    best = []
    for model in models:
        for mode in ("train", "infer"):
            e_mode, e = fastest(eff, model=model, mode=mode)
            r_mode, r = fastest(ref, model=model, mode=mode)
            if not e and not r:
                continue
            ratios = round_ratios(e, r)
            ratio = statistics.median(ratios) if ratios else None
            verdict = judge(ratios, CPU_TARGET_BEST)
            if verdict == "**MISS**":
                misses.append(f"{model} {mode} best/best")
            elif verdict.startswith("level"):
                level.append(f"{model} {mode} best/best")
            best.append([model, mode, fmt(median_of(e), 4), " ".join(e_mode) if e_mode else "-",
                         fmt(median_of(r), 4), " ".join(r_mode) if r_mode else "-",
                         "-" if ratio is None else f"{ratio:.3f}", spread(ratios),
                         f">={CPU_TARGET_BEST}", verdict])
    print("## Best vs best (each side's fastest of all its modes)\n")
    print(md_table(["model", "mode", "effbench /s", "effbench's fastest", "PyTorch /s", "PyTorch's fastest", "ratio",
                    "rounds' range", "target", ""], best))

    def describe(c):
        return f'{c["exec"]} {c["precision"]} {c["fmt"]} {c["model"]} {c["mode"]} (round {c["round"]})'
    not_ok = [f'effbench {describe(c)}: {c["status"]}: {c["reason"]}' for c in eff if c["status"] != "ok"]
    not_ok += [f'PyTorch {describe(c)}: {c["status"]}: {c["reason"]}' for c in ref if c["status"] != "ok"]
    if settings.get("compile", "yes") != "yes":
        not_ok.append(f'PyTorch torch.compile: {settings["compile"]}')
    if not_ok:
        print("\n## Cases not run or not ok\n\n- " + "\n- ".join(not_ok))
    if level:
        print("\nBelow target in the median but not in every round (the rounds' range reaches the target: not "
              "told apart from it on this machine): " + "; ".join(level) + ".")
    print("\n" + ("No target missed in every round." if not misses else
                  "Targets missed in every round: " + "; ".join(misses) + "."))


def judge(ratios, target):
    """ok: the median of the rounds' ratios meets the target; level: it does
    not, but some round does (the spread of this machine covers the gap);
    MISS: no round does."""
    if not ratios:
        return "-"
    if statistics.median(ratios) >= target:
        return "ok"
    return "level (range)" if max(ratios) >= target else "**MISS**"


def main():
    if sys.argv[1] == "--cpu":
        return cpu_main(sys.argv[2])
    out = sys.argv[1]
    eff, ref, ref_not_ok = load(out)
    models = sorted({c["model"] for _, c in eff} | {r["model"] for r in ref},
                    key=lambda m: list(TARGET_BEST).index(m) if m in TARGET_BEST else 9)
    rows, misses = [], []
    comparisons = [("fp32 eager", "fp32", "fp32", None, None, 1.0),
                   ("bf16+channels-last", "bf16cl", "bf16cl", None, None, 1.0),
                   ("best (graph) vs best(eager, compile)", "best", "best", None, None, None)]
    for model in models:
        for mode in ("train", "infer"):
            for label, ecfg, rcfg, _, _, target in comparisons:
                e = eff_value(eff, ecfg, model, mode)
                if ecfg == "best":  # effbench's best: graph, else its best eager figure
                    cands = [x for x in (e, eff_value(eff, "bf16cl", model, mode), eff_value(eff, "fp32", model, mode)) if x]
                    e = max(cands, key=lambda c: c["throughput"]["median"]) if cands else None
                    r = max([x for x in (ref_value(ref, "best", model, mode), ref_value(ref, "bf16cl", model, mode),
                                         ref_value(ref, "fp32", model, mode)) if x], key=lambda r: r["throughput"],
                            default=None)
                    target = TARGET_BEST.get(model, 1.2)
                else:
                    r = ref_value(ref, rcfg, model, mode)
                if e is None and r is None:
                    continue
                ratio = e["throughput"]["median"] / r["throughput"] if e and r else None
                ok = ratio is not None and ratio >= target
                if not ok:
                    misses.append(f"{model} {mode} {label}")
                rows.append([model, mode, label, fmt(e and e["throughput"]["median"], 4),
                             (e or {}).get("exec", "-"), fmt(r and r["throughput"], 4), (r or {}).get("exec", "-"),
                             fmt(ratio), f">={target}", "ok" if ok else "MISS"])
    print("effbench / PyTorch (median throughput, samples/s)")
    print(table(["model", "mode", "comparison", "effbench", "exec", "pytorch", "exec", "ratio", "target", ""], rows))

    fusion = []
    for model in models:
        by_exec = {c.get("exec"): c for cfg, c in eff if cfg == "fusion" and c["model"] == model and c.get("status") == "ok"}
        r = ref_value(ref, "fusion", model, "infer", ["fused"])
        if not by_exec:
            continue
        eager = by_exec.get("eager")
        row = [model]
        for x in ("eager", "fused", "graph"):
            c = by_exec.get(x)
            row += [fmt(c and c["latency_ms"]["p50"]), fmt(c and c["throughput"]["median"], 4)]
        cut = None
        if eager and "fused" in by_exec:
            cut = 1 - by_exec["fused"]["latency_ms"]["p50"] / eager["latency_ms"]["p50"]
        row += [fmt(cut and 100 * cut, 3) + ("%" if cut is not None else ""),
                fmt(r and r.get("latency_p50_ms")), fmt(r and r["throughput"], 4)]
        fusion.append(row)
    if fusion:
        print("\nFusion table, fp32 inference (batch-1 p50 latency ms; throughput samples/s at the run's batch)")
        print(table(["model", "eager ms", "eager/s", "fused ms", "fused/s", "graph ms", "graph/s",
                     "fused latency cut", "pytorch fused ms", "pytorch fused/s"], fusion))

    mfu = []
    for cfg, c in eff:
        if c.get("status") == "ok":
            mfu.append([c["model"], c["mode"], cfg, c.get("exec", "-"), c["precision"],
                        fmt(c.get("achieved_tflops")), fmt(c.get("mfu") and 100 * c["mfu"]) + ("%" if c.get("mfu") else "")])
    if mfu:
        print("\neffbench achieved TFLOP/s and MFU (peak from the hardware catalog or --peak-tflops)")
        print(table(["model", "mode", "config", "exec", "prec", "TFLOP/s", "MFU"], mfu))
    failed = [f'{cfg} {c["model"]} {c["mode"]} {c.get("exec")}: {c.get("error")}' for cfg, c in eff if c.get("status") != "ok"]
    if failed:
        print("\neffbench cases not ok:\n  " + "\n  ".join(failed))
    if ref_not_ok:
        print("\nPyTorch cases not ok:\n  " + "\n  ".join(
            f'{r["config"]} {r["model"]} {r["mode"]} {r["exec"]}: {r["status"]}: {r.get("reason")}' for r in ref_not_ok))
    print("\n" + ("all targets met" if not misses else "targets missed: " + "; ".join(misses)))


if __name__ == "__main__":
    main()
