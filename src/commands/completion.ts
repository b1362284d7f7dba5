import { completionScript, type ProgramSpec, type Shell } from '../completion.js';
import type { Report } from '../report/model.js';
import { loadConfig } from '../store/config.js';
import type { Context } from './context.js';

export interface CompletionOptions {
  shell: Shell | 'profiles';
  /** The command declarations of src/cli.ts, as data. */
  spec: ProgramSpec;
}

/** `oidc-cli completion bash|zsh|fish`: the script on stdout; `profiles`: the profile names, one a line. */
export async function run(options: CompletionOptions, context: Context): Promise<Report> {
  if (options.shell === 'profiles') {
    // Called by the scripts while the user types: quiet, and nothing from a config that is not ours.
    const config = await loadConfig(context.env).catch(() => undefined);
    const names = config && !config.untrusted ? Object.keys(config.profiles).filter((name) => /^[\w.-]+$/.test(name)) : [];
    return { command: 'completion', checks: [], data: { profiles: names }, sections: [], bare: names.join('\n') };
  }
  return { command: 'completion', checks: [], data: { shell: options.shell }, sections: [], bare: completionScript(options.spec, options.shell).trimEnd() };
}
