// HDF5 (and Keras .h5): the format signature "\x89HDF\r\n\x1a\n" at byte 0, or at 512, 1024, 2048, … when
// a user block precedes it. Spec: https://docs.hdfgroup.org/hdf5/develop/_f_m_t3.html ("Format Signature").
// Checked: the signature and its offset; in the bytes already read, a Keras `model_config` and whether it
// names a `Lambda` layer (Keras Lambda layers carry marshalled Python bytecode). Not checked: the object
// tree (attributes stored far from the start are not reached), so a Keras model without a visible config
// stays `caution`.
import { ascii, indexOf, startsWith } from './bytes';

export const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** The signature's offset within `head` (0, 512, 1024, 2048, …), or -1. */
export function hdf5SignatureOffset(head: Uint8Array): number {
  if (startsWith(head, HDF5_SIGNATURE)) return 0;
  for (let at = 512; at + 8 <= head.length; at *= 2) if (startsWith(head, HDF5_SIGNATURE, at)) return at;
  return -1;
}

const LAMBDA = [ascii('"class_name": "Lambda"'), ascii('"class_name":"Lambda"')];
const MODEL_CONFIG = ascii('model_config');
const KERAS_VERSION = ascii('keras_version');

export interface Hdf5Scan {
  kerasConfig: boolean;
  lambda: boolean;
  kerasVersion: boolean;
}

export function scanHdf5Head(bytes: Uint8Array): Hdf5Scan {
  return {
    kerasConfig: indexOf(bytes, MODEL_CONFIG) >= 0,
    lambda: LAMBDA.some((l) => indexOf(bytes, l) >= 0),
    kerasVersion: indexOf(bytes, KERAS_VERSION) >= 0,
  };
}
