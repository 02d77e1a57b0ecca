#!/usr/bin/env python3
"""Writes the PyTorch cross-check fixtures of nnzoo's engine to Tests/Fixtures/torch/*.json.

Each file holds cases: inputs, weights, outputs, and input/weight gradients (for a fixed random
upstream gradient `grad_output`) computed by PyTorch, which Tests/NNLayersTests/TorchReferenceTests.swift
compares against within 1e-4 relative. Every file records the PyTorch version that made it.

Re-runnable: the values come from torch.manual_seed, so a rerun with the same PyTorch gives the
same files. The first seven files share one random stream and are always written together; they were
made with Debian's PyTorch 1.13, and PyTorch 2.13 makes the same inputs and agrees on every output
within 5e-5 relative (the tests allow 1e-4). Each later file draws from a seed of its own, so it can
be written alone, and was made with PyTorch 2.13. Name the files to write (default: all). Run with
the repository's PyTorch environment (PyTorch is never a dependency of the build or tests):
    "$(Tools/torch-venv)" Tools/reference/torch_fixtures.py [pooling.json ...]
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "torch")


def tensor(t):
    """A tensor as JSON: float32 values (float64 ones keep their precision)."""
    t = t.detach()
    if t.dtype != torch.float64:
        t = t.to(torch.float32)
    t = t.contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def case(name, config=None, tensors=None, labels=None, numbers=None):
    return {
        "name": name,
        "config": config or {},
        "tensors": {k: tensor(v) for k, v in (tensors or {}).items()},
        "labels": labels or [],
        "numbers": numbers or {},
    }


def write(filename, cases):
    os.makedirs(OUT, exist_ok=True)
    doc = {
        "generated_by": "Tools/reference/torch_fixtures.py",
        "torch_version": torch.__version__,
        "cases": cases,
    }
    path = os.path.join(OUT, filename)
    with open(path + ".tmp", "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    os.replace(path + ".tmp", path)
    print(f"wrote {os.path.relpath(path, ROOT)} ({len(cases)} cases)")


def run_layer(module, x, training=True):
    """Forward `x`, backward a random grad_output; returns output, grad_output, grad_input."""
    module.train(training)
    x = x.clone().requires_grad_(True)
    y = module(x)
    g = torch.randn_like(y)
    y.backward(g)
    return y, g, x.grad


def dense_cases():
    def dense_case(n, i, o, name):
        layer = torch.nn.Linear(i, o)
        x = torch.randn(n, i)
        y, g, gx = run_layer(layer, x)
        return case(
            name, {"in": i, "out": o},
            {"input": x, "weight": layer.weight, "bias": layer.bias, "output": y, "grad_output": g,
             "grad_input": gx, "grad_weight": layer.weight.grad, "grad_bias": layer.bias.grad})

    cases = [dense_case(n, i, o, f"linear_{i}_{o}") for n, i, o in [(4, 5, 3), (16, 20, 10)]]
    # A batch with fewer rows than outputs (nnzoo computes that product the other way round), drawn
    # from a seed of its own so that the other fixtures keep their values.
    with torch.random.fork_rng():
        torch.manual_seed(7)
        cases.append(dense_case(3, 12, 16, "linear_12_16_batch_3"))
    return cases


def conv_cases():
    cases = []
    for (n, c, h, w, o, k, s, p) in [(2, 2, 7, 6, 3, 3, 2, 1), (2, 3, 9, 9, 4, 5, 1, 2), (3, 1, 12, 12, 5, 5, 1, 0),
                                     (2, 2, 8, 7, 3, 3, 3, 0)]:
        layer = torch.nn.Conv2d(c, o, k, stride=s, padding=p)
        x = torch.randn(n, c, h, w)
        y, g, gx = run_layer(layer, x)
        cases.append(case(
            f"conv_{c}_{o}_k{k}_s{s}_p{p}", {"in": c, "out": o, "kernel": k, "stride": s, "padding": p},
            {"input": x, "weight": layer.weight, "bias": layer.bias, "output": y, "grad_output": g,
             "grad_input": gx, "grad_weight": layer.weight.grad, "grad_bias": layer.bias.grad}))
    return cases


def maxpool_cases():
    cases = []
    for (n, c, h, w, k, s, p) in [(2, 3, 8, 8, 2, 2, 0), (2, 2, 7, 9, 3, 2, 1), (1, 2, 6, 6, 3, 1, 0)]:
        layer = torch.nn.MaxPool2d(k, stride=s, padding=p)
        x = torch.randn(n, c, h, w)
        y, g, gx = run_layer(layer, x)
        cases.append(case(f"maxpool_k{k}_s{s}_p{p}", {"kernel": k, "stride": s, "padding": p},
                          {"input": x, "output": y, "grad_output": g, "grad_input": gx}))
    return cases


def batchnorm_cases():
    cases = []
    for dims, shape in [(1, (8, 4)), (1, (5, 3, 6)), (2, (4, 3, 5, 5))]:
        for training in (True, False):
            features = shape[1]
            layer = (torch.nn.BatchNorm1d if dims == 1 else torch.nn.BatchNorm2d)(features)
            with torch.no_grad():
                layer.weight.uniform_(0.5, 1.5)
                layer.bias.uniform_(-0.5, 0.5)
                layer.running_mean.uniform_(-0.5, 0.5)
                layer.running_var.uniform_(0.5, 1.5)
            running_mean_before = layer.running_mean.clone()
            running_var_before = layer.running_var.clone()
            x = torch.randn(*shape) * 2 + 0.5
            y, g, gx = run_layer(layer, x, training)
            cases.append(case(
                f"batchnorm{dims}d_{'x'.join(map(str, shape))}_{'train' if training else 'eval'}",
                {"dimensions": dims, "features": features, "training": int(training), "eps": layer.eps,
                 "momentum": layer.momentum},
                {"input": x, "weight": layer.weight, "bias": layer.bias, "running_mean": running_mean_before,
                 "running_var": running_var_before, "output": y, "grad_output": g, "grad_input": gx,
                 "grad_weight": layer.weight.grad, "grad_bias": layer.bias.grad,
                 "running_mean_after": layer.running_mean, "running_var_after": layer.running_var},
                numbers={"num_batches_tracked_after": int(layer.num_batches_tracked)}))
    return cases


def activation_cases():
    cases = []
    x = torch.randn(6, 7) * 3
    for name, module in [("relu", torch.nn.ReLU()), ("sigmoid", torch.nn.Sigmoid()), ("tanh", torch.nn.Tanh()),
                         ("softmax", torch.nn.Softmax(dim=1)), ("log_softmax", torch.nn.LogSoftmax(dim=1))]:
        y, g, gx = run_layer(module, x)
        cases.append(case(name, tensors={"input": x, "output": y, "grad_output": g, "grad_input": gx}))
    return cases


def pooling_cases():
    """AvgPool2d (padding counted or not) and AdaptiveAvgPool2d (windows that divide the input
    evenly, that overlap, and global pooling)."""
    cases = []
    for (n, c, h, w, k, s, p, include) in [(2, 3, 8, 8, 2, 2, 0, True), (2, 2, 7, 9, 3, 2, 1, True),
                                           (2, 2, 7, 9, 3, 2, 1, False), (1, 2, 6, 5, 3, 1, 1, False)]:
        layer = torch.nn.AvgPool2d(k, stride=s, padding=p, count_include_pad=include)
        x = torch.randn(n, c, h, w)
        y, g, gx = run_layer(layer, x)
        cases.append(case(f"avgpool_k{k}_s{s}_p{p}_{'include' if include else 'exclude'}",
                          {"kernel": k, "stride": s, "padding": p, "count_include_pad": int(include)},
                          {"input": x, "output": y, "grad_output": g, "grad_input": gx}))
    for (n, c, h, w, oh, ow) in [(2, 3, 8, 8, 2, 2), (2, 2, 7, 9, 3, 4), (2, 4, 5, 5, 1, 1), (1, 2, 3, 4, 5, 6)]:
        layer = torch.nn.AdaptiveAvgPool2d((oh, ow))
        x = torch.randn(n, c, h, w)
        y, g, gx = run_layer(layer, x)
        cases.append(case(f"adaptive_avgpool_{h}x{w}_to_{oh}x{ow}", {"out_h": oh, "out_w": ow},
                          {"input": x, "output": y, "grad_output": g, "grad_input": gx}))
    return cases


def more_activation_cases():
    """LeakyReLU (PyTorch's default slope, another, and a negative one) and GELU (exact and tanh)."""
    cases = []
    x = torch.randn(6, 7) * 3
    x[0, 0] = 0.0  # the gradient at 0 is the slope's, as in PyTorch
    for name, config, module in [
        ("leaky_relu", {"negative_slope": 0.01}, torch.nn.LeakyReLU()),
        ("leaky_relu_0.2", {"negative_slope": 0.2}, torch.nn.LeakyReLU(0.2)),
        ("leaky_relu_negative", {"negative_slope": -0.5}, torch.nn.LeakyReLU(-0.5)),
        ("gelu", {"tanh": 0}, torch.nn.GELU()),
        ("gelu_tanh", {"tanh": 1}, torch.nn.GELU(approximate="tanh")),
    ]:
        y, g, gx = run_layer(module, x)
        cases.append(case(name, config, {"input": x, "output": y, "grad_output": g, "grad_input": gx}))
    return cases


def init_cases():
    """torch.nn.init's distributions: each case names an initialiser as a recipe writes it, a weight
    shape, and the fans, gain and distribution PyTorch uses for it, checked here against PyTorch's own
    function (filling with it and with uniform_/normal_ of the recorded parameters from the same seed
    gives the same tensor)."""
    import json as _json
    import math
    init = torch.nn.init
    specs = [
        ({"type": "xavier_uniform"}, [30, 20]),
        ({"type": "xavier_uniform", "gain": 2.0}, [10, 3, 5, 5]),
        ({"type": "xavier_uniform", "gain": "relu"}, [64, 32]),
        ({"type": "xavier_normal"}, [30, 20]),
        ({"type": "xavier_normal", "gain": "tanh"}, [8, 4, 3, 3]),
        ({"type": "kaiming_uniform"}, [30, 20]),
        ({"type": "kaiming_uniform", "a": math.sqrt(5)}, [10, 3, 5, 5]),
        ({"type": "kaiming_uniform", "mode": "fan_out", "nonlinearity": "relu"}, [8, 4, 3, 3]),
        ({"type": "kaiming_normal"}, [100, 784]),
        ({"type": "kaiming_normal", "mode": "fan_out", "nonlinearity": "tanh"}, [20, 10, 5, 5]),
        ({"type": "kaiming_normal", "a": 0.2, "nonlinearity": "leaky_relu"}, [16, 8]),
        ({"type": "kaiming_uniform", "nonlinearity": "selu"}, [16, 8]),
        ({"type": "kaiming_uniform", "nonlinearity": "sigmoid"}, [16, 8]),
        ({"type": "normal", "mean": 0, "std": 0.01}, [256, 784]),
        ({"type": "uniform", "a": -0.1, "b": 0.3}, [5, 4]),
    ]
    cases = []
    for spec, shape in specs:
        t = torch.empty(*shape)
        fan_in, fan_out = init._calculate_fan_in_and_fan_out(t)
        kind = spec["type"]
        gain = spec.get("gain", 1.0)
        if isinstance(gain, str):
            gain = init.calculate_gain(gain)
        if kind.startswith("kaiming"):
            a = spec.get("a", 0)
            gain = init.calculate_gain(spec.get("nonlinearity", "leaky_relu"), a)
            fan = fan_in if spec.get("mode", "fan_in") == "fan_in" else fan_out
        if kind == "xavier_uniform":
            low, high = -gain * math.sqrt(6.0 / (fan_in + fan_out)), gain * math.sqrt(6.0 / (fan_in + fan_out))
            fill = lambda x: init.xavier_uniform_(x, gain=gain)
        elif kind == "xavier_normal":
            mean, std = 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out))
            fill = lambda x: init.xavier_normal_(x, gain=gain)
        elif kind == "kaiming_uniform":
            high = gain * math.sqrt(3.0 / fan)
            low = -high
            fill = lambda x: init.kaiming_uniform_(x, a=spec.get("a", 0), mode=spec.get("mode", "fan_in"),
                                                   nonlinearity=spec.get("nonlinearity", "leaky_relu"))
        elif kind == "kaiming_normal":
            mean, std = 0.0, gain / math.sqrt(fan)
            fill = lambda x: init.kaiming_normal_(x, a=spec.get("a", 0), mode=spec.get("mode", "fan_in"),
                                                  nonlinearity=spec.get("nonlinearity", "leaky_relu"))
        elif kind == "normal":
            mean, std = spec["mean"], spec["std"]
            fill = lambda x: init.normal_(x, mean, std)
        else:
            low, high = spec["a"], spec["b"]
            fill = lambda x: init.uniform_(x, low, high)
        torch.manual_seed(5)
        filled = fill(torch.empty(*shape))
        torch.manual_seed(5)
        if "uniform" in kind:
            reference = torch.empty(*shape).uniform_(low, high)
            numbers = {"low": low, "high": high}
        else:
            reference = torch.empty(*shape).normal_(mean, std)
            numbers = {"mean": mean, "std": std}
        assert torch.equal(filled, reference), spec
        numbers.update({"fan_in": fan_in, "fan_out": fan_out, "gain": gain})
        cases.append(case(_json.dumps(spec, sort_keys=True), {"rank": len(shape)},
                          {"shape": torch.tensor(shape, dtype=torch.float32)}, numbers=numbers))
    return cases


def more_loss_cases():
    """The recipe losses over class labels, each from PyTorch's class or ops: CrossEntropyLoss with
    label_smoothing; MSELoss (the mean, not the notebooks' half) on one-hot targets and on one output
    with targets +-1; BCEWithLogitsLoss on one output; the notebooks' hinge max(0, 1 - y*out) averaged over
    every element (no PyTorch class computes it: written with clamp), on one output with targets +-1 and
    one-vs-rest over ten outputs (+1 for the true class, -1 for the others)."""
    cases = []

    def run(name, fn, inputs, labels, config=None, extra=None):
        z = inputs.clone().requires_grad_(True)
        value = fn(z)
        value.backward()
        tensors = {"input": inputs, "grad_input": z.grad}
        tensors.update(extra or {})
        cases.append(case(name, config, tensors, labels=labels.tolist(), numbers={"value": value.item()}))

    logits = torch.randn(8, 10) * 3
    labels = torch.randint(0, 10, (8,))
    for smoothing in (0.1, 0.3):
        run(f"cross_entropy_smoothing_{smoothing}",
            lambda z: torch.nn.CrossEntropyLoss(label_smoothing=smoothing)(z, labels), logits, labels,
            {"label_smoothing": smoothing})

    outputs = torch.randn(8, 10)
    one_hot = F.one_hot(labels, 10).float()
    run("mse_one_hot", lambda z: torch.nn.MSELoss()(z, one_hot), outputs, labels, extra={"target": one_hot})

    binary = torch.randint(0, 2, (12,))
    signs = (binary.float() * 2 - 1).reshape(12, 1)
    single = torch.randn(12, 1) * 2
    run("mse_one_output", lambda z: torch.nn.MSELoss()(z, signs), single, binary, extra={"target": signs})
    run("bce_with_logits", lambda z: torch.nn.BCEWithLogitsLoss()(z, binary.float().reshape(12, 1)),
        single * 2, binary, extra={"target": binary.float().reshape(12, 1)})
    run("hinge_one_output", lambda z: torch.clamp(1 - z * signs, min=0).mean(), single, binary,
        extra={"target": signs})
    one_vs_rest = one_hot * 2 - 1
    run("hinge_one_vs_rest", lambda z: torch.clamp(1 - z * one_vs_rest, min=0).mean(), outputs * 1.5, labels,
        extra={"target": one_vs_rest})
    return cases


def loss_cases():
    cases = []
    logits = torch.randn(8, 10) * 3
    labels = torch.randint(0, 10, (8,))
    z = logits.clone().requires_grad_(True)
    value = F.cross_entropy(z, labels)
    value.backward()
    cases.append(case("cross_entropy", tensors={"input": logits, "grad_input": z.grad},
                      labels=labels.tolist(), numbers={"value": value.item()}))

    logp = F.log_softmax(torch.randn(8, 10) * 2, dim=1)
    z = logp.clone().requires_grad_(True)
    value = F.nll_loss(z, labels)
    value.backward()
    cases.append(case("nll", tensors={"input": logp, "grad_input": z.grad},
                      labels=labels.tolist(), numbers={"value": value.item()}))

    pred, target = torch.randn(6, 3), torch.randn(6, 3)
    z = pred.clone().requires_grad_(True)
    value = 0.5 * F.mse_loss(z, target)  # 1/(2N) Σ (y - ŷ)², N = number of elements
    value.backward()
    cases.append(case("mse_half", tensors={"input": pred, "target": target, "grad_input": z.grad},
                      numbers={"value": value.item()}))

    pred = torch.randn(12) * 2
    target = torch.randint(0, 2, (12,)).float() * 2 - 1
    z = pred.clone().requires_grad_(True)
    value = torch.clamp(1 - z * target, min=0).mean()
    value.backward()
    cases.append(case("hinge", tensors={"input": pred, "target": target, "grad_input": z.grad},
                      numbers={"value": value.item()}))

    w = torch.randn(5, 4)
    z = w.clone().requires_grad_(True)
    lam = 0.3
    value = lam / 2 * (z ** 2).sum()
    value.backward()
    cases.append(case("l2", {"lambda": lam}, tensors={"input": w, "grad_input": z.grad},
                      numbers={"value": value.item()}))
    return cases


def optimizer_case(name, make, config, steps=3):
    """`steps` updates of two parameters with fixed gradients; records every intermediate value."""
    params = [torch.randn(4, 3, requires_grad=True), torch.randn(3, requires_grad=True)]
    opt = make(params)
    # clone everything recorded: the optimizer updates parameters and state in place
    tensors = {"param0_initial": params[0].detach().clone(), "param1_initial": params[1].detach().clone()}
    for step in range(1, steps + 1):
        grads = [torch.randn_like(p) for p in params]
        for p, gr in zip(params, grads):
            p.grad = gr.clone()
        opt.step()
        for i, (p, gr) in enumerate(zip(params, grads)):
            tensors[f"grad{i}_step{step}"] = gr
            tensors[f"param{i}_step{step}"] = p.detach().clone()
            for key, value in opt.state[p].items():
                if torch.is_tensor(value) and value.dim() > 0:
                    tensors[f"{key}{i}_step{step}"] = value.clone()
    return case(name, dict(config, steps=steps), tensors)


def optimizer_cases():
    torch_sgd, torch_adam = torch.optim.SGD, torch.optim.Adam
    return [
        optimizer_case("sgd_momentum", lambda p: torch_sgd(p, lr=0.1, momentum=0.9),
                       {"lr": 0.1, "momentum": 0.9, "dampening": 0, "nesterov": 0, "weight_decay": 0}),
        optimizer_case("sgd_nesterov_weight_decay",
                       lambda p: torch_sgd(p, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01),
                       {"lr": 0.05, "momentum": 0.8, "dampening": 0, "nesterov": 1, "weight_decay": 0.01}),
        optimizer_case("sgd_dampening", lambda p: torch_sgd(p, lr=0.1, momentum=0.5, dampening=0.3),
                       {"lr": 0.1, "momentum": 0.5, "dampening": 0.3, "nesterov": 0, "weight_decay": 0}),
        optimizer_case("adam", lambda p: torch_adam(p, lr=0.01),
                       {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0}),
        optimizer_case("adam_weight_decay",
                       lambda p: torch_adam(p, lr=0.003, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
                       {"lr": 0.003, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.1}),
    ]


def more_optimizer_cases():
    """RMSprop (PyTorch's defaults; with momentum, centred, weight decay) and AdamW."""
    rmsprop, adamw = torch.optim.RMSprop, torch.optim.AdamW
    return [
        optimizer_case("rmsprop", lambda p: rmsprop(p, lr=0.01),
                       {"lr": 0.01, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0, "momentum": 0, "centered": 0}),
        optimizer_case("rmsprop_momentum_centered_weight_decay",
                       lambda p: rmsprop(p, lr=0.005, alpha=0.9, eps=1e-6, weight_decay=0.01, momentum=0.9,
                                         centered=True),
                       {"lr": 0.005, "alpha": 0.9, "eps": 1e-6, "weight_decay": 0.01, "momentum": 0.9, "centered": 1}),
        optimizer_case("rmsprop_centered", lambda p: rmsprop(p, lr=0.01, centered=True),
                       {"lr": 0.01, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0, "momentum": 0, "centered": 1}),
        optimizer_case("adamw", lambda p: adamw(p, lr=0.01),
                       {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01}),
        optimizer_case("adamw_custom", lambda p: adamw(p, lr=0.003, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
                       {"lr": 0.003, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.1}),
    ]


def schedule_cases():
    """Learning rates (and OneCycleLR's momentum) step by step as PyTorch's schedulers set them: the value
    each optimizer step uses. OneCycleLR steps per batch over epochs x batches steps; the epoch
    schedules step per epoch, with a linear warm-up chained in front (LinearLR from 1/(k+1) over k
    epochs, ChainedScheduler)."""
    sched = torch.optim.lr_scheduler
    cases = []

    def record(name, config, make_optimizer, make_scheduler, steps):
        param = torch.zeros(1, requires_grad=True)
        opt = make_optimizer([param])
        scheduler = make_scheduler(opt)
        lrs, momenta = [], []
        for _ in range(steps):
            group = opt.param_groups[0]
            lrs.append(group["lr"])
            momenta.append(group["betas"][0] if "betas" in group else group.get("momentum", 0.0))
            param.grad = torch.zeros(1)
            opt.step()
            scheduler.step()
        tensors = {"lr": torch.tensor(lrs, dtype=torch.float64), "momentum": torch.tensor(momenta)}
        cases.append(case(name, dict(config, steps=steps), tensors))

    sgd = lambda momentum: (lambda p: torch.optim.SGD(p, lr=0.1, momentum=momentum))
    # 5 epochs of 7 batches.
    record("onecycle", {"max_lr": 0.1, "pct_start": 0.3, "div_factor": 25, "final_div_factor": 1e4,
                        "cycle_momentum": 1, "base_momentum": 0.85, "max_momentum": 0.95, "epochs": 5, "batches": 7,
                        "optimizer": 0},
           sgd(0.9), lambda o: sched.OneCycleLR(o, max_lr=0.1, epochs=5, steps_per_epoch=7), 35)
    record("onecycle_custom", {"max_lr": 0.05, "pct_start": 0.25, "div_factor": 10, "final_div_factor": 100,
                               "cycle_momentum": 1, "base_momentum": 0.8, "max_momentum": 0.9, "epochs": 4,
                               "batches": 10, "optimizer": 0},
           sgd(0), lambda o: sched.OneCycleLR(o, max_lr=0.05, epochs=4, steps_per_epoch=10, pct_start=0.25,
                                               div_factor=10, final_div_factor=100, base_momentum=0.8,
                                               max_momentum=0.9), 40)
    record("onecycle_adam", {"max_lr": 0.01, "pct_start": 0.3, "div_factor": 25, "final_div_factor": 1e4,
                             "cycle_momentum": 1, "base_momentum": 0.85, "max_momentum": 0.95, "epochs": 3,
                             "batches": 6, "optimizer": 1},
           lambda p: torch.optim.Adam(p, lr=0.01), lambda o: sched.OneCycleLR(o, max_lr=0.01, epochs=3,
                                                                              steps_per_epoch=6), 18)
    record("onecycle_no_momentum_cycle", {"max_lr": 0.1, "pct_start": 0.3, "div_factor": 25,
                                          "final_div_factor": 1e4, "cycle_momentum": 0, "base_momentum": 0.85,
                                          "max_momentum": 0.95, "epochs": 2, "batches": 9, "optimizer": 0},
           sgd(0.9), lambda o: sched.OneCycleLR(o, max_lr=0.1, epochs=2, steps_per_epoch=9, cycle_momentum=False),
           18)
    record("cosine", {"lr": 0.1, "epochs": 8, "warmup": 0}, sgd(0.9), lambda o: sched.CosineAnnealingLR(o, T_max=8), 8)
    for k in (1, 3):
        record(f"cosine_warmup_{k}", {"lr": 0.1, "epochs": 10, "warmup": k}, sgd(0.9),
               lambda o: sched.ChainedScheduler([sched.LinearLR(o, start_factor=1 / (k + 1), total_iters=k),
                                                 sched.CosineAnnealingLR(o, T_max=10)]), 10)
    record("step_warmup_2", {"lr": 0.1, "epochs": 10, "warmup": 2, "step_size": 3, "gamma": 0.5}, sgd(0.9),
           lambda o: sched.ChainedScheduler([sched.LinearLR(o, start_factor=1 / 3, total_iters=2),
                                             sched.StepLR(o, step_size=3, gamma=0.5)]), 10)
    record("constant_warmup_4", {"lr": 0.1, "epochs": 8, "warmup": 4}, sgd(0.9),
           lambda o: sched.LinearLR(o, start_factor=1 / 5, total_iters=4), 8)
    return cases


# Written in this order from one random stream (seeded 20240601), so always together.
SHARED_STREAM = [
    ("dense.json", dense_cases), ("conv2d.json", conv_cases), ("maxpool2d.json", maxpool_cases),
    ("batchnorm.json", batchnorm_cases), ("activations.json", activation_cases), ("losses.json", loss_cases),
    ("optimizers.json", optimizer_cases),
]
# Each from its own seed.
SEEDED = [
    ("pooling.json", pooling_cases, 17001),
    ("activations2.json", more_activation_cases, 17002),
    ("init.json", init_cases, 17003),
    ("losses2.json", more_loss_cases, 17004),
    ("optimizers2.json", more_optimizer_cases, 17005),
    ("schedules.json", schedule_cases, 17006),
]


def main():
    wanted = set(sys.argv[1:])
    known = [name for name, _ in SHARED_STREAM] + [name for name, _, _ in SEEDED]
    unknown = sorted(wanted - set(known))
    if unknown:
        sys.exit(f"unknown fixture file(s) {', '.join(unknown)}; known: {', '.join(known)}")
    torch.set_num_threads(1)
    print(f"torch {torch.__version__} (python {sys.version.split()[0]})")
    if not wanted or wanted & {name for name, _ in SHARED_STREAM}:
        torch.manual_seed(20240601)
        for name, make in SHARED_STREAM:
            write(name, make())
    for name, make, seed in SEEDED:
        if not wanted or name in wanted:
            torch.manual_seed(seed)
            write(name, make())


if __name__ == "__main__":
    main()
