// Every risk and every finding code in plain words: the help page lists them all, the panels link to them,
// the reports quote them. A test holds every FINDING_CODES entry to an explanation here.
import type { FindingCode, Risk } from './types';

export const RISK_HELP: Record<Risk, { icon: string; word: string; meaning: string }> = {
  safe: {
    icon: '✓',
    word: 'Safe',
    meaning:
      'Loading this format cannot run code, and the parts that decide it were checked: a valid safetensors, GGUF or ONNX file, or plain numeric arrays.',
  },
  caution: {
    icon: '!',
    word: 'Caution',
    meaning:
      'The format can carry code in a way Picklens could not fully inspect from the bytes it read: a Keras or HDF5 model config, an archive whose members were not all read, a GGUF chat template.',
  },
  unsafe: {
    icon: '▲',
    word: 'Unsafe',
    meaning:
      'Loading it runs a pickle, which can call any Python function. No dangerous import was found, but pickle is code: the panel says whether torch.load(weights_only=True) would still load it.',
  },
  dangerous: {
    icon: '✖',
    word: 'Dangerous',
    meaning:
      'It calls something that runs code or commands (os.system, eval, subprocess, importlib…), or it is built to mislead scanners. Loading it can take over your machine.',
  },
  invalid: {
    icon: '⊘',
    word: 'Invalid',
    meaning:
      'A known format that breaks its own rules (offsets that overlap, a header longer than the file): loaders may fail or read it wrongly. The panel says what is broken.',
  },
  unknown: {
    icon: '?',
    word: 'Unknown',
    meaning:
      'Not a model format Picklens knows (text, HTML, an empty file), or not readable right now (a gated repo, a network error). The panel says which.',
  },
};

export const FINDING_HELP: Record<FindingCode, string> = {
  empty: 'The file is empty.',
  html: 'The file is a web page, not a model — often an error page saved in place of the download.',
  text: 'The file is text, not a model format.',
  unrecognised: 'The first bytes match no format Picklens knows.',
  'archive-not-read': 'An archive whose members Picklens did not read: what is inside is not known.',
  'archive-too-deep': 'Archives nested inside archives past the depth Picklens follows.',
  'compressed-not-pickle': 'A compressed stream whose content is not a pickle.',
  'extension-mismatch':
    "The file's name says one format and its bytes another — a pickle named .safetensors is the classic trick.",
  'gguf-bad-string': 'A text field in the GGUF header is malformed.',
  'gguf-bad-tensor-info': "A tensor's description in the GGUF header is malformed.",
  'gguf-bad-value-type': 'The GGUF header uses a value type the format does not define.',
  'gguf-bad-version': 'The GGUF version number is not one the format defines.',
  'gguf-big-endian': 'A big-endian GGUF file: most readers expect little-endian.',
  'gguf-chat-template':
    'The GGUF file carries a chat template: a Jinja program that the runtime renders when you chat.',
  'gguf-template-escape':
    'The chat template reaches for Python internals (attributes like __class__ or __globals__), a known way to escape the template sandbox.',
  'gguf-limit': 'The GGUF header is larger than Picklens reads; the part past the limit was not inspected.',
  'gguf-truncated': 'The GGUF header ends before it should: the file is cut short.',
  'hdf5-not-inspected': 'An HDF5 file whose contents (a Keras model config, say) were not inspected.',
  'hdf5-user-block': 'The HDF5 data starts after a user block: other bytes come first.',
  'joblib-array-unknown': 'A joblib array in a layout Picklens does not follow.',
  'keras-bad-config': "The Keras model's config is not valid JSON or not the expected shape.",
  'keras-config-limit': "The Keras model's config is larger than Picklens reads.",
  'keras-custom-object':
    'The model names a custom class: Keras needs your code for it, and loading imports that code.',
  'keras-dangerous-module':
    'The Keras config names a Python module that can run code (os, subprocess, builtins…).',
  'keras-embedded-pickle': 'A pickle embedded in the Keras file.',
  'keras-lambda':
    'A Lambda layer: Python bytecode stored in the model, run when Keras loads it unless safe_mode refuses it.',
  'lfs-pointer': 'A Git LFS pointer: a small text file that stands for the real file, not the file itself.',
  'npy-bad-dtype': "The array's dtype is not one numpy can read.",
  'npy-bad-header': 'The .npy header is malformed.',
  'npy-bad-version': 'The .npy version is not one numpy defines.',
  'npy-data-length-mismatch': 'The array data is longer or shorter than its shape and dtype say.',
  'npy-header-too-large': 'The .npy header is larger than numpy accepts.',
  'npy-object-array':
    'An array of Python objects: numpy stores them as a pickle, which runs when loaded with allow_pickle=True.',
  'npy-truncated': 'The .npy file ends before its data does.',
  'npz-members-not-read': 'Some arrays in the .npz archive were not read.',
  'pickle-bad-argument': 'A pickle instruction has an argument that cannot be right.',
  'pickle-bad-opcode': 'A byte that is no pickle instruction: the stream is damaged or not a pickle.',
  'pickle-build-on-global':
    'The pickle sets attributes on an imported function or class — a way to change what later code does.',
  'pickle-compressed-corrupt': 'A compressed pickle that does not decompress.',
  'pickle-dangerous-import':
    'The pickle imports a function that can run code, commands, or reach files and the network; unpickling calls it.',
  'pickle-embedded': 'A second pickle hidden inside the first one.',
  'pickle-frame-lie':
    'The pickle\u2019s frame lengths do not match its content: a trick to make scanners read it differently from Python.',
  'pickle-hidden-after-stop':
    'More pickle data after the end of the first pickle: some loaders read it, most scanners do not.',
  'pickle-limit': 'The pickle is longer than Picklens walks; the rest was not inspected.',
  'pickle-line-too-long': 'A text argument in the pickle is longer than Picklens reads.',
  'pickle-memo-missing': 'The pickle refers to a remembered value it never stored.',
  'pickle-memo-overflow': 'The pickle stores more remembered values than Picklens keeps.',
  'pickle-no-mark': 'A pickle instruction needs a mark that is not there.',
  'pickle-proto-not-first':
    'The protocol marker is not the first instruction: a trick to fool simple scanners.',
  'pickle-read-failed': 'Part of the pickle could not be read.',
  'pickle-stack-underflow': 'A pickle instruction takes more values than the stack holds.',
  'pickle-trailing-bytes': 'Bytes after the end of the pickle.',
  'pickle-truncated': 'The pickle ends before its STOP instruction.',
  'polyglot-zip': 'The file is two formats at once (a zip and something else): built to mislead.',
  'read-failed':
    'The file could not be read: gated, rate-limited, a network error. The cause is given; Picklens tries again later.',
  'read-too-large': 'A part of the file is larger than Picklens reads.',
  'safetensors-bad-entry': 'A tensor entry in the safetensors header is malformed.',
  'safetensors-bad-metadata': 'The safetensors metadata is not a map of strings.',
  'safetensors-bad-offsets': "A tensor's byte range is outside the file or backwards.",
  'safetensors-bad-shape': "A tensor's shape does not match its byte length.",
  'safetensors-data-length-mismatch': 'The data after the header is longer or shorter than the tensors need.',
  'safetensors-header-not-json': 'The safetensors header is not JSON.',
  'safetensors-header-not-object': 'The safetensors header is JSON but not an object.',
  'safetensors-header-not-utf8': 'The safetensors header is not UTF-8 text.',
  'safetensors-header-past-end': 'The header length points past the end of the file.',
  'safetensors-header-too-large': 'The header is larger than the safetensors library accepts (100 MB).',
  'safetensors-misaligned': "A tensor's data is not aligned to its element size.",
  'safetensors-offsets-not-contiguous': 'Gaps or overlaps between tensors in the data.',
  'safetensors-shared-tensors': 'Several names point at the same bytes (tied weights).',
  'safetensors-size-mismatch': 'The file size is not what the header describes.',
  'safetensors-suspicious-metadata': 'The metadata holds text that looks like code or a command.',
  'safetensors-too-many-tensors': 'More tensors than Picklens lists.',
  'safetensors-too-small': 'Too short to be a safetensors file.',
  'safetensors-unknown-dtype': 'A dtype the safetensors format does not define.',
  'tar-bad-checksum': 'A tar header whose checksum is wrong.',
  'tar-too-many-members': 'More tar members than Picklens reads.',
  'tar-truncated': 'The tar archive ends early.',
  'torchscript-code': 'TorchScript: a program, run by torch.jit.load and by the model when called.',
  'onnx-custom-domain': 'Custom ONNX operators: they need native code registered with the runtime.',
  'onnx-external-data-outside':
    'The ONNX model points at weight files outside its own folder — a way to read other files on your disk.',
  'zip-bad-central-directory': "The zip's table of contents is malformed.",
  'zip-bad-local-header': 'A zip member header is malformed.',
  'zip-encrypted': 'An encrypted zip member: its content cannot be inspected.',
  'zip-hidden-pickle': 'A pickle inside the zip under a name loaders do not expect.',
  'zip-inflate-failed': 'A compressed zip member does not decompress.',
  'zip-member-too-large': 'A zip member larger than Picklens reads.',
  'zip-multi-disk': 'A zip split over several files.',
  'zip-name-mismatch':
    "A member's name differs between the zip's table of contents and the member itself: built to mislead.",
  'zip-no-central-directory': 'A zip without its table of contents.',
  'zip-prepended-data': 'Other bytes come before the zip: a polyglot or a damaged file.',
  'zip-too-many-entries': 'More zip entries than Picklens reads.',
  'zip-unsupported-method': 'A zip member compressed with a method Picklens does not read.',
  'repo-auto-map':
    "The repo's config tells transformers to load Python code from the repo (auto_map): trust_remote_code=True runs it.",
  'repo-auto-map-remote':
    'The config loads Python code from another repo, which its owner can change at any time.',
  'repo-python-files': 'The repo holds Python files a loader may import.',
  'repo-config-unread': "The repo's config could not be read, so its code references are not known.",
};
