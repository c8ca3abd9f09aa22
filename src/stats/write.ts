// Writes the stats file (and the Prometheus text file) atomically: to a temporary file
// in the same directory, then renamed over the old one, so a reader never sees half a
// file. Creates the directory if needed.
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';

let written = 0;

export async function writeAtomically(path: string, text: string): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true });
  // Unique per write: two writes in flight must never rename each other's file.
  written += 1;
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${written}.tmp`);
  try {
    await writeFile(temporary, text, { mode: 0o644 });
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
