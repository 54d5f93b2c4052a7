/**
 * The browser the console tests drive: the Chromium build that ships inside the npm package
 * @sparticuz/chromium (brotli-compressed, with the NSS libraries it links and a font), so
 * `npm ci` is all a machine needs. It is unpacked once per package version under
 * node_modules/.cache. Not with the package's own executablePath(): that unpacks to a fixed
 * /tmp/chromium shared by every checkout and user, and trusts whatever is there, even a file
 * half-written by a run that was killed.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { brotliDecompressSync, createBrotliDecompress } from 'node:zlib';
import { type BrowserContext, chromium } from 'playwright-core';

const PACKAGE = '@sparticuz/chromium';
const LAUNCH_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** The package's folder: its entry is build/index.js. */
function packageDir(): string {
  return dirname(dirname(createRequire(import.meta.url).resolve(PACKAGE)));
}

/** Unpacks the browser, its libraries and its font into a folder of its own; returns the folder. */
async function unpackedChromium(): Promise<string> {
  const source = packageDir();
  const { version } = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { version: string };
  const target = join(source, '..', '..', '.cache', `klaxon-chromium-${version}`);
  if (existsSync(join(target, 'chromium'))) return target;

  // Unpacked beside the target and renamed into place, so a killed run leaves no half-written browser.
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  await pipeline(
    createReadStream(join(source, 'bin', 'chromium.br')),
    createBrotliDecompress(),
    createWriteStream(join(partial, 'chromium'), { mode: 0o755 }),
  );
  // lib/ (NSS, NSPR, expat: built for Amazon Linux 2023, they need only glibc) and fonts/.
  for (const archive of ['al2023.tar.br', 'fonts.tar.br']) {
    execFileSync('tar', ['-x', '-C', partial], {
      input: brotliDecompressSync(readFileSync(join(source, 'bin', archive))),
    });
  }
  await writeFile(
    join(partial, 'fonts.conf'),
    `<?xml version="1.0"?>\n<fontconfig><dir>${target}/fonts</dir><cachedir>${target}/fonts-cache</cachedir></fontconfig>\n`,
  );
  try {
    renameSync(partial, target);
  } catch (error) {
    // Another test process unpacked it first: use theirs.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(target, 'chromium'))) throw error;
  }
  return target;
}

/** A headless Chromium with a fresh profile in `profile`; fails with what to do when it cannot start. */
export async function launchChromium(
  profile: string,
  options: { viewport: { width: number; height: number } },
): Promise<BrowserContext> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `The console test drives the Chromium that ${PACKAGE} ships, which is built for Linux x64; this machine is ${process.platform} ${process.arch}. Run the test on Linux x64 (CI does).`,
    );
  }
  let folder: string | undefined;
  try {
    folder = await unpackedChromium();
    return await chromium.launchPersistentContext(profile, {
      executablePath: join(folder, 'chromium'),
      headless: true,
      args: LAUNCH_FLAGS,
      viewport: options.viewport,
      env: { ...process.env, LD_LIBRARY_PATH: join(folder, 'lib'), FONTCONFIG_FILE: join(folder, 'fonts.conf') },
    });
  } catch (error) {
    throw new Error(
      `Cannot start the Chromium that ${PACKAGE} ships${folder ? ` (unpacked in ${folder}; delete that folder to unpack it again)` : ''}: ${(error as Error).message}. Run npm ci, which installs it.`,
    );
  }
}
