/** Transient notifications; errors stay longer than info. */
export interface Toast {
  id: number;
  kind: 'info' | 'error' | 'success';
  text: string;
}

export const toasts = $state<Toast[]>([]);
let next = 1;

export function toast(text: string, kind: Toast['kind'] = 'info'): void {
  const id = next++;
  toasts.push({ id, kind, text });
  if (toasts.length > 5) toasts.splice(0, toasts.length - 5);
  setTimeout(() => dismiss(id), kind === 'error' ? 8000 : 3500);
}

export function dismiss(id: number): void {
  const i = toasts.findIndex((t) => t.id === id);
  if (i >= 0) toasts.splice(i, 1);
}
