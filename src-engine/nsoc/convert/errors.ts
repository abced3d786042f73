/**
 * Every refusal of the ONNX → NSoC conversion is one of these: it names the
 * ONNX node (as the exporter named it, e.g. "/conv3/Conv"), its op type and
 * why the NSoC cannot run it, so a user knows what to change in the model.
 * A model the converter cannot represent exactly is refused — never
 * converted into something that silently computes a different function.
 */
export class ConversionError extends Error {
  override readonly name = 'ConversionError';
  constructor(
    /** the ONNX node's name ('' for problems of the file or the graph as a whole) */
    readonly node: string,
    /** the node's op type ('' when not about one node) */
    readonly op: string,
    readonly reason: string,
  ) {
    super(node || op ? `node "${node || '(unnamed)'}": ${op ? `${op} ` : ''}${reason}` : reason);
  }
}

/** A problem of the model file or graph as a whole (not of one node). */
export function graphError(reason: string): ConversionError {
  return new ConversionError('', '', reason);
}
