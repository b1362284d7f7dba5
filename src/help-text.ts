/**
 * The text after a command's options (examples, exit codes), fitted to the terminal the way commander
 * fits the options: prose is reflowed and wraps at word boundaries under its indent; an example keeps
 * working when pasted: its command continues on the next line after a " \" and its note moves below it.
 */
export function wrapHelp(text: string, width = helpWidth()): string {
  return reflow(text.split('\n'))
    .flatMap((line) => fitLine(line, width))
    .join('\n');
}

function helpWidth(): number {
  return process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : 80;
}

const isProse = (line: string) => line !== '' && !/^\s/.test(line);

/** A sentence broken over lines by hand (at no particular width) is joined again, to be wrapped at this one. */
function reflow(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const previous = out.at(-1);
    if (previous !== undefined && isProse(previous) && isProse(line) && !previous.endsWith(':')) out[out.length - 1] = `${previous} ${line}`;
    else out.push(line);
  }
  return out;
}

function fitLine(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const continued = /^(\s+)(\$ .*\S) \\$/.exec(line);
  if (continued) return wrapWords(continued[2]!, width - 2, continued[1]!, `${continued[1]}    `).map((part) => `${part} \\`);
  const example = /^(\s+)(\$ .*?\S)(?:( {2,}|\s+(?=# ))(\S.*))?$/.exec(line);
  if (example) {
    const [, indent, command, , note] = example;
    const commandLines = wrapWords(command!, width - 2, indent!, `${indent}    `).map((part, i, all) => (i < all.length - 1 ? `${part} \\` : part));
    // The note becomes a comment line: the block can still be pasted into a shell.
    return [...commandLines, ...(note ? wrapWords(note.startsWith('#') ? note : `# ${note}`, width, `${indent}    `) : [])];
  }
  const indent = /^\s*/.exec(line)![0];
  return wrapWords(line.slice(indent.length), width, indent, `${indent}  `);
}

function wrapWords(text: string, width: number, indent: string, rest = indent): string[] {
  const lines: string[] = [];
  let current = indent;
  for (const word of text.split(' ')) {
    const lead = lines.length === 0 ? indent : rest;
    if (current.length > lead.length && current.length + 1 + word.length > width) {
      lines.push(current);
      current = rest + word;
    } else current = current.length > lead.length ? `${current} ${word}` : `${current}${word}`;
  }
  lines.push(current);
  return lines;
}
