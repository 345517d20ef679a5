// Appends text to a file through one descriptor per file, kept open (O_APPEND):
// the local runtime writes a line per event batch and per metrics flush, and
// opening and closing the file for each was a visible share of its CPU at 100
// tickets/s. Each write lands at the end (O_APPEND), so concurrent writers do
// not interleave within a line (short writes, which local files do not give in
// practice, are continued).
import { type FileHandle, open } from 'node:fs/promises';

const handles = new Map<string, Promise<FileHandle>>();

function handleOf(file: string): Promise<FileHandle> {
  let handle = handles.get(file);
  if (!handle) {
    handle = open(file, 'a');
    handles.set(file, handle);
    handle.catch(() => handles.delete(file));
  }
  return handle;
}

export async function appendLines(file: string, text: string): Promise<void> {
  const handle = await handleOf(file);
  let buffer = Buffer.from(text, 'utf8');
  while (buffer.length) {
    const { bytesWritten } = await handle.write(buffer);
    buffer = buffer.subarray(bytesWritten);
  }
}
