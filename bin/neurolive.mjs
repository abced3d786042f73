#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx compiles on the fly; no build step for headless use).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
