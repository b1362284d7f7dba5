import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file so that a reader sees either the previous content or the new one, never a torn file,
 * even when the process is killed or the machine loses power mid-write: the data goes to a temp file in
 * the same directory (rename is only atomic within one file system), created 0600 and exclusively,
 * fsynced, then renamed over the target; the directory is fsynced so the rename itself is durable.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  // node:crypto on first write, not at start-up: `oidc-cli token` reads the cache and writes nothing.
  const random = process.getBuiltinModule('node:crypto').randomBytes(6).toString('hex');
  const temp = join(dir, `.${basename(path)}.${process.pid}.${random}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  // Not every platform can open a directory for fsync (Windows); the rename is still atomic there.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}
