// The help page (unlisted: /help.html): what each risk means and what each finding code says, in plain words,
// with what to do for each format. Panels' "Learn more" opens it at #risk-… or #finding-…
import { FINDING_HELP, RISK_HELP } from '@/lib/formats/explain';
import { FINDING_CODES, RISKS } from '@/lib/formats/types';

/** What to do, by format (the panels say it for the file at hand, lib/formats/advice.ts). */
const LOADING: [string, string, string][] = [
  ['safetensors', 'Load with safetensors: no code runs.', 'safetensors.torch.load_file(path)'],
  [
    'PyTorch checkpoints (torch-zip, legacy, tar)',
    'Load with weights_only=True: torch refuses any global outside its allow-list (the default since PyTorch 2.6). The panel says whether this file would load.',
    'torch.load(path, weights_only=True)',
  ],
  [
    'NumPy (.npy, .npz)',
    'Refuse pickles: plain arrays load, object arrays are refused.',
    'numpy.load(path, allow_pickle=False)',
  ],
  [
    'Keras (.keras, .h5)',
    'Keep safe_mode on (the default in Keras 3): Lambda layers, which hold Python code, are refused.',
    'keras.saving.load_model(path, safe_mode=True)',
  ],
  ['HDF5 arrays', 'h5py reads arrays without running code.', 'h5py.File(path, "r")'],
  ['GGUF', 'Readers take tensors as data; read the chat template (Jinja) before serving.', ''],
  ['ONNX', 'onnxruntime runs the graph as data; custom operators need a native library you register.', ''],
  ['pickle, joblib, dill', 'No safe mode: loading runs the pickle. Only from a source you trust.', ''],
  ['TorchScript', 'torch.jit.load runs the program inside; no weights-only mode.', ''],
];

export function App() {
  return (
    <main style={{ maxWidth: '52rem', margin: '0 auto', padding: '1rem' }}>
      <h1>Picklens: risks and findings, in plain words</h1>
      <p class="muted">
        Picklens reads the first bytes of each model file on huggingface.co and says what the file really is
        and whether loading it can run code. This page explains every word it uses.
      </p>
      <h2>Risks</h2>
      <dl data-section="risks">
        {RISKS.map((r) => (
          <div key={r} id={`risk-${r}`} data-risk={r}>
            <dt>
              <span aria-hidden="true">{RISK_HELP[r].icon}</span> <strong>{RISK_HELP[r].word}</strong>
            </dt>
            <dd>{RISK_HELP[r].meaning}</dd>
          </div>
        ))}
      </dl>
      <h2>Loading a file without running its code</h2>
      <table data-table="loading">
        <thead>
          <tr>
            <th>Format</th>
            <th>What to do</th>
            <th>How</th>
          </tr>
        </thead>
        <tbody>
          {LOADING.map(([f, say, how]) => (
            <tr key={f}>
              <td>{f}</td>
              <td>{say}</td>
              <td>{how && <code>{how}</code>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Findings</h2>
      <dl data-section="findings">
        {FINDING_CODES.map((c) => (
          <div key={c} id={`finding-${c}`} data-finding={c}>
            <dt>
              <code>{c}</code>
            </dt>
            <dd>{FINDING_HELP[c]}</dd>
          </div>
        ))}
      </dl>
    </main>
  );
}
