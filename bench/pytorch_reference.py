#!/usr/bin/env python3
"""PyTorch (Python) reference for bench/gpu_vs_pytorch.sh and bench/cpu_vs_pytorch.sh.

The same models as effbench (src/models/*.cpp), the same optimisers, the same
synthetic device-resident data and the same timing method (warm-up, then
windows of at least --min-time-s bracketed by synchronisations; median of the
windows' throughputs; batch-1 latency p50 over single synchronised calls).
Prints one JSON object per case on stdout.

  python3 bench/pytorch_reference.py --model resnet18 --device cuda --mode train \
      --precision bf16 --channels-last --exec eager

--exec: eager | compile (torch.compile, inductor, default mode; static
shapes; on a cpu, inference also turns on inductor's freezing, PyTorch's own
recipe for CPU inference) | compile-max (mode "max-autotune": CUDA graphs
inside) | graph (torch.cuda.CUDAGraph capture of the step, as effbench's
--exec graph) | fused (torch.jit.trace + freeze + optimize_for_inference,
inference only, fp32/tf32 only, one frozen module per input shape, as
effbench's --exec fused).
Precision flags mirror effbench's Note [Precision modes]: fp32 = TF32 off in
cuBLAS and cuDNN; tf32 = on; bf16/fp16 = autocast (on a cpu:
torch.autocast("cpu", dtype=torch.bfloat16); fp16 training with
torch.cuda.amp.GradScaler).

Every line has "status": "ok", "skipped" (a mode this torch or this
combination does not have, e.g. torch.compile on torch 1.13; exit 0) or
"failed" (the case raised; exit 1), with "reason" when not ok. The reason is
printed on stderr too.
"""
import argparse
import contextlib
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


# --- models, mirroring src/models ------------------------------------------
class Conv6(nn.Module):
    def __init__(self, size=32, classes=10):
        super().__init__()
        layers, c = [], 3
        for i, w in enumerate([64, 64, 128, 128, 256, 256]):
            layers += [nn.Conv2d(c, w, 3, padding=1), nn.ReLU(True)]
            if i % 2 == 1:
                layers.append(nn.MaxPool2d(2))
            c = w
        self.features = nn.Sequential(*layers)
        s = size // 8
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(256 * s * s, 256), nn.ReLU(True),
                                        nn.Linear(256, 256), nn.ReLU(True), nn.Linear(256, classes))

    def forward(self, x):
        return self.classifier(self.features(x))


class Vgg16(nn.Module):
    CFG = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0]

    def __init__(self, size=32, classes=10):
        super().__init__()
        layers, c = [], 3
        for w in self.CFG:
            if w == 0:
                layers.append(nn.MaxPool2d(2))
                continue
            layers += [nn.Conv2d(c, w, 3, padding=1), nn.BatchNorm2d(w), nn.ReLU(True)]
            c = w
        self.features = nn.Sequential(*layers)
        s = size // 32
        self.classifier = nn.Linear(512 * s * s, classes)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.shortcut(x))


class ResNet18(nn.Module):
    def __init__(self, size=32, classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.stem_bn = nn.BatchNorm2d(64)
        blocks, c = [], 64
        for stage, w in enumerate([64, 128, 256, 512]):
            for b in range(2):
                blocks.append(BasicBlock(c, w, 2 if stage > 0 and b == 0 else 1))
                c = w
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        y = F.relu(self.stem_bn(self.stem(x)))
        y = self.blocks(y)
        return self.fc(F.adaptive_avg_pool2d(y, 1).flatten(1))


def inorm(c):
    return nn.InstanceNorm2d(c, affine=False)


class ResnetBlock(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.body = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(d, d, 3), inorm(d), nn.ReLU(True),
                                  nn.ReflectionPad2d(1), nn.Conv2d(d, d, 3), inorm(d))

    def forward(self, x):
        return x + self.body(x)


class Generator(nn.Module):
    def __init__(self, c=3, ngf=64):
        super().__init__()
        layers = [nn.ReflectionPad2d(3), nn.Conv2d(c, ngf, 7), inorm(ngf), nn.ReLU(True)]
        w = ngf
        for _ in range(2):
            layers += [nn.Conv2d(w, w * 2, 3, 2, 1), inorm(w * 2), nn.ReLU(True)]
            w *= 2
        layers += [ResnetBlock(w) for _ in range(9)]
        for _ in range(2):
            layers += [nn.ConvTranspose2d(w, w // 2, 3, 2, 1, output_padding=1), inorm(w // 2), nn.ReLU(True)]
            w //= 2
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, c, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class Discriminator(nn.Module):
    def __init__(self, c=3, ndf=64):
        super().__init__()
        lrelu = lambda: nn.LeakyReLU(0.2, True)  # noqa: E731
        layers = [nn.Conv2d(c, ndf, 4, 2, 1), lrelu()]
        w = ndf
        for _ in range(2):
            layers += [nn.Conv2d(w, w * 2, 4, 2, 1), inorm(w * 2), lrelu()]
            w *= 2
        layers += [nn.Conv2d(w, w * 2, 4, 1, 1), inorm(w * 2), lrelu(), nn.Conv2d(w * 2, 1, 4, 1, 1)]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class CycleGan(nn.Module):
    def __init__(self):
        super().__init__()
        self.g_ab, self.g_ba, self.d_a, self.d_b = Generator(), Generator(), Discriminator(), Discriminator()
        with torch.no_grad():
            for name, p in self.named_parameters():
                p.normal_(0, 0.02) if "weight" in name else p.zero_()

    def forward(self, x):
        return self.g_ab(x)


# --- training steps, mirroring the C++ trainers ----------------------------
def make_train_step(name, model, autocast, scaler):
    if name != "cyclegan":
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=5e-4)

        def step(x, y):
            opt.zero_grad(set_to_none=False)  # LibTorch 1.13's zero_grad() zeroes in place
            with autocast():
                loss = F.cross_entropy(model(x), y)
            if scaler:
                scaler.scale(loss).backward()
                scaler.step(opt)
                scaler.update()
            else:
                loss.backward()
                opt.step()
            return loss.detach()
        return step

    n = model
    opt_g = torch.optim.Adam(list(n.g_ab.parameters()) + list(n.g_ba.parameters()), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(list(n.d_a.parameters()) + list(n.d_b.parameters()), lr=2e-4, betas=(0.5, 0.999))
    lsgan = lambda p, t: F.mse_loss(p, torch.full_like(p, t))  # noqa: E731

    def backward_step(loss, opt):
        if scaler:
            scaler.scale(loss).backward()
            scaler.step(opt)
        else:
            loss.backward()
            opt.step()

    def step(real_a, real_b):
        for p in list(n.d_a.parameters()) + list(n.d_b.parameters()):
            p.requires_grad_(False)
        opt_g.zero_grad(set_to_none=False)
        with autocast():
            fake_b = n.g_ab(real_a)
            rec_a = n.g_ba(fake_b)
            fake_a = n.g_ba(real_b)
            rec_b = n.g_ab(fake_a)
            idw = 10.0 * 0.5
            loss_id = F.l1_loss(n.g_ab(real_b), real_b) * idw + F.l1_loss(n.g_ba(real_a), real_a) * idw
            loss_gan = lsgan(n.d_b(fake_b), 1.0) + lsgan(n.d_a(fake_a), 1.0)
            loss_cyc = F.l1_loss(rec_a, real_a) * 10.0 + F.l1_loss(rec_b, real_b) * 10.0
            loss_g = loss_gan + loss_cyc + loss_id
        backward_step(loss_g, opt_g)
        for p in list(n.d_a.parameters()) + list(n.d_b.parameters()):
            p.requires_grad_(True)
        opt_d.zero_grad(set_to_none=False)
        with autocast():
            loss_d = 0.5 * (lsgan(n.d_b(real_b), 1.0) + lsgan(n.d_b(fake_b.detach()), 0.0)) + \
                0.5 * (lsgan(n.d_a(real_a), 1.0) + lsgan(n.d_a(fake_a.detach()), 0.0))
        backward_step(loss_d, opt_d)
        if scaler:
            scaler.update()
        return (loss_g + loss_d).detach()
    return step


# --- timing, mirroring Note [Timed windows] ---------------------------------
def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed_windows(step, batches, batch, device, args):
    i = 0

    def nxt():
        nonlocal i
        b = batches[i % len(batches)]
        i += 1
        return b
    t0 = time.perf_counter()
    step(*nxt())
    sync(device)
    first = time.perf_counter() - t0
    n, t0 = 0, time.perf_counter()
    while (n + 1 < args.warmup_iterations or time.perf_counter() - t0 + first < args.warmup_s):
        step(*nxt())
        n += 1
        if n % 8 == 0:
            sync(device)
    sync(device)
    per_it = (time.perf_counter() - t0) / n if n else first
    iters = max(1, int(-(-args.min_time_s // max(per_it, 1e-9))))
    rates = []
    for _ in range(args.repeats):
        sync(device)
        t0 = time.perf_counter()
        for _ in range(iters):
            out = step(*nxt())
        sync(device)
        rates.append(iters * batch / (time.perf_counter() - t0))
    return statistics.median(rates), rates, out


def latency_p50(fn, sample, device, args):
    for _ in range(3):
        fn(sample)
    sync(device)
    times, t_start = [], time.perf_counter()
    while len(times) < args.latency_min_calls or time.perf_counter() - t_start < args.latency_min_s:
        t0 = time.perf_counter()
        fn(sample)
        sync(device)
        times.append(1000 * (time.perf_counter() - t0))
    return statistics.median(times)


def capture_graph(fn, static_args, device):
    s = torch.cuda.Stream(device)
    s.wait_stream(torch.cuda.current_stream(device))
    with torch.cuda.stream(s):
        for _ in range(3):
            fn(*static_args)
    torch.cuda.current_stream(device).wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        out = fn(*static_args)
    return g, out


def emit(result, status="ok", reason=None):
    result["status"] = status
    if reason:
        result["reason"] = reason
        print(f"pytorch_reference {result['model']} {result['mode']} {result['precision']} {result['exec']}"
              f"{' channels-last' if result['channels_last'] else ''}: {status}: {reason}", file=sys.stderr)
    print(json.dumps(result), flush=True)


def skip_reason(args, device):
    """Why this torch or this combination has no such case (None: it has)."""
    if args.exec_mode in ("compile", "compile-max") and not hasattr(torch, "compile"):
        return f"torch {torch.__version__} has no torch.compile (PyTorch 2.x)"
    if args.exec_mode == "fused" and args.mode == "train":
        return "--exec fused is inference only"
    if args.exec_mode == "fused" and args.precision not in ("fp32", "tf32"):
        return "--exec fused runs the frozen module in fp32/tf32 only (autocast does not reach inside it)"
    if args.exec_mode == "graph" and device.type != "cuda":
        return "--exec graph needs CUDA graphs (a CUDA device)"
    return None


def compiler(args, device):
    """torch.compile for the case; on a cpu, inference with inductor's freezing
    (weights folded and prepacked for oneDNN), which needs no_grad rather than
    inference_mode."""
    if device.type == "cpu" and args.mode == "infer":
        import torch._inductor.config as inductor_config
        if hasattr(inductor_config, "freezing"):
            inductor_config.freezing = True
    mode = "max-autotune" if args.exec_mode == "compile-max" else None
    return lambda fn: torch.compile(fn, mode=mode, dynamic=False)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True, choices=["conv6", "vgg16", "resnet18", "cyclegan"])
    p.add_argument("--device", default="cuda")
    p.add_argument("--mode", default="infer", choices=["train", "infer"])
    p.add_argument("--precision", default="fp32", choices=["fp32", "tf32", "bf16", "fp16"])
    p.add_argument("--exec", dest="exec_mode", default="eager",
                   choices=["eager", "compile", "compile-max", "graph", "fused"])
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--batch", type=int)
    p.add_argument("--image-size", type=int)
    p.add_argument("--threads", type=int)
    p.add_argument("--warmup-s", type=float, default=1.0)
    p.add_argument("--warmup-iterations", type=int, default=2)
    p.add_argument("--min-time-s", type=float, default=1.0)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--latency-min-s", type=float, default=1.0)
    p.add_argument("--latency-min-calls", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    device = torch.device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    if device.type == "cuda":
        tf32 = args.precision == "tf32"
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
        torch.backends.cudnn.benchmark = True
    classifier = args.model != "cyclegan"
    size = args.image_size or (32 if classifier else (256 if device.type == "cuda" else 64))
    batch = args.batch or (1 if not classifier else (256 if device.type == "cuda" else 64))
    model = {"conv6": Conv6, "vgg16": Vgg16, "resnet18": ResNet18}[args.model](size) if classifier else CycleGan()
    model.to(device)
    fmt = torch.channels_last if args.channels_last else torch.contiguous_format
    if args.channels_last:
        model.to(memory_format=torch.channels_last)
    gen = torch.Generator().manual_seed(args.seed)
    batches = []
    for _ in range(4):
        if classifier:
            x = torch.randn(batch, 3, size, size, generator=gen)
            y = torch.randint(10, (batch,), generator=gen)
        else:
            x = torch.rand(batch, 3, size, size, generator=gen) * 2 - 1
            y = torch.rand(batch, 3, size, size, generator=gen) * 2 - 1
        x = x.to(device).contiguous(memory_format=fmt)
        y = y.to(device)
        if not classifier:
            y = y.contiguous(memory_format=fmt)
        batches.append((x, y))

    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(args.precision)
    cache = args.exec_mode != "graph"

    def autocast():
        return torch.autocast(device.type, dtype=dtype, enabled=dtype is not None, cache_enabled=cache)

    result = {"impl": "pytorch", "torch": torch.__version__, "model": args.model, "device": args.device,
              "mode": args.mode, "precision": args.precision, "exec": args.exec_mode,
              "channels_last": args.channels_last, "batch": batch, "image_size": size,
              "threads": torch.get_num_threads()}
    reason = skip_reason(args, device)
    if reason:
        return emit(result, "skipped", reason)
    try:
        measure(args, device, model, batches, batch, autocast, result)
    except Exception as e:  # one failing case is a record with its message
        emit(result, "failed", f"{type(e).__name__}: {' '.join(str(e).split())[:400]}")
        sys.exit(1)
    emit(result)


def measure(args, device, model, batches, batch, autocast, result):
    if args.mode == "train":
        model.train()
        scaler = torch.cuda.amp.GradScaler() if args.precision == "fp16" else None
        step = make_train_step(args.model, model, autocast, scaler)
        if args.exec_mode in ("compile", "compile-max"):
            step = compiler(args, device)(step)
        elif args.exec_mode == "graph":
            sx, sy = batches[0][0].clone(), batches[0][1].clone()
            g, out = capture_graph(step, (sx, sy), device)

            def step(x, y):  # noqa: F811
                sx.copy_(x)
                sy.copy_(y)
                g.replay()
                return out
        result["throughput"], result["windows"], _ = timed_windows(step, batches, batch, device, args)
    else:
        model.eval()
        compiled = args.exec_mode in ("compile", "compile-max")
        # Eager inference: one autocast region around the whole case, so the
        # casts of the weights are made once and reused (autocast's cache), as
        # effbench does (Note [One autocast region per inference case]).
        region = autocast() if args.exec_mode == "eager" else contextlib.nullcontext()
        with torch.no_grad() if compiled else torch.inference_mode(), region:
            def eager(x):
                with autocast():
                    return model(x)
            fn, fn1 = eager, eager
            if compiled:
                fn = fn1 = compiler(args, device)(eager)
                result["inductor_freezing"] = bool(getattr(torch._inductor.config, "freezing", False))
            elif args.exec_mode == "fused":
                # One frozen module per input shape, as effbench (the
                # profiling executor specialises a module on the shapes it saw).
                # TorchScript's CPU fuser off, as effbench (Note [CPU fuser]):
                # Debian's 2.6 compiles its fusion groups with LLVM, and vgg16
                # channels-last had not returned after 400 s.
                if device.type == "cpu":
                    torch._C._jit_override_can_fuse_on_cpu(False)

                def frozen(example):
                    with torch.no_grad():
                        traced = torch.jit.trace(model, example)
                        return torch.jit.optimize_for_inference(torch.jit.freeze(traced))
                fused, fused1 = frozen(batches[0][0]), frozen(batches[0][0][:1])
                fn, fn1 = (lambda x: fused(x)), (lambda x: fused1(x))  # noqa: E731
            elif args.exec_mode == "graph":
                sb, s1 = batches[0][0].clone(), batches[0][0][:1].clone()
                gb, ob = capture_graph(eager, (sb,), device)
                g1, o1 = capture_graph(eager, (s1,), device)

                def fn(x):
                    sb.copy_(x)
                    gb.replay()
                    return ob

                def fn1(x):
                    s1.copy_(x)
                    g1.replay()
                    return o1
            ref = eager(batches[0][0]).float()
            got = fn(batches[0][0]).float()
            result["max_rel_diff_vs_eager"] = float((got - ref).abs().max() / max(1.0, float(ref.abs().max())))
            result["throughput"], result["windows"], _ = timed_windows(lambda x, y: fn(x), batches, batch,
                                                                       device, args)
            result["latency_p50_ms"] = latency_p50(fn1, batches[0][0][:1].clone(), device, args)


if __name__ == "__main__":
    main()
