/**
 * `npm run web [-- --port 5190 --host 127.0.0.1 --token T --user-data DIR --open-demo]`
 * Serves the renderer and the app's API to a plain browser (see host.ts).
 */
import { parseArgs } from 'node:util';
import { startBrowserApp } from './start';
import { defaultUserDataDir } from './user-data';

const USAGE = `usage: npm run web -- [options]
  --port N          port to listen on (default 5190; 0 = any free port)
  --host H          address to listen on (default 127.0.0.1; anything else needs --token)
  --token T         secret the page must present (at least 16 characters; or env NEUROLIVE_TOKEN)
  --allow-origin O  another page origin allowed to connect (repeatable)
  --user-data DIR   settings, classes and recordings (default ${defaultUserDataDir()})
  --open-demo       start the built-in demo source at once
  --no-build        serve out/renderer as it is, even if stale`;

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '5190' },
        host: { type: 'string', default: '127.0.0.1' },
        token: { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        'user-data': { type: 'string' },
        'open-demo': { type: 'boolean', default: false },
        'no-build': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be an integer 0–65535, not ${values.port}`);
    process.exit(2);
  }
  const log = (line: string): void => console.log(`[web] ${line}`);
  let app;
  try {
    app = await startBrowserApp({
      userDataDir: values['user-data'] ?? defaultUserDataDir(),
      host: values.host,
      port,
      token: values.token ?? process.env['NEUROLIVE_TOKEN'] ?? undefined,
      allowedOrigins: values['allow-origin'],
      build: !values['no-build'],
      openDemo: values['open-demo'],
      log,
    });
  } catch (e) {
    console.error(`neurolive web: ${(e as Error).message}`);
    process.exit(1);
  }
  console.log(`Neurolive is running at ${app.url}`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(1);
    stopping = true;
    log('stopping…');
    void app.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
