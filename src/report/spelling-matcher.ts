import { decodeLayer, rawLayer, type Layer } from './escapes.js';

/**
 * Finds many strings at once in a text, also when the text carries them character-escaped: an IdP (or
 * the framework under it) quotes a secret percent-encoded in either case, as HTML character references,
 * with JSON's \/ and \u escapes, or a mix; our own JSON, XML and terminal escaping may wrap that again.
 *
 * One Aho-Corasick automaton holds every pattern (its first DEPTH characters; longer ones are confirmed
 * at the candidate), and runs over the text as it is, then over the text with one layer of escapes
 * decoded, then two, up to MAX_LAYERS: each decoded character remembers the span of the original text it
 * came from, so a match there masks the escaped spelling. Each pass is linear in the text, whatever the
 * number of patterns (docs/security.md: masking must not grow with secrets × output).
 */
const DEPTH = 32;
const MAX_LAYERS = 3;

/** Space and "+" are one symbol: form encoding writes a space as "+", and a raw value may hold either. */
const fold = (code: number) => (code === 0x20 ? 0x2b : code);

export class SpellingMatcher {
  private readonly patterns: string[];
  /** The root's children by code unit (-1: none): most steps of a scan start there. */
  private readonly rootChild = new Int32Array(0x10000).fill(-1);
  private readonly rootCodes: number[] = [];
  /** A node with one child (most of a trie of random strings): its code unit and child, else -1. */
  private readonly singleCode: number[] = [-1];
  private readonly singleChild: number[] = [-1];
  /** A node with several children: code unit → child. */
  private readonly several: Array<Map<number, number> | undefined> = [undefined];
  private readonly fail: number[] = [0];
  /** Patterns whose first min(length, DEPTH) units end at this node. */
  private readonly ends: number[][] = [[]];
  /** The nearest node down the fail chain that ends a pattern, or -1. */
  private readonly output: number[] = [-1];

  constructor(patterns: Iterable<string>) {
    this.patterns = [...new Set(patterns)].filter((pattern) => pattern.length > 0);
    for (const [id, pattern] of this.patterns.entries()) this.insert(pattern, id);
    this.link();
  }

  /** The text with every occurrence of a pattern, in any spelling the layers decode, replaced by `mask`. */
  replace(text: string, mask: string): string {
    if (this.patterns.length === 0 || text === '') return text;
    const spans: number[] = [];
    let layer: Layer | undefined = rawLayer(text);
    for (let depth = 0; layer && depth <= MAX_LAYERS; depth += 1) {
      this.scan(layer, spans);
      layer = depth < MAX_LAYERS ? decodeLayer(layer) : undefined;
    }
    return spans.length === 0 ? text : masked(text, spans, mask);
  }

  private insert(pattern: string, id: number): void {
    let node = 0;
    for (let i = 0; i < Math.min(pattern.length, DEPTH); i += 1) {
      const code = fold(pattern.charCodeAt(i));
      let child = this.child(node, code);
      if (child < 0) {
        child = this.fail.length;
        this.addChild(node, code, child);
        this.singleCode.push(-1);
        this.singleChild.push(-1);
        this.several.push(undefined);
        this.fail.push(0);
        this.ends.push([]);
        this.output.push(-1);
      }
      node = child;
    }
    this.ends[node]!.push(id);
  }

  private addChild(node: number, code: number, child: number): void {
    if (node === 0) {
      this.rootChild[code] = child;
      this.rootCodes.push(code);
    } else if (this.singleCode[node] === -1 && !this.several[node]) {
      this.singleCode[node] = code;
      this.singleChild[node] = child;
    } else {
      const several = this.several[node] ?? new Map([[this.singleCode[node]!, this.singleChild[node]!]]);
      several.set(code, child);
      this.several[node] = several;
      this.singleCode[node] = -1;
    }
  }

  private children(node: number): Iterable<[number, number]> {
    if (node === 0) return this.rootCodes.map((code): [number, number] => [code, this.rootChild[code]!]);
    return this.singleCode[node] !== -1 ? [[this.singleCode[node]!, this.singleChild[node]!]] : (this.several[node] ?? []);
  }

  /** Breadth first: fail links and output links. */
  private link(): void {
    const queue: number[] = [];
    for (const [, child] of this.children(0)) queue.push(child);
    for (let head = 0; head < queue.length; head += 1) {
      const node = queue[head]!;
      for (const [code, child] of this.children(node)) {
        let fallback = this.fail[node]!;
        while (fallback !== 0 && this.child(fallback, code) < 0) fallback = this.fail[fallback]!;
        const target = Math.max(this.child(fallback, code), 0);
        this.fail[child] = target;
        this.output[child] = this.ends[target]!.length > 0 ? target : this.output[target]!;
        queue.push(child);
      }
    }
  }

  private child(node: number, code: number): number {
    if (node === 0) return this.rootChild[code]!;
    if (this.singleCode[node] === code) return this.singleChild[node]!;
    return this.several[node]?.get(code) ?? -1;
  }

  /** Appends [start, end) of the original text for every match in the layer. */
  private scan(layer: Layer, spans: number[]): void {
    const { codes, starts, ends } = layer;
    let node = 0;
    for (let j = 0; j < codes.length; j += 1) {
      const code = fold(codes[j]!);
      let child = this.child(node, code);
      while (child < 0 && node !== 0) {
        node = this.fail[node]!;
        child = this.child(node, code);
      }
      node = Math.max(child, 0);
      for (let hit = this.ends[node]!.length > 0 ? node : this.output[node]!; hit !== -1; hit = this.output[hit]!) {
        for (const id of this.ends[hit]!) {
          const pattern = this.patterns[id]!;
          const begin = j - Math.min(pattern.length, DEPTH) + 1;
          const last = begin + pattern.length - 1;
          if (pattern.length > DEPTH && !continues(codes, begin, pattern)) continue;
          spans.push(starts ? starts[begin]! : begin, ends ? ends[last]! : last + 1);
        }
      }
    }
  }
}

/** Whether the units after the first DEPTH at `begin` are the rest of the pattern. */
function continues(codes: Uint16Array, begin: number, pattern: string): boolean {
  if (begin + pattern.length > codes.length) return false;
  for (let k = DEPTH; k < pattern.length; k += 1) if (fold(codes[begin + k]!) !== fold(pattern.charCodeAt(k))) return false;
  return true;
}

/** Merges the spans (pairs, in any order) and replaces each with the mask. */
function masked(text: string, spans: number[], mask: string): string {
  const order = Array.from({ length: spans.length / 2 }, (_, i) => i).sort((a, b) => spans[2 * a]! - spans[2 * b]! || spans[2 * b + 1]! - spans[2 * a + 1]!);
  let out = '';
  let at = 0;
  for (const i of order) {
    const start = spans[2 * i]!;
    const end = spans[2 * i + 1]!;
    if (end <= at) continue;
    out += start >= at ? `${text.slice(at, start)}${mask}` : '';
    at = end;
  }
  return out + text.slice(at);
}
