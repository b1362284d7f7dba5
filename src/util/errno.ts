const ERRNO_WORDS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
};

/** A file error as a person reads it: the words first, the code (ENOENT...) for searching. */
export function explainErrno(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) return (error as Error).message;
  const words = Object.hasOwn(ERRNO_WORDS, code) ? ERRNO_WORDS[code] : undefined;
  return words ? `${words} (${code})` : code;
}
