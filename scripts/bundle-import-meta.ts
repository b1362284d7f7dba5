// Injected by scripts/bundle.ts into the CommonJS bundle: what code there reads as import.meta.url.
import { pathToFileURL } from 'node:url';

export const import_meta = {
  get url(): string {
    return pathToFileURL(__filename).href;
  },
};
