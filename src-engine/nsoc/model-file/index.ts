/** The `.nlm` model file: encode, decode (validating everything), errors. */
export { encodeModel } from './encode';
export { decodeModel } from './decode';
export { InvalidModelError, MODEL_LIMITS, ModelFileError, type ModelFileErrorKind } from './errors';
export { validateModel } from './validate';
export { FORMAT_MAJOR, FORMAT_MINOR } from './format';
