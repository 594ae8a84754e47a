#!/usr/bin/python3
"""The globals that real ML libraries write into their pickles: lib/formats/ml-globals.json.

Run with Debian's Python (`npm run ml-globals`) after
  apt-get install -y python3-torch python3-numpy python3-sklearn python3-pandas python3-joblib
The JSON is committed; nothing at run time or in the tests needs Python.

Every scikit-learn estimator that fits on a small numeric problem (sklearn.utils.all_estimators), pandas
objects of every common dtype, numpy scalars and arrays, torch tensors, modules, optimizers and schedulers
are pickled here with the libraries' own writers (pickle protocols 2–5, joblib.dump, DataFrame.to_pickle,
torch.save), and each pickle is read back by an Unpickler whose find_class records what it imports. Only
objects built by the libraries themselves are pickled: nothing here is hand-written opcode by opcode.
Globals that can run code whatever their arguments are never recorded (they are checked against the
policy's own reasons by test/unit/formats/ml-globals.test.ts).
"""
import io
import json
import os
import pickle
import sys
import warnings

import joblib
import numpy as np
import pandas as pd
import sklearn
import torch
from sklearn.utils import all_estimators

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "lib", "formats", "ml-globals.json")
SEEN = {}  # "module.name" -> set of writers


class Recorder(pickle.Unpickler):
    writer = ""

    def find_class(self, module, name):
        SEEN.setdefault(f"{module}.{name}", set()).add(self.writer)
        return super().find_class(module, name)


def record(data, writer):
    r = Recorder(io.BytesIO(data))
    r.writer = writer
    r.load()


def pickles(obj, writer):
    for proto in (2, 4, 5):
        record(pickle.dumps(obj, protocol=proto), writer)


def joblib_pickle(obj, writer):
    # joblib.dump writes a pickle whose arrays follow their wrappers; joblib.load reads it with its own
    # Unpickler subclass, whose find_class is wrapped here to record what it imports.
    from joblib import numpy_pickle

    buf = io.BytesIO()
    joblib.dump(obj, buf)
    buf.seek(0)
    original = numpy_pickle.NumpyUnpickler.find_class

    def find_class(self, module, name):
        SEEN.setdefault(f"{module}.{name}", set()).add(writer)
        return original(self, module, name)

    numpy_pickle.NumpyUnpickler.find_class = find_class
    try:
        joblib.load(buf)
    finally:
        numpy_pickle.NumpyUnpickler.find_class = original


# ---- scikit-learn: every estimator that fits on a small problem of its kind
rng = np.random.RandomState(0)
X = rng.rand(40, 4)
y_class = np.array([0, 1] * 20)
y_reg = rng.rand(40)
fitted = 0
for name, Est in all_estimators():
    try:
        est = Est()
    except Exception:
        continue
    for target in (y_class, y_reg, None):
        try:
            est.fit(X, target) if target is not None else est.fit(X)
            break
        except Exception:
            continue
    else:
        continue
    try:
        pickles(est, f"sklearn {sklearn.__version__}")
        joblib_pickle(est, f"joblib {joblib.__version__}")
        fitted += 1
    except Exception as e:
        print(f"{name}: not pickled ({type(e).__name__}: {e})", file=sys.stderr)

# ---- scikit-learn's composites, which need their parts to be built
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import BaggingClassifier, StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

frame_X = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": list("xyzw") * 10})
for comp in (
    Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())]).fit(X, y_class),
    make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y_class),
    FeatureUnion([("a", StandardScaler()), ("b", FunctionTransformer(np.log1p))]).fit(X),
    ColumnTransformer([("num", StandardScaler(), ["a", "b"]), ("cat", OneHotEncoder(), ["c"])]).fit(frame_X),
    GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2).fit(X, y_class),
    VotingClassifier([("a", LogisticRegression()), ("b", LogisticRegression(C=0.5))]).fit(X, y_class),
    StackingClassifier([("a", LogisticRegression())], cv=2).fit(X, y_class),
    BaggingClassifier(LogisticRegression(), n_estimators=2).fit(X, y_class),
):
    pickles(comp, f"sklearn {sklearn.__version__}")
    joblib_pickle(comp, f"joblib {joblib.__version__}")

# ---- pandas: frames and series of the common dtypes, indexes, categoricals, timestamps and periods
frame = pd.DataFrame(
    {
        "i": np.arange(4),
        "f": np.linspace(0, 1, 4),
        "s": list("abcd"),
        "b": [True, False, True, False],
        "t": pd.date_range("2024-01-01", periods=4, tz="UTC"),
        "naive": pd.date_range("2024-01-01", periods=4),
        "d": pd.to_timedelta(np.arange(4), unit="s"),
        "c": pd.Categorical(list("xyxy")),
        "n": pd.array([1, None, 3, 4], dtype="Int64"),
        "str": pd.array(list("abcd"), dtype="string"),
        "p": pd.period_range("2024-01", periods=4, freq="M"),
        "iv": pd.interval_range(0, 4),
    }
)
for obj in (
    frame,
    frame.set_index("t"),
    frame.set_index(["s", "i"]),
    frame["f"],
    pd.Series([1.0, 2.0], index=pd.Index(["a", "b"], name="k")),
    pd.RangeIndex(3),
    pd.Timestamp("2024-01-01"),
    pd.Timedelta("1s"),
    pd.Period("2024-01", freq="M"),
    frame.describe(),
):
    buf = io.BytesIO()
    pd.to_pickle(obj, buf)
    record(buf.getvalue(), f"pandas {pd.__version__}")
    pickles(obj, f"pandas {pd.__version__}")

# ---- numpy: arrays and scalars of every kind, random states
for obj in (
    np.arange(3),
    np.zeros((2, 2), dtype=np.float16),
    np.array([1 + 2j]),
    np.array(["a"], dtype="U1"),
    np.array([b"a"], dtype="S1"),
    np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")]),
    np.array(["2024-01-01"], dtype="datetime64[ns]"),
    np.float32(1.5),
    np.int64(3),
    np.bool_(True),
    np.datetime64("2024-01-01"),
    np.random.RandomState(0),
    np.random.default_rng(0),
    np.dtype("float64"),
    np.ma.masked_array([1, 2], mask=[0, 1]),
):
    pickles(obj, f"numpy {np.__version__}")

class TorchRecorder(Recorder):
    writer = f"torch {torch.__version__}"



# ---- torch: what torch.save writes for tensors, modules, optimizers and schedulers
model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU(), torch.nn.Flatten(),
    torch.nn.LazyLinear(2), torch.nn.Dropout(), torch.nn.LSTM(2, 2), torch.nn.Embedding(4, 2),
    torch.nn.LayerNorm(2), torch.nn.GELU(), torch.nn.MultiheadAttention(2, 1), torch.nn.Softmax(dim=1),
)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
sched = torch.optim.lr_scheduler.StepLR(torch.optim.SGD(model.parameters(), lr=0.1), 1)
for obj in (
    model,
    model.state_dict(),
    {"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "epoch": 3},
    torch.zeros(2, dtype=torch.bfloat16),
    torch.zeros(2).to_sparse(),
    torch.quantize_per_tensor(torch.zeros(2), 0.1, 0, torch.quint8),
    torch.nn.Parameter(torch.zeros(2)),
    torch.Size([2, 3]),
    torch.float16,
    torch.device("cpu"),
    torch.Generator().get_state(),
):
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    # torch 1.13's load ignores its pickle_module argument unless weights_only is set (it always takes the
    # pickle module); its Unpickler subclass calls the base find_class, so the recorder stands in for it.
    original = pickle.Unpickler
    pickle.Unpickler = TorchRecorder
    try:
        torch.load(buf)
    finally:
        pickle.Unpickler = original

# Globals the recorders met that can run code whatever their arguments: never allowed by this list (a bound
# method pickles as getattr(obj, name) under protocol 2: torch's hooks do).
NEVER = {"getattr", "eval", "exec", "__import__", "compile", "setattr", "delattr", "open"}
rows = {k: sorted(v) for k, v in sorted(SEEN.items()) if not (k.split(".")[0] in ("builtins", "__builtin__") and k.split(".", 1)[1] in NEVER)}
head = {
    "generator": "scripts/ml-globals.py",
    "libraries": {"sklearn": sklearn.__version__, "pandas": pd.__version__, "numpy": np.__version__,
                  "torch": torch.__version__, "joblib": joblib.__version__},
    "estimators": fitted,
}
with open(OUT, "w") as f:
    f.write(json.dumps(head)[:-1] + ',\n "globals": {\n')
    f.write(",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in rows.items()))
    f.write("\n }\n}\n")
print(f"{len(rows)} globals from {fitted} sklearn estimators and the pandas, numpy and torch objects", file=sys.stderr)
