/** Distinct, dark-theme-friendly class colours. */
export const PALETTE = ['#58a6ff', '#3fb950', '#f0883e', '#d2a8ff', '#ff7b72', '#e3b341', '#39c5cf', '#f778ba', '#a5d6ff', '#7ee787'];

export function nextColour(used: string[]): string {
  const taken = new Set(used.map((c) => c.toLowerCase()));
  return PALETTE.find((c) => !taken.has(c)) ?? PALETTE[used.length % PALETTE.length];
}
