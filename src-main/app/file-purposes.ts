/** What pickFile is asked to pick (the contract's purposes), shared by AppCore and the Electron dialog. */
import type { MethodArg } from '../ipc/contract';

export type PickPurpose = MethodArg<'pickFile'>['purpose'];

/** Extensions offered for event recordings (formats are detected from content; this only filters the dialog). */
export const EVENT_FILE_EXTENSIONS = ['aedat4', 'aedat', 'raw', 'dat', 'evt', 'npy', 'npz', 'h5', 'hdf5', 'bin', 'es', 'csv', 'txt'];

/** The host's file dialog: a path, or null when cancelled (or when the host has none: the renderer then asks for a typed path). */
export type PickFileHook = (purpose: PickPurpose) => Promise<string | null>;
