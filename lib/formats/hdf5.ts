// HDF5 (and Keras .h5): the format signature "\x89HDF\r\n\x1a\n" at byte 0, or at 512, 1024, 2048, … when
// a user block precedes it. Spec: https://docs.hdfgroup.org/hdf5/develop/_f_m_t3.html ("Format Signature").
// Checked: the signature and its offset; in the bytes already read, a Keras `model_config` and whether it
// names a `Lambda` layer (Keras Lambda layers carry marshalled Python bytecode). Not checked: the object
// tree (attributes stored far from the start are not reached), so a Keras model without a visible config
// stays `caution`.
import { ascii, indexOf, startsWith } from './bytes';
import { concludes, type FormatModule, type Judgement } from './judgement';

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** The signature's offset within `head` (0, 512, 1024, 2048, …), or -1. */
function hdf5SignatureOffset(head: Uint8Array): number {
  if (startsWith(head, HDF5_SIGNATURE)) return 0;
  for (let at = 512; at + 8 <= head.length; at *= 2) if (startsWith(head, HDF5_SIGNATURE, at)) return at;
  return -1;
}

const LAMBDA = [ascii('"class_name": "Lambda"'), ascii('"class_name":"Lambda"')];
const MODEL_CONFIG = ascii('model_config');
const KERAS_VERSION = ascii('keras_version');

interface Hdf5Scan {
  kerasConfig: boolean;
  lambda: boolean;
  kerasVersion: boolean;
}

function scanHdf5Head(bytes: Uint8Array): Hdf5Scan {
  return {
    kerasConfig: indexOf(bytes, MODEL_CONFIG) >= 0,
    lambda: LAMBDA.some((l) => indexOf(bytes, l) >= 0),
    kerasVersion: indexOf(bytes, KERAS_VERSION) >= 0,
  };
}

export const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46];

function hdf5File(head: Uint8Array, offset: number, acc: Judgement): void {
  acc.format = 'hdf5';
  acc.risk = 'caution';
  acc.details.signatureOffset = offset;
  if (offset > 0)
    acc.findings.push({
      code: 'hdf5-user-block',
      severity: 'info',
      message: `a ${offset}-byte user block precedes the HDF5 signature`,
    });
  const scan = scanHdf5Head(head);
  acc.details.kerasConfig = scan.kerasConfig;
  if (scan.lambda) {
    acc.risk = 'dangerous';
    acc.findings.push({
      code: 'keras-lambda',
      severity: 'danger',
      message: 'the Keras model config has a Lambda layer, whose Python bytecode runs when the model loads',
    });
  } else {
    acc.findings.push({
      code: 'hdf5-not-inspected',
      severity: 'info',
      message: scan.kerasConfig
        ? 'a Keras model; no Lambda layer in the bytes read, the rest of the file was not inspected'
        : 'HDF5: the object tree was not inspected',
    });
  }
}

export const HDF5_MODULE: FormatModule = {
  id: 'hdf5',
  formats: ['hdf5'],
  sniff: (c) => hdf5SignatureOffset(c.head) >= 0,
  judge: concludes((c, j) => hdf5File(c.head, hdf5SignatureOffset(c.head), j)),
};
