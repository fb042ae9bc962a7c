#!/usr/bin/env python3
"""Tables of bench/gpu_vs_pytorch.sh from its result folder: effbench-*.json
(effbench run records) and pytorch.jsonl (bench/pytorch_reference.py lines).
Standard library only."""
import glob
import json
import os
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
    return eff, ref


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


def main():
    out = sys.argv[1]
    eff, ref = load(out)
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
    print("\n" + ("all targets met" if not misses else "targets missed: " + "; ".join(misses)))


if __name__ == "__main__":
    main()
